"""Paper references inside one line of markdown: links, bare URLs, HTML attributes.

A digest names its paper in many ways (a link line, a labelled field, a row of links, a bare URL, the
heading itself, `<a href>` or `data-arxiv-id`); they all come down to an arXiv or Hugging Face URL, or
an ID in an attribute, found here with what the link says about itself (its text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from digestsite.content import arxiv

# `[text](url "title")`, the text allowing one level of nested brackets; not an image (`![...]`).
LINK = re.compile(
    r"(?<!!)\[(?P<text>(?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]"
    r"\(\s*<?(?P<url>[^\s()<>]*(?:\([^\s()<>]*\)[^\s()<>]*)*)>?(?:\s+\"[^\"\n]*\")?\s*\)"
)
IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)|!\[\[[^\]\n]*\]\]")
# A URL stops at whitespace, markup and the first CJK or full-width character.
BARE_URL = re.compile(r"https?://[^\s<>\"'`\[\]()\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")
HREF = re.compile(r"""href\s*=\s*["']([^"'\s]+)["']""", re.IGNORECASE)
DATA_ID = re.compile(r"""data-arxiv-id\s*=\s*["']([^"'\s]+)["']""", re.IGNORECASE)
_TRAILING = ".,;:!?*_~>"
_CODE_HOSTS = ("github.com", "gitlab.com", "gitee.com", "huggingface.co/spaces", "bitbucket.org")


@dataclass(frozen=True, slots=True)
class Ref:
    """A paper reference: the ID (None when the URL names a paper page with a broken ID), the URL,
    the link text ('' for a bare URL), and how it was written (link, bare, html, id)."""

    arxiv_id: str | None
    url: str
    text: str
    kind: str

    @property
    def malformed(self) -> bool:
        return self.arxiv_id is None


@dataclass(frozen=True, slots=True)
class Link:
    """Any markdown link on a line, paper or not, with its span."""

    start: int
    end: int
    text: str
    url: str


def might_refer(line: str) -> bool:
    """Cheap test before the regexes: only lines with a URL or an arXiv attribute can hold a reference."""
    return "://" in line or "arxiv-id" in line


def trim_url(url: str) -> str:
    """Drops trailing sentence punctuation and an unbalanced `)` from a bare URL."""
    while url and (url[-1] in _TRAILING or (url[-1] == ")" and url.count(")") > url.count("("))):
        url = url[:-1]
    return url


def is_code_url(url: str) -> bool:
    """A link to a code host: a repository rather than a paper or a project page."""
    return any(host in url for host in _CODE_HOSTS)


def code_url_in(text: str) -> str:
    """The first bare URL in `text` that leads to a code host, or ''."""
    for match in BARE_URL.finditer(text):
        url = trim_url(match.group())
        if is_code_url(url):
            return url
    return ""


def links(line: str) -> list[Link]:
    """The markdown links of a line, in order (images excluded)."""
    if "](" not in line:
        return []
    return [Link(m.start(), m.end(), m.group("text"), m.group("url")) for m in LINK.finditer(line)]


def refs_in(line: str) -> list[Ref]:
    """Every paper reference on a line, in order of appearance; malformed arXiv URLs included."""
    if not might_refer(line):
        return []
    found: list[tuple[int, Ref]] = []
    covered: list[tuple[int, int]] = []
    for link in links(line):
        covered.append((link.start, link.end))
        ref = _ref(link.url, link.text, "link")
        if ref is not None:
            found.append((link.start, ref))
    for match in BARE_URL.finditer(line):
        if any(start <= match.start() < end for start, end in covered):
            continue
        ref = _ref(trim_url(match.group()), "", "bare")
        if ref is not None:
            found.append((match.start(), ref))
    if "<" in line:
        for match in HREF.finditer(line):
            if not any(start <= match.start() < end for start, end in covered) and not _inside_bare(found, match):
                ref = _ref(match.group(1), "", "html")
                if ref is not None:
                    found.append((match.start(), ref))
        for match in DATA_ID.finditer(line):
            arxiv_id = arxiv.normalise_id(match.group(1))
            found.append((match.start(), Ref(arxiv_id, arxiv.abs_url(arxiv_id or match.group(1)), "", "id")))
    found.sort(key=lambda item: item[0])
    unique: list[Ref] = []
    for _, ref in found:
        if not unique or unique[-1].url != ref.url:
            unique.append(ref)
    return unique


def _inside_bare(found: list[tuple[int, Ref]], match: re.Match[str]) -> bool:
    return any(ref.kind == "bare" and ref.url == match.group(1) for _, ref in found)


def _ref(url: str, text: str, kind: str) -> Ref | None:
    arxiv_id, malformed = arxiv.paper_url_id(url)
    if arxiv_id is None and not malformed:
        return None
    return Ref(arxiv_id, url, text.strip(), kind)


def ids_in(text: str) -> list[str]:
    """Bare arXiv IDs written in text (`2403.19887`, `arXiv:2403.19887v2`), normalised and valid."""
    found = []
    for match in arxiv.ID_IN_TEXT.finditer(text):
        arxiv_id = arxiv.normalise_id(match.group("id"))
        if arxiv_id:
            found.append(arxiv_id)
    return found


_NAMED_ID = re.compile(r"\barxiv\s*[:：]?\s*(?P<id>\d{4}\.\d{4,5}(?:v\d+)?)\b", re.IGNORECASE)


def named_ids(text: str) -> list[str]:
    """IDs written after the word arXiv (`arXiv 2607.26998`, `arXiv：2403.19887v2`), normalised and valid."""
    found = []
    for match in _NAMED_ID.finditer(text):
        arxiv_id = arxiv.normalise_id(match.group("id"))
        if arxiv_id:
            found.append(arxiv_id)
    return found


EDGE_ID = re.compile(
    r"^\s*(?:\d{1,3}[.)、]\s*)?(?:(?:论文|論文|arxiv\s*)?id\s*[:：]\s*)?\[?(?:arxiv\s*[:：]?\s*)?"
    r"(?P<first>\d{4}\.\d{4,5}(?:v\d+)?)\]?(?:\s*[-–—:：|]\s*|\s*$)"
    r"|^\s*\[(?P<lead>\d{4}\.\d{4,5}(?:v\d+)?)\][ \t]+(?=\S)"  # `[2608.00400] Title…`
    r"|[\[(（]\s*(?:arxiv\s*[:：]?\s*)?(?P<last>\d{4}\.\d{4,5}(?:v\d+)?)\s*[\])）]"
    r"(?:\s+[-–—|]{1,2}\s*[^()\[\]（）\n]{1,40})?\s*$",  # `Title (2609.03407) — EMNLP 2026 Findings`
    re.IGNORECASE,
)


def heading_ids(text: str) -> list[Ref]:
    """An ID that opens or closes a heading (`## 2601.22607 - EigenData`, `## Title [2401.00001]`)."""
    match = EDGE_ID.search(text)
    arxiv_id = arxiv.normalise_id(match.group("first") or match.group("last") or match.group("lead")) if match else None
    return [Ref(arxiv_id, arxiv.abs_url(arxiv_id), "", "id")] if arxiv_id else []

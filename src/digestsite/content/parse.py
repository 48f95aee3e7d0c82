"""Digest text → a `Batch` of `Paper` records plus located diagnostics.

The block structure comes from markdown-it's token stream, whose line maps give every diagnostic its
line. Only ATX headings (`#`, `##`) start entries; a summary keeps its markdown source.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace

from markdown_it import MarkdownIt
from markdown_it.token import Token
from slugify import slugify

from digestsite.content import arxiv
from digestsite.content.model import Batch, Diagnostic, Paper, Severity, SourceRef
from digestsite.content.yaml_lines import YamlSyntaxError, load_mapping

_BLOCKS = MarkdownIt("commonmark", {"html": False}).disable("inline")
_INLINE = MarkdownIt("commonmark", {"html": False})

_ATTRIBUTION = re.compile(r"(数据来源|資料來源|来源|來源|source|data source)\s*[:：]\s*\S.*", re.IGNORECASE)
_LINK_LINE = re.compile(r"\[(?P<text>.*)\]\(\s*(?P<url>(?:[^\s()]|\([^\s()]*\))*)(?:\s+\"[^\"]*\")?\s*\)")
_BARE_URL = re.compile(r"<?(?P<url>[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>]+)>?")
_TRUNCATION_MARKS = ("...", "…")
_LANG_CODE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
FRONT_MATTER_KEYS = ("title", "date", "slug", "lang")
_NO_LINK = "entry '{title}' has no link line (expected '[中文标题](https://arxiv.org/abs/ID)')"


@dataclass
class ParseResult:
    """What one digest file yields: a batch (None when it has no entries) and its diagnostics."""

    batch: Batch | None
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass
class _Block:
    """A top-level markdown block; lines are 0-based indexes into the body, end exclusive."""

    kind: str
    start: int
    end: int
    text: str = ""
    level: int = 0


@dataclass
class _Entry:
    heading: _Block
    blocks: list[_Block] = field(default_factory=list)


@dataclass
class _FrontMatter:
    title: dict[str, str] = field(default_factory=dict)
    date: dt.date | None = None
    slug: str = ""
    lang: str = ""


class _Reporter:
    """Collects diagnostics for one file, translating body lines to file lines."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.offset = 0
        self.diagnostics: list[Diagnostic] = []

    def error(self, line: int, message: str) -> None:
        self.diagnostics.append(Diagnostic(self.path, line, Severity.ERROR, message))

    def warning(self, line: int, message: str) -> None:
        self.diagnostics.append(Diagnostic(self.path, line, Severity.WARNING, message))

    def body_line(self, index: int) -> int:
        """1-based file line of a 0-based body line index."""
        return self.offset + index + 1


def decode(data: bytes, path: str) -> tuple[str | None, Diagnostic | None]:
    """UTF-8 text with BOM and CR/CRLF line ends normalised, or an error naming the first bad line."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        message = f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
        return None, Diagnostic(path, line, Severity.ERROR, message)
    return text.replace("\r\n", "\n").replace("\r", "\n"), None


def parse_digest(data: bytes, path: str, default_lang: str = "zh") -> ParseResult:
    """Parse one digest file. Never raises on bad content: problems become diagnostics."""
    text, problem = decode(data, path)
    if text is None:
        return ParseResult(None, [problem] if problem else [])
    report = _Reporter(path)
    lines = text.split("\n")
    front, body_start = _split_front_matter(lines, report)
    report.offset = body_start
    body = lines[body_start:]
    entries, preamble = _group_blocks(_top_level_blocks("\n".join(body), body))
    attribution = _take_attribution(entries, preamble, body)
    if preamble and entries:
        report.warning(report.body_line(preamble[0].start), "text before the first entry is ignored")
    lang = front.lang or default_lang
    papers = _papers(entries, body, lang, report)
    slug = front.slug or _slug_from_path(path)
    if not papers:
        if not entries:
            what = "empty digest file" if not text.strip() else "no entries (expected '# English Title' headings)"
            report.warning(1, f"{what}; skipped")
        return ParseResult(None, report.diagnostics)
    date = front.date or max(arxiv.month_of(p.arxiv_id) for p in papers)
    papers = tuple(_with_batch(p, slug) for p in papers)
    batch = Batch(
        slug=slug,
        source_path=path,
        date=date,
        papers=papers,
        title=front.title,
        attribution=attribution,
        summary_lang=lang,
        date_inferred=front.date is None,
    )
    return ParseResult(batch, report.diagnostics)


def _with_batch(paper: Paper, slug: str) -> Paper:
    return replace(paper, batch=slug)


def _slug_from_path(path: str) -> str:
    stem = path.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return slugify(stem) or "batch"


def _split_front_matter(lines: list[str], report: _Reporter) -> tuple[_FrontMatter, int]:
    """Reads an optional `---` … `---` block; returns it and the index of the first body line."""
    front = _FrontMatter()
    if not lines or lines[0].strip() != "---":
        return front, 0
    closing = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if closing is None:
        report.error(1, "front matter opened with '---' is never closed")
        return front, 0
    try:
        entries = load_mapping("\n".join(lines[1:closing]))
    except YamlSyntaxError as exc:
        report.error(exc.line + 1, f"front matter: {exc.message}")
        return front, closing + 1
    for entry in entries:
        _apply_front_matter_key(front, entry.key, entry.value, entry.line + 1, report)
    return front, closing + 1


def _apply_front_matter_key(front: _FrontMatter, key: str, value: object, line: int, report: _Reporter) -> None:
    if key == "title" and isinstance(value, str) and value.strip():
        front.title = {"*": value.strip()}
    elif key == "title" and isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        front.title = {str(k): v.strip() for k, v in value.items()}
    elif key == "date" and isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        front.date = value
    elif key == "slug" and isinstance(value, (str, int)) and slugify(str(value)):
        front.slug = slugify(str(value))
    elif key == "lang" and isinstance(value, str) and _LANG_CODE.fullmatch(value):
        front.lang = value
    elif key in FRONT_MATTER_KEYS:
        expected = {
            "title": "a string or a mapping of language to string",
            "date": "a date written YYYY-MM-DD",
            "slug": "a non-empty string of letters, digits or dashes",
            "lang": "a language code such as zh or en",
        }[key]
        report.error(line, f"front matter '{key}' must be {expected}, not {value!r}")
    else:
        report.error(line, f"unknown front matter key '{key}' (known: {', '.join(FRONT_MATTER_KEYS)})")


def _top_level_blocks(source: str, body: list[str]) -> list[_Block]:
    tokens: list[Token] = _BLOCKS.parse(source)
    blocks = []
    for index, token in enumerate(tokens):
        if token.level != 0 or token.nesting == -1 or token.map is None:
            continue
        start, end = token.map
        if token.type == "heading_open" and token.markup.startswith("#"):
            title = tokens[index + 1].content.strip()
            blocks.append(_Block("heading", start, end, title, level=len(token.markup)))
        elif token.type == "paragraph_open":
            blocks.append(_Block("paragraph", start, end, tokens[index + 1].content))
        else:
            blocks.append(_Block(token.type.removesuffix("_open"), start, end))
    return blocks


def _group_blocks(blocks: list[_Block]) -> tuple[list[_Entry], list[_Block]]:
    entries: list[_Entry] = []
    preamble: list[_Block] = []
    for block in blocks:
        if block.kind == "heading":
            entries.append(_Entry(block))
        elif entries:
            entries[-1].blocks.append(block)
        else:
            preamble.append(block)
    return entries, preamble


def _take_attribution(entries: list[_Entry], preamble: list[_Block], body: list[str]) -> str:
    """The closing source line (`数据来源：…`) belongs to the batch, not to the last summary."""
    owner = entries[-1].blocks if entries else preamble
    if not owner:
        return ""
    last = owner[-1]
    line = body[last.start].strip()
    is_attribution = last.kind == "paragraph" and last.end - last.start == 1 and _ATTRIBUTION.fullmatch(line)
    # The first block after a heading is the link line, never an attribution.
    if not is_attribution or (entries and len(owner) == 1):
        return ""
    owner.pop()
    return line


def _papers(entries: list[_Entry], body: list[str], lang: str, report: _Reporter) -> list[Paper]:
    papers: list[Paper] = []
    first_seen: dict[str, int] = {}
    for entry in entries:
        paper = _paper(entry, body, lang, report)
        if paper is None:
            continue
        if paper.arxiv_id in first_seen:
            report.error(
                paper.source.line,
                f"arXiv {paper.arxiv_id} appears twice in this file (first at line {first_seen[paper.arxiv_id]})",
            )
            continue
        first_seen[paper.arxiv_id] = paper.source.line
        papers.append(paper)
    return papers


def _paper(entry: _Entry, body: list[str], lang: str, report: _Reporter) -> Paper | None:
    heading = entry.heading
    heading_line = report.body_line(heading.start)
    if not heading.text:
        report.error(heading_line, "empty heading; an entry starts with '# English Title'")
        return None
    if heading.level > 2:
        report.warning(heading_line, f"heading level {heading.level} ('{'#' * heading.level}'); entries use # or ##")
    first = entry.blocks[0] if entry.blocks else None
    if first is None or first.kind != "paragraph":
        report.error(heading_line, _NO_LINK.format(title=heading.text))
        return None
    link = _link_line(body[first.start].strip(), report.body_line(first.start), heading_line, heading.text, report)
    if link is None:
        return None
    title_zh, arxiv_id = link
    summary_start = first.start + 1 if first.end - first.start > 1 else None
    rest = entry.blocks[1:]
    if summary_start is None and rest:
        summary_start = rest[0].start
    summary_end = max([first.end, *(b.end for b in rest)])
    summary = "\n".join(body[summary_start:summary_end]).strip() if summary_start is not None else ""
    if not summary:
        report.error(heading_line, f"entry '{heading.text}' has no summary")
        return None
    if not title_zh:
        report.warning(report.body_line(first.start), f"'{heading.text}' has no Chinese title (bare URL link line)")
    truncated = summary.endswith(_TRUNCATION_MARKS)
    if truncated:
        report.warning(report.body_line(summary_end - 1), f"summary of '{heading.text}' is cut short with '...'")
    return Paper(
        arxiv_id=arxiv_id,
        title=heading.text,
        title_zh=title_zh,
        summary=summary,
        summary_lang=lang,
        abs_url=arxiv.abs_url(arxiv_id),
        pdf_url=arxiv.pdf_url(arxiv_id),
        truncated=truncated,
        source=SourceRef(report.path, heading_line),
        batch="",
    )


def _link_line(line: str, line_number: int, heading_line: int, title: str, report: _Reporter) -> tuple[str, str] | None:
    """(Chinese title, arXiv ID) of a link line, or None after reporting why it is not one."""
    text, url = _link_parts(line)
    if url is None:
        report.error(heading_line, _NO_LINK.format(title=title))
        return None
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme not in ("http", "https"):
        report.error(line_number, f"link '{_shorten(url)}' must be an http(s) arXiv URL")
        return None
    arxiv_id = arxiv.parse_arxiv_url(url)
    if arxiv_id is None:
        report.error(line_number, f"link '{_shorten(url)}' is not an arXiv abstract or PDF URL")
        return None
    return text, arxiv_id


def _link_parts(line: str) -> tuple[str, str | None]:
    """Splits a link line into its text and URL; a bare URL has empty text. No URL: (.., None)."""
    children = _INLINE.parseInline(line)[0].children or []
    if children and children[0].type == "link_open" and children[-1].type == "link_close":
        inner = children[1:-1]
        if not any(c.type == "link_open" for c in inner):
            text = "".join(c.content if c.type != "softbreak" else " " for c in inner).strip()
            return text, str(children[0].attrs.get("href", ""))
    # markdown-it drops links with unsafe schemes; match them by shape to report them.
    shaped = _LINK_LINE.fullmatch(line)
    if shaped:
        return shaped.group("text").strip(), shaped.group("url").removeprefix("<").removesuffix(">")
    bare = _BARE_URL.fullmatch(line)
    if bare:
        return "", bare.group("url")
    return "", None


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"

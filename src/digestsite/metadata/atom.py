"""The arXiv API's answer, an Atom feed (arXiv API user manual, "Details of Atom Results Returned"), as records."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from digestsite.content.arxiv import normalise_id
from digestsite.metadata.record import ArxivRecord

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
_ABS_ID = re.compile(r"/abs/(?P<id>.+?)/?$")
# arXiv indents the first line of each paragraph of an abstract and wraps the rest at about 80 columns.
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]+")


class FeedError(ValueError):
    """The answer is not an Atom feed of the arXiv API's form."""


@dataclass
class Feed:
    """One page of results: the entries as records, the paging numbers, and any error entries' messages."""

    total: int
    start: int
    records: list[ArxivRecord] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def parse_feed(data: bytes) -> Feed:
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise FeedError(f"the answer is not XML ({exc})") from None
    if root.tag != f"{ATOM}feed":
        raise FeedError(f"the answer is not an Atom feed (its root is <{root.tag}>)")
    feed = Feed(total=_number(root, f"{OPENSEARCH}totalResults"), start=_number(root, f"{OPENSEARCH}startIndex"))
    for entry in root.iter(f"{ATOM}entry"):
        entry_id = _text(entry, f"{ATOM}id")
        if "/api/errors" in entry_id:  # the manual's error form: one entry whose summary says what is wrong
            feed.errors.append(_text(entry, f"{ATOM}summary") or entry_id)
            continue
        record = _record(entry, entry_id)
        if record is not None:
            feed.records.append(record)
    return feed


def _record(entry: ET.Element, entry_id: str) -> ArxivRecord | None:
    match = _ABS_ID.search(entry_id)
    arxiv_id = normalise_id(match.group("id")) if match else None
    if arxiv_id is None:
        return None
    primary = entry.find(f"{ARXIV}primary_category")
    categories = [c.get("term", "").strip() for c in entry.iter(f"{ATOM}category")]
    return ArxivRecord(
        arxiv_id=arxiv_id,
        title=_text(entry, f"{ATOM}title"),
        authors=tuple(name for a in entry.iter(f"{ATOM}author") if (name := _text(a, f"{ATOM}name"))),
        published=_text(entry, f"{ATOM}published"),
        updated=_text(entry, f"{ATOM}updated"),
        primary_category=(primary.get("term", "") if primary is not None else "").strip(),
        categories=tuple(dict.fromkeys(c for c in categories if c)),
        abstract=abstract_text(entry.findtext(f"{ATOM}summary") or ""),
        comment=_text(entry, f"{ARXIV}comment"),
        journal_ref=_text(entry, f"{ARXIV}journal_ref"),
        doi=_text(entry, f"{ARXIV}doi"),
    )


def abstract_text(raw: str) -> str:
    """An abstract with its hard wraps undone: paragraphs separated by one blank line."""
    paragraphs = (" ".join(part.split()) for part in _PARAGRAPH_BREAK.split(raw.strip()))
    return "\n\n".join(p for p in paragraphs if p)


def _text(element: ET.Element, tag: str) -> str:
    """An element's text with runs of whitespace (arXiv wraps long titles) made one space."""
    return " ".join((element.findtext(tag) or "").split())


def _number(root: ET.Element, tag: str) -> int:
    try:
        return int(_text(root, tag) or 0)
    except ValueError:
        raise FeedError(f"<{tag.split('}')[-1]}> is not a number") from None

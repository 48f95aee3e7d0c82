"""One paper's arXiv metadata, and its line in `metadata/arxiv.jsonl`.

A line holds what the arXiv API said, unchanged but for whitespace: the site decides what to show. Keys
are written in one fixed order, so a refetch that learns nothing new rewrites the file byte for byte.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from digestsite.content.arxiv import is_valid_id

_WITHDRAWN = re.compile(r"\bwithdrawn\b", re.IGNORECASE)
# How a withdrawn version's abstract starts: "This paper has been withdrawn by the author ...".
_WITHDRAWN_ABSTRACT = re.compile(r"(?:this (?:paper|submission|article|manuscript) (?:has been|is) )?withdrawn\b", re.I)


@dataclass(frozen=True)
class ArxivRecord:
    """What arXiv knows of one paper; `found` False records that arXiv did not know the ID when asked."""

    arxiv_id: str
    found: bool = True
    title: str = ""
    authors: tuple[str, ...] = ()
    published: str = ""  # first version, as arXiv gives it: 2024-01-02T18:59:59Z
    updated: str = ""  # latest version
    primary_category: str = ""
    categories: tuple[str, ...] = ()
    abstract: str = ""  # paragraphs separated by a blank line
    comment: str = ""
    journal_ref: str = ""
    doi: str = ""

    @property
    def withdrawn(self) -> bool:
        """arXiv keeps a withdrawn paper's entry; its latest version says so in the comment or abstract."""
        return bool(_WITHDRAWN.search(self.comment) or _WITHDRAWN_ABSTRACT.match(self.abstract))


# Line keys in the order they are written; `id` first so a sorted file reads as a list of papers.
TEXT_KEYS = ("title", "published", "updated", "primary_category", "abstract", "comment", "journal_ref", "doi")
LIST_KEYS = ("authors", "categories")
KEYS = ("id", "title", "authors", "published", "updated", "primary_category", "categories", "abstract", "comment",
        "journal_ref", "doi")  # fmt: skip


def to_line(record: ArxivRecord) -> str:
    """The record as one JSON line (UTF-8 text, not escaped, so names read as written)."""
    if not record.found:
        data: dict[str, object] = {"id": record.arxiv_id, "found": False}
    else:
        data = {"id": record.arxiv_id}
        for key in KEYS[1:]:
            value = getattr(record, key)
            data[key] = list(value) if isinstance(value, tuple) else value
    return json.dumps(data, ensure_ascii=False, separators=(", ", ": ")) + "\n"


class BadLine(ValueError):
    """A line that is JSON but not a record; the message says what is wrong."""


def from_data(data: object) -> tuple[ArxivRecord, list[str]]:
    """A record from a parsed line, and the keys it has that no record has (ignored, with a warning)."""
    if not isinstance(data, dict):
        raise BadLine('a line must be a JSON object such as {"id": "2403.19887", ...}')
    arxiv_id = data.get("id")
    if not isinstance(arxiv_id, str) or not arxiv_id:
        raise BadLine('the line has no "id" (the arXiv ID as a string)')
    if not is_valid_id(arxiv_id):
        raise BadLine(f'"id" {arxiv_id!r} is not an arXiv ID without version, such as 2403.19887')
    found = data.get("found", True)
    if not isinstance(found, bool):
        raise BadLine('"found" must be true or false')
    values: dict[str, object] = {}
    for key in TEXT_KEYS:
        value = data.get(key, "")
        if not isinstance(value, str):
            raise BadLine(f'"{key}" must be a string')
        values[key] = value
    for key in LIST_KEYS:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise BadLine(f'"{key}" must be a list of strings')
        values[key] = tuple(value)
    unknown = sorted(set(data) - set(KEYS) - {"found"})
    return ArxivRecord(arxiv_id, found, **values), unknown  # type: ignore[arg-type]

"""A paper with its arXiv metadata: the stored values fill what the digest left empty; the digest wins."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from digestsite.content.model import Paper
from digestsite.content.references import code_url_in
from digestsite.metadata.record import ArxivRecord

Fill = Callable[[Paper, ArxivRecord | None], Paper]  # a paper and its record (if any) → the paper to show


def with_metadata(paper: Paper, record: ArxivRecord | None) -> Paper:
    """`paper` with every field the digest left empty filled from `record` (the same object when there is
    nothing to fill, so its cache key stays known)."""
    if record is None or not record.found:
        return paper
    filled = {name: value for name, get in _FROM_RECORD.items() if not getattr(paper, name) and (value := get(record))}
    return replace(paper, **filled) if filled else paper  # type: ignore[arg-type]


def _categories(record: ArxivRecord) -> tuple[str, ...]:
    """The primary subject class first, then the others in arXiv's order."""
    others = [c for c in record.categories if c != record.primary_category]
    return tuple(c for c in (record.primary_category, *others) if c)


def _updated(record: ArxivRecord) -> str:
    """The latest version's date, or nothing when there is one version (arXiv then repeats the first)."""
    updated = record.updated[:10]
    return updated if updated != record.published[:10] else ""


# Each Paper field a record can fill, and how; computed only for the fields a digest left empty.
_FROM_RECORD: dict[str, Callable[[ArxivRecord], object]] = {
    "authors": lambda r: r.authors,
    "published": lambda r: r.published[:10],
    "updated": _updated,
    "categories": _categories,
    "primary_category": lambda r: r.primary_category,
    "abstract_en": lambda r: r.abstract,
    "comment": lambda r: r.comment,
    "journal_ref": lambda r: r.journal_ref,
    "doi": lambda r: r.doi,
    "code_url": lambda r: code_url_in(r.comment) or code_url_in(r.abstract),
}

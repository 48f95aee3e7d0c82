"""A paper with its arXiv metadata: the stored values fill what the digest left empty; the digest wins."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from digestsite.content.model import Paper
from digestsite.content.references import code_url_in
from digestsite.metadata.record import ArxivRecord


def with_metadata(paper: Paper, record: ArxivRecord | None) -> Paper:
    """`paper` with every field the digest left empty filled from `record` (the same object when there is
    nothing to fill, so its cache key stays known)."""
    if record is None or not record.found:
        return paper
    published, updated = record.published[:10], record.updated[:10]
    categories = (record.primary_category, *[c for c in record.categories if c != record.primary_category])
    known: dict[str, object] = {
        "authors": record.authors,
        "published": published,
        "updated": updated if updated != published else "",
        "categories": tuple(c for c in categories if c),
        "primary_category": record.primary_category,
        "abstract_en": record.abstract,
        "comment": record.comment,
        "journal_ref": record.journal_ref,
        "doi": record.doi,
        "code_url": code_url_in(record.comment) or code_url_in(record.abstract),
    }
    filled = {name: value for name, value in known.items() if value and not getattr(paper, name)}
    return replace(paper, **filled) if filled else paper  # type: ignore[arg-type]


def fill_papers(papers: tuple[Paper, ...], records: Mapping[str, ArxivRecord]) -> tuple[Paper, ...]:
    return tuple(with_metadata(paper, records.get(paper.arxiv_id)) for paper in papers)

"""`papers.json`: the whole archive as data, for scripts and other tools."""

from __future__ import annotations

import json
from collections.abc import Callable

from digestsite.content.model import Batch, Paper
from digestsite.render.json_text import without_markup
from digestsite.site.assemble import Site
from digestsite.site.pages import owned_papers
from digestsite.site.routes import Routes, absolute_url

BatchPart = Callable[[Batch, str, Routes], tuple[str, str]]


def papers_json(site: Site, batch_part: BatchPart | None = None) -> str:
    """Batches newest first and every paper once; URLs are relative to the site root.

    The text is joined from one part per batch, made by `batch_part`: a build cache may pass a memoized
    one, so that after a one-digest edit only that batch's part is encoded again (at 10,000 papers this
    file is 16 MB).
    """
    make = batch_part or batch_json
    lang = site.config.default_language
    parts = [make(batch, lang, site.routes) for batch in site.batches]
    batches = ",".join(part[0] for part in parts)
    papers = ",".join(part[1] for part in parts if part[1])
    return f'{{"batches":[{batches}],"papers":[{papers}]}}\n'


def batch_json(batch: Batch, lang: str, routes: Routes) -> tuple[str, str]:
    """The batch's entry and its own papers' entries, as JSON without the enclosing brackets."""
    entry = {
        "slug": batch.slug,
        "title": batch.title[lang],
        "date": batch.date.isoformat(),
        "papers": [p.arxiv_id for p in batch.papers],
    }
    papers = [
        {
            "arxiv_id": p.arxiv_id,
            "title": p.title,
            "title_zh": p.title_zh,
            "summary": p.summary,
            "summary_lang": p.summary_lang,
            "batch": p.batch,
            "abs_url": p.abs_url,
            "pdf_url": p.pdf_url,
            "truncated": p.truncated,
            "url": absolute_url("", routes.path("paper", lang, p.slug)),
            **_metadata(p),
        }
        for p in owned_papers(batch)
    ]
    return json_data(entry), json_data(papers)[1:-1]


# Fields a paper has only when its digest or arXiv gives them; a paper without them has no such keys.
_OPTIONAL = ("authors", "published", "updated", "categories", "primary_category", "comment", "journal_ref", "doi",
             "abstract_en", "code_url")  # fmt: skip


def _metadata(paper: Paper) -> dict[str, object]:
    return {name: value for name in _OPTIONAL if (value := getattr(paper, name))}


def json_data(value: object) -> str:
    """Compact JSON in which a browser sniffing the file finds no tag."""
    # No indent: the C encoder is many times faster, and this file is for programs to read.
    return without_markup(json.dumps(value, ensure_ascii=False, separators=(",", ":")))

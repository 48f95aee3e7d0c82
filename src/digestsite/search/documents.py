"""Search documents: what a result shows, and the text a paper is found by."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from markupsafe import escape

from digestsite.content.markdown import plain_text
from digestsite.content.model import Paper
from digestsite.site.assemble import Site


def content_language(site: Site) -> str:
    """The language Pagefind indexes every document as: the summaries' most common one.

    Indexing as the summaries' language is what lets Pagefind segment Chinese words behind the
    English interface too.
    """
    summary_langs = Counter(p.summary_lang for p in site.papers)
    return summary_langs.most_common(1)[0][0].split("-")[0] if summary_langs else "zh"


def shard_documents(site: Site, papers: Sequence[Paper]) -> dict[str, str]:
    """Output path (the first language's paper page) → search document, for each of `papers`."""
    first = site.config.languages[0]
    return {site.routes.path("paper", first, paper.slug): search_document(site, paper) for paper in papers}


def search_document(site: Site, paper: Paper) -> str:
    """Both titles, the authors, the summary as text and the batch's title in each language."""
    batch = site.batch(paper.batch)
    title = escape(paper.title)
    authors = f"<p>{escape(', '.join(paper.authors))}</p>" if paper.authors else ""  # found by name
    batch_titles = "".join(
        f'<p data-pagefind-meta="batch_{lang}">{escape(batch.title[lang])}</p>' for lang in site.config.languages
    )
    return (
        f'<!doctype html><html lang="{escape(paper.summary_lang)}"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head><body data-pagefind-body><h1>{title}</h1>"
        f'<p data-pagefind-meta="title_zh">{escape(paper.title_zh)}</p>{authors}'
        f"<p>{escape(plain_text(paper.summary))}</p>{batch_titles}</body></html>"
    )

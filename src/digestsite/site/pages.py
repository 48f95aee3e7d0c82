"""Plan every page of every language. A page holds only its inputs; text derived from them (descriptions,
BibTeX) is made when the page is rendered, so an unchanged page costs almost nothing to plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from digestsite.content.markdown import plain_text
from digestsite.content.model import Batch, Paper
from digestsite.site.assemble import Site
from digestsite.site.i18n import Locale

HOME_BATCHES = 10  # the home page previews this many batches; the archive lists them all
METADATA_CSS = "metadata.css"  # the theme's styles for arXiv metadata, written only for a site that shows some
DESCRIPTION_LENGTH = 160


@dataclass(frozen=True)
class Page:
    """One output page: what it is (kind, key), in which language, where it goes, and its data."""

    kind: str
    lang: str
    key: str
    path: str
    template: str
    title: str
    lastmod: dt.date | None = None
    data: Mapping[str, object] = field(default_factory=dict)


def plain_excerpt(markdown: str, limit: int = DESCRIPTION_LENGTH) -> str:
    """A one-line plain-text excerpt of markdown, for meta descriptions."""
    text = plain_text(markdown[: limit * 4])
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def page_description(page: Page, locale: Locale, site_description: str) -> str:
    """The meta description: a paper's summary, a batch's titles, else the site's description."""
    paper, batch = page.data.get("paper"), page.data.get("batch")
    if isinstance(paper, Paper):
        return plain_excerpt(paper.summary)
    if isinstance(batch, Batch):
        titles = ", ".join(p.title for p in batch.papers)
        return plain_excerpt(f"{locale.t('batch.papers', count=len(batch.papers))}: {titles}")
    return site_description


def shows_metadata(paper: Paper) -> bool:
    """Whether a paper's page shows more than a digest's titles, links and summary: authors, dates, venue,
    subject classes, an English abstract (from the digest or from arXiv)."""
    return bool(
        paper.authors or paper.published or paper.updated or paper.categories or paper.comment
        or paper.journal_ref or paper.doi or paper.abstract_en
    )  # fmt: skip


def page_shows_metadata(page: Page) -> bool:
    """A paper page with metadata, or a batch page that lists authors."""
    if page.kind == "paper":
        paper = page.data["paper"]
        return isinstance(paper, Paper) and shows_metadata(paper)
    batch = page.data.get("batch")
    return page.kind == "batch" and isinstance(batch, Batch) and any(p.authors for p in batch.papers)


def plan_pages(site: Site, search_index: str) -> Iterator[Page]:
    """Every HTML page, language by language, in a fixed order."""
    for lang in site.config.languages:
        yield from site_pages(site, lang, search_index)
        for batch in site.batches:
            yield batch_page(site, batch, lang)
        for paper in site.papers:
            yield paper_page(site, paper, lang)


def site_pages(site: Site, lang: str, search_index: str) -> Iterator[Page]:
    """The pages of one language that are not about one batch or paper: home, archive, search, 404.

    `search_index` is the search index's entry file, which the search page loads ("" when there is none).
    """
    locale = site.locales[lang]
    path = site.routes.path
    newest = site.batches[0].date if site.batches else None
    yield Page("home", lang, "", path("home", lang), "home.html", site.config.title[lang], newest,
               {"batches": site.batches[:HOME_BATCHES]})  # fmt: skip
    archive = {"batches": site.batches, "paper_count": len(site.papers)}
    yield Page("archive", lang, "", path("archive", lang), "archive.html", locale.t("archive.heading"), newest, archive)
    search = {"search_index": search_index}
    yield Page("search", lang, "", path("search", lang), "search.html", locale.t("search.heading"), None, search)
    yield Page("404", lang, "", path("404", lang), "404.html", locale.t("not_found.heading"))


def owned_papers(batch: Batch) -> list[Paper]:
    """The papers whose pages belong to this batch: a paper listed by several batches has one page."""
    return [paper for paper in batch.papers if paper.batch == batch.slug]


def batch_group_inputs(site: Site, batch: Batch) -> tuple[object, ...]:
    """Everything the pages of `batch_group` read besides site-wide settings: the batch (its papers
    included) and the papers just outside it, which the first and last paper pages link to."""
    owned = owned_papers(batch)
    if not owned:
        return (batch,)
    return batch, site.neighbours(owned[0])[0], site.neighbours(owned[-1])[1]


def batch_group(site: Site, batch: Batch) -> list[Page]:
    """A batch's page and its papers' pages, in every language."""
    languages = site.config.languages
    pages = [batch_page(site, batch, lang) for lang in languages]
    pages += [paper_page(site, paper, lang) for paper in owned_papers(batch) for lang in languages]
    return pages


def batch_page(site: Site, batch: Batch, lang: str) -> Page:
    path = site.routes.path("batch", lang, batch.slug)
    return Page("batch", lang, batch.slug, path, "batch.html", batch.title[lang], batch.date, {"batch": batch})


def paper_page(site: Site, paper: Paper, lang: str) -> Page:
    before, after = site.neighbours(paper)
    batch = site.batch(paper.batch)
    data = {"paper": paper, "batch": batch, "previous": before, "next": after}
    path = site.routes.path("paper", lang, paper.slug)
    return Page("paper", lang, paper.slug, path, "paper.html", paper.title, batch.date, data)

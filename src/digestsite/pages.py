"""Plan every page of every language. A page holds only its inputs; text derived from them (descriptions,
BibTeX) is made when the page is rendered, so an unchanged page costs almost nothing to plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from digestsite.i18n import Locale
from digestsite.markdown import plain_text
from digestsite.model import Batch, Paper
from digestsite.search import shard_bundles
from digestsite.site import Site

HOME_BATCHES = 10  # the home page previews this many batches; the archive lists them all
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


def plan_pages(site: Site) -> Iterator[Page]:
    """Every HTML page, language by language, in a fixed order."""
    bundles = shard_bundles(site)
    for lang in site.config.languages:
        yield from _pages_in(site, lang, bundles)


def _pages_in(site: Site, lang: str, bundles: list[str]) -> Iterator[Page]:
    locale = site.locales[lang]
    path = site.routes.path
    newest = site.batches[0].date if site.batches else None
    yield Page("home", lang, "", path("home", lang), "home.html", site.config.title[lang], newest,
               {"batches": site.batches[:HOME_BATCHES]})  # fmt: skip
    archive = {"batches": site.batches, "paper_count": len(site.papers)}
    yield Page("archive", lang, "", path("archive", lang), "archive.html", locale.t("archive.heading"), newest, archive)
    search = {"search_bundle": bundles[0], "search_shards": bundles[1:], "search_root": path("home", lang)}
    yield Page("search", lang, "", path("search", lang), "search.html", locale.t("search.heading"), None, search)
    yield Page("404", lang, "", path("404", lang), "404.html", locale.t("not_found.heading"))
    for batch in site.batches:
        yield Page("batch", lang, batch.slug, path("batch", lang, batch.slug), "batch.html", batch.title[lang],
                   batch.date, {"batch": batch})  # fmt: skip
    for paper in site.papers:
        before, after = site.neighbours(paper)
        batch = site.batch(paper.batch)
        data = {"paper": paper, "batch": batch, "previous": before, "next": after}
        yield Page(
            "paper", lang, paper.slug, path("paper", lang, paper.slug), "paper.html", paper.title, batch.date, data
        )

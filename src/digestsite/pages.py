"""Plan every page of every language, each with the ready data its template needs."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from digestsite.bibtex import bibtex_entry
from digestsite.site import Site

HOME_BATCHES = 10  # the home page previews this many batches; the archive lists them all
DESCRIPTION_LENGTH = 160
_MARKUP = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|[*_`#>]+|\s+")


@dataclass(frozen=True)
class Page:
    """One output page: what it is (kind, key), in which language, where it goes, and its data."""

    kind: str
    lang: str
    key: str
    path: str
    template: str
    title: str
    description: str = ""
    lastmod: dt.date | None = None
    data: Mapping[str, object] = field(default_factory=dict)


def plain_excerpt(markdown: str, limit: int = DESCRIPTION_LENGTH) -> str:
    """A one-line plain-text excerpt of markdown, for meta descriptions."""
    text = _MARKUP.sub(lambda m: m.group(1) if m.group(1) is not None else " ", markdown).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def plan_pages(site: Site) -> Iterator[Page]:
    """Every HTML page, language by language, in a fixed order."""
    for lang in site.config.languages:
        yield from _pages_in(site, lang)


def _pages_in(site: Site, lang: str) -> Iterator[Page]:
    locale = site.locales[lang]
    routes = site.routes
    site_description = site.config.description[lang]
    newest = site.batches[0].date if site.batches else None

    def page(kind: str, template: str, title: str, key: str = "", **extra: object) -> Page:
        description = str(extra.pop("description", site_description))
        lastmod = extra.pop("lastmod", newest)
        path = routes.path(kind, lang, key)
        return Page(kind, lang, key, path, template, title, description, lastmod, extra)  # type: ignore[arg-type]

    yield page("home", "home.html", site.config.title[lang], batches=site.batches[:HOME_BATCHES])
    yield page(
        "archive", "archive.html", locale.t("archive.heading"), batches=site.batches, paper_count=len(site.papers)
    )
    yield page("404", "404.html", locale.t("not_found.heading"), lastmod=None)
    for batch in site.batches:
        titles = ", ".join(p.title for p in batch.papers)
        description = plain_excerpt(f"{locale.t('batch.papers', count=len(batch.papers))}: {titles}")
        title = batch.title[lang]
        yield page(
            "batch", "batch.html", title, key=batch.slug, batch=batch, description=description, lastmod=batch.date
        )
    for paper in site.papers:
        before, after = site.neighbours(paper)
        batch = site.batch(paper.batch)
        yield page(
            "paper",
            "paper.html",
            paper.title,
            key=paper.slug,
            description=plain_excerpt(paper.summary),
            lastmod=batch.date,
            paper=paper,
            batch=batch,
            previous=before,
            next=after,
            bibtex=bibtex_entry(paper),
        )

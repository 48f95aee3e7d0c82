"""Plan every page of every language, each with the ready data its template needs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from digestsite.bibtex import bibtex_entry
from digestsite.site import Site

HOME_BATCHES = 10  # the home page previews this many batches; the archive lists them all


@dataclass(frozen=True)
class Page:
    """One output page: what it is (kind, key), in which language, where it goes, and its data."""

    kind: str
    lang: str
    key: str
    path: str
    template: str
    title: str
    data: Mapping[str, object] = field(default_factory=dict)


def plan_pages(site: Site) -> Iterator[Page]:
    """Every HTML page, language by language, in a fixed order."""
    for lang in site.config.languages:
        yield from _pages_in(site, lang)


def _pages_in(site: Site, lang: str) -> Iterator[Page]:
    locale = site.locales[lang]
    routes = site.routes

    def page(kind: str, template: str, title: str, key: str = "", **data: object) -> Page:
        return Page(kind, lang, key, routes.path(kind, lang, key), template, title, data)

    yield page("home", "home.html", site.config.title[lang], batches=site.batches[:HOME_BATCHES])
    yield page(
        "archive", "archive.html", locale.t("archive.heading"), batches=site.batches, paper_count=len(site.papers)
    )
    yield page("404", "404.html", locale.t("not_found.heading"))
    for batch in site.batches:
        yield page("batch", "batch.html", batch.title[lang], key=batch.slug, batch=batch)
    for paper in site.papers:
        before, after = site.neighbours(paper)
        yield page(
            "paper",
            "paper.html",
            paper.title,
            key=paper.slug,
            paper=paper,
            batch=site.batch(paper.batch),
            previous=before,
            next=after,
            bibtex=bibtex_entry(paper),
        )

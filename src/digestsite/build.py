"""Plan every output file, render it, write it into a staging folder and swap that in atomically."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment

from digestsite.assets import collect_assets
from digestsite.config import Config
from digestsite.data import papers_json
from digestsite.errors import ContentError
from digestsite.feeds import atom_feed
from digestsite.fingerprint import Fingerprinter, files_digest
from digestsite.model import Diagnostic, Severity
from digestsite.output import OutputWriter
from digestsite.pages import plan_pages
from digestsite.render import Renderer
from digestsite.search import SearchTarget, build_search_index, search_targets
from digestsite.site import Site, load_site
from digestsite.sitemap import robots_txt, sitemap_xml
from digestsite.theme import theme_dir


@dataclass(frozen=True)
class BuildResult:
    output_dir: Path
    pages: int
    files: int
    papers: int
    batches: int
    seconds: float
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True)
class Output:
    """One file of the built site, produced on demand or copied from `source`.

    Equal fingerprints mean equal bytes, so a rebuild may skip an output whose fingerprint it has seen.
    """

    path: str
    fingerprint: str
    produce: Callable[[], str | bytes] | None = None
    source: Path | None = None
    is_page: bool = False


def failing_diagnostics(diagnostics: tuple[Diagnostic, ...], strict: bool) -> list[Diagnostic]:
    """What stops a build: errors, and warnings too under --strict."""
    return [d for d in diagnostics if d.severity == Severity.ERROR or strict]


def build(config: Config, *, strict: bool = False, local: bool = False) -> BuildResult:
    """Build the whole site; on any failure the previous output stays exactly as it was."""
    started = time.perf_counter()
    site = load_site(config)
    if failing_diagnostics(site.diagnostics, strict):
        raise ContentError(site.diagnostics)
    pages, files = write_site(plan_outputs(site, local=local), config.output_dir, search_targets(site))
    return BuildResult(
        output_dir=config.output_dir,
        pages=pages,
        files=files,
        papers=len(site.papers),
        batches=len(site.batches),
        seconds=time.perf_counter() - started,
        diagnostics=site.diagnostics,
    )


def plan_outputs(site: Site, *, local: bool = False, env: Environment | None = None) -> Iterator[Output]:
    """Every file of the site, pages first; nothing is rendered until an output is produced."""
    config = site.config
    assets = collect_assets(theme_dir() / "static", config.static_dir)
    renderer = Renderer(site, assets, local=local, env=env)
    fingerprints = Fingerprinter(
        repr((config.title, config.description, config.base_url, config.languages, config.feed_size, local)),
        repr([sorted(site.locales[lang].strings.items()) for lang in config.languages]),
        files_digest([config.templates_dir, theme_dir() / "templates"]),
        repr(sorted((name, asset.path) for name, asset in assets.items())),
    )
    pages = list(plan_pages(site))
    for page in pages:
        yield Output(page.path, fingerprints.page(page), lambda page=page: renderer.render(page), is_page=True)
    for asset in assets.values():
        yield Output(asset.path, asset.path, source=asset.source)
    yield Output("papers.json", fingerprints.combine("papers.json", site.batches), lambda: papers_json(site))
    fixed = {".nojekyll": "", "robots.txt": robots_txt(site), "CNAME": config.cname + "\n" if config.cname else None}
    for path, text in fixed.items():
        if text is not None:
            yield Output(path, fingerprints.combine(path, text), lambda text=text: text)
    if config.base_url:  # feeds and sitemaps need absolute URLs
        listing = repr([(page.path, page.kind, page.key, page.lastmod) for page in pages])
        yield Output("sitemap.xml", fingerprints.combine("sitemap", listing), lambda: sitemap_xml(site, pages))
        newest = site.papers[: config.feed_size]
        feed_inputs = (newest, tuple(site.batch(p.batch) for p in newest))
        for lang in config.languages:
            feed = site.routes.path("feed", lang)
            fingerprint = fingerprints.combine(feed, feed_inputs)
            yield Output(feed, fingerprint, lambda lang=lang: atom_feed(site, lang, renderer.summary_html))


def write_site(outputs: Iterator[Output], output_dir: Path, search: Sequence[SearchTarget] = ()) -> tuple[int, int]:
    """Produce every output (and the search index) into a staging folder and swap it in.

    Returns (pages, files) written; the search index's files are not counted.
    """
    pages = 0
    with OutputWriter(output_dir) as out:
        for output in outputs:
            if output.source is not None:
                out.copy(output.path, output.source)
            elif output.produce is not None:
                out.write(output.path, output.produce())
            pages += output.is_page
        if search:
            build_search_index(out.staging, search)
        out.commit()
        return pages, out.files_written

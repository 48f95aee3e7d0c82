"""Plan every output file, render it, write it into a staging folder and swap that in atomically."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from digestsite.assets import collect_assets
from digestsite.config import Config
from digestsite.data import papers_json
from digestsite.errors import ContentError
from digestsite.feeds import atom_feed
from digestsite.model import Diagnostic, Severity
from digestsite.output import OutputWriter
from digestsite.pages import plan_pages
from digestsite.render import Renderer
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


def failing_diagnostics(diagnostics: tuple[Diagnostic, ...], strict: bool) -> list[Diagnostic]:
    """What stops a build: errors, and warnings too under --strict."""
    return [d for d in diagnostics if d.severity == Severity.ERROR or strict]


def build(config: Config, *, strict: bool = False, local: bool = False) -> BuildResult:
    """Build the whole site; on any failure the previous output stays exactly as it was."""
    started = time.perf_counter()
    site = load_site(config)
    if failing_diagnostics(site.diagnostics, strict):
        raise ContentError(site.diagnostics)
    pages = write_site(site, local=local)
    return BuildResult(
        output_dir=config.output_dir,
        pages=pages[0],
        files=pages[1],
        papers=len(site.papers),
        batches=len(site.batches),
        seconds=time.perf_counter() - started,
        diagnostics=site.diagnostics,
    )


def write_site(site: Site, *, local: bool = False) -> tuple[int, int]:
    """Render everything into the output folder; returns (HTML pages, files) written."""
    config = site.config
    assets = collect_assets(theme_dir() / "static", config.static_dir)
    renderer = Renderer(site, assets, local=local)
    pages = 0
    with OutputWriter(config.output_dir) as out:
        for page in plan_pages(site):
            out.write(page.path, renderer.render(page))
            pages += 1
        for asset in assets.values():
            out.copy(asset.path, asset.source)
        out.write("papers.json", papers_json(site))
        out.write(".nojekyll", "")
        out.write("robots.txt", robots_txt(site))
        if config.base_url:  # feeds and sitemaps need absolute URLs
            out.write("sitemap.xml", sitemap_xml(site, plan_pages(site)))
            for lang in config.languages:
                out.write(site.routes.path("feed", lang), atom_feed(site, lang, renderer.summary_html))
        if config.cname:
            out.write("CNAME", config.cname + "\n")
        out.commit()
        return pages, out.files_written

"""Plan every output file, render it, write it into a staging folder and swap that in atomically."""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment

from digestsite.assets import collect_assets
from digestsite.cache import remember, reusable_build
from digestsite.config import Config
from digestsite.data import papers_json
from digestsite.errors import ContentError
from digestsite.feeds import atom_feed
from digestsite.fingerprint import Fingerprinter, files_digest
from digestsite.lifetime import die_with_parent
from digestsite.model import Diagnostic, failing_diagnostics
from digestsite.output import OutputWriter, as_bytes
from digestsite.pages import plan_pages
from digestsite.render import Renderer
from digestsite.search import build_search_index
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
    stages: dict[str, float] = field(default_factory=dict)  # seconds per stage, for benchmarks
    up_to_date: bool = False  # nothing changed since the last build: nothing was written


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


def build(
    config: Config, *, strict: bool = False, local: bool = False, use_cache: bool = True, inputs: str = ""
) -> BuildResult:
    """Build the whole site; on any failure the previous output stays exactly as it was.

    With `use_cache`, a build whose inputs and output are unchanged since the last one returns at once.
    A caller that already found the cache stale passes its input key as `inputs`, and it is not re-read.
    """
    started = time.perf_counter()
    reused = None
    if use_cache and not inputs:
        inputs, reused = reusable_build(config, local, strict)
    if reused is not None:
        return BuildResult(config.output_dir, 0, 0, 0, 0, time.perf_counter() - started, tuple(reused), {}, True)
    site = load_site(config)
    stages = {"parse": time.perf_counter() - started}
    if failing_diagnostics(site.diagnostics, strict):
        raise ContentError(site.diagnostics)
    outputs = plan_outputs(site, local=local)
    pages, files = write_site(outputs, config.output_dir, site, workers=default_workers(), stages=stages)
    result = BuildResult(
        output_dir=config.output_dir,
        pages=pages,
        files=files,
        papers=len(site.papers),
        batches=len(site.batches),
        seconds=time.perf_counter() - started,
        diagnostics=site.diagnostics,
        stages=stages,
    )
    if use_cache:
        remember(config, inputs, site.diagnostics)
    return result


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


def write_site(
    outputs: Iterator[Output],
    output_dir: Path,
    search: Site | None = None,
    workers: int = 1,
    stages: dict[str, float] | None = None,
) -> tuple[int, int]:
    """Produce every output (and the search index) into a staging folder and swap it in.

    With `workers` > 1, pages are rendered by that many forked processes, each writing its share
    straight into the staging folder. Returns (pages, files) written, not counting the search index.
    """
    stages = stages if stages is not None else {}
    clock = time.perf_counter()
    planned = list(outputs)
    pages = [o for o in planned if o.is_page]
    stages["plan"] = time.perf_counter() - clock
    with OutputWriter(output_dir) as out:
        parallel = workers > 1 and len(pages) >= PARALLEL_MIN_PAGES and "fork" in mp.get_all_start_methods()
        for output in planned:
            if output.source is not None:
                out.copy(output.path, output.source)
            elif output.produce is not None and not (parallel and output.is_page):
                out.write(output.path, output.produce())
            elif parallel:
                out.reserve(output.path)
        if parallel:
            _render_in_workers(pages, out.staging, workers)
        stages["render+write"] = time.perf_counter() - clock - stages["plan"]
        clock = time.perf_counter()
        if search is not None:
            build_search_index(search, out.staging)
        stages["search"] = time.perf_counter() - clock
        clock = time.perf_counter()
        out.commit()
        stages["swap"] = time.perf_counter() - clock
        return len(pages), out.files_written


PARALLEL_MIN_PAGES = 400  # below this, starting processes costs more than it saves
_WORK: list[Output] = []  # the pages forked workers render; set just before forking


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def _render_in_workers(pages: list[Output], staging: Path, workers: int) -> None:
    """Fork `workers` processes that each render every n-th page into `staging` (no pickling of pages)."""
    _WORK[:] = pages
    try:
        with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork"), initializer=die_with_parent) as pool:
            jobs = [pool.submit(_render_share, str(staging), start, workers) for start in range(workers)]
            for job in jobs:
                job.result()
    finally:
        _WORK.clear()


def _render_share(staging: str, start: int, step: int) -> int:
    root = Path(staging)
    for output in _WORK[start::step]:
        assert output.produce is not None
        target = root / output.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(as_bytes(output.produce()))
    return len(_WORK[start::step])

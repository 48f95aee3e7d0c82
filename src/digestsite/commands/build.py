"""`digestsite build`: the one pipeline. `serve` and `deploy` call it too, each with its own cache.

load config → read and parse sources → assemble the site → plan outputs → render and write → index
search → swap in. Speed-ups sit behind the `cache` argument (see cache/build_cache.py); with the
default `NoCache` this is a plain build from scratch, and every cache gives the same bytes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from digestsite.cache.build_cache import NoCache
from digestsite.config import Config
from digestsite.content.model import Diagnostic, failing_diagnostics
from digestsite.errors import ContentError
from digestsite.output.lock import Busy, OutputLock, wait_quietly
from digestsite.output.parallel import default_workers
from digestsite.output.write import InPlaceUpdate, StagedWrite
from digestsite.render.outputs import plan_outputs
from digestsite.search.pagefind import SearchIndexer
from digestsite.search.shards import shard_bundles
from digestsite.site.assemble import Site, assemble_site
from digestsite.site.sources import read_sources


@dataclass(frozen=True)
class BuildOptions:
    """Options that change what is written (part of the cache's input key)."""

    local: bool = False  # links name index.html files, so the site works from disk
    search: bool = True  # index search; the dev server does it later, off the reload path


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
    in_place: bool = False  # only the changed files of the live output were rewritten
    removed: int = 0  # files of the previous output that no longer exist
    site: Site | None = None


def build(
    config: Config,
    *,
    strict: bool = False,
    options: BuildOptions = BuildOptions(),
    cache: NoCache | None = None,
    progress: Progress | None = None,
    busy: Busy | None = wait_quietly,
) -> BuildResult:
    """Build the whole site; on any failure the previous output stays exactly as it was.

    One build at a time writes an output folder: a second one calls `busy` and waits, or with `busy`
    None fails at once.
    """
    with OutputLock(config.output_dir, busy):
        return _pipeline(config, strict, options, cache or NoCache(), StageClock(progress))


def _pipeline(config: Config, strict: bool, options: BuildOptions, cache: NoCache, clock: StageClock) -> BuildResult:
    reused = cache.reusable(config, options, strict)
    if reused is not None:
        return BuildResult(config.output_dir, 0, 0, 0, 0, clock.elapsed(), tuple(reused), up_to_date=True)
    with clock("parse"):
        site = assemble_site(config, read_sources(config.seeds_dir, cache.parses(config)))
    if failing_diagnostics(site.diagnostics, strict):
        raise ContentError(site.diagnostics)
    with SearchIndexer(site, cache.shards(config), scratch=cache.scratch(config)) as indexer:
        search = indexer if options.search else None
        if search is not None:
            search.start()  # Pagefind indexes while pages are planned and rendered
        with clock("plan"):
            env, part = cache.environment(config), cache.batch_part(config)
            plan = plan_outputs(site, env, shard_bundles(site), local=options.local, batch_part=part)
            update = cache.update(config, plan)
        changes = update.changes
        writer = (
            InPlaceUpdate(config.output_dir, changes.stale, update.live_search)
            if update.in_place
            else StagedWrite(config.output_dir)
        )
        with writer:
            with clock("render+write"):
                pages_done = partial(clock.report, "render+write")
                files, outcomes = writer.write(changes.planned, cache.producer, default_workers(), search, pages_done)
            with clock("search"):
                if search is not None:
                    search.wait()  # a failed index stops the build before the live site is touched
            with clock("swap"):
                writer.commit(search)
        cache.record(update, outcomes, indexer.keys if search is not None else (), site)
    pages = changes.pages
    return BuildResult(
        config.output_dir, pages, files, len(site.papers), len(site.batches), clock.elapsed(), site.diagnostics,
        clock.stages, in_place=update.in_place, removed=len(changes.stale) if update.in_place else 0, site=site,
    )  # fmt: skip


Progress = Callable[[str, int, int], None]  # (stage, done, in all), for a progress line


class StageClock:
    """Seconds per stage of one build, for `--timings` and the benchmarks; tells `progress` of each stage."""

    def __init__(self, progress: Progress | None = None) -> None:
        self.started = time.perf_counter()
        self.stages: dict[str, float] = {}
        self.progress = progress

    def report(self, stage: str, done: int = 0, total: int = 0) -> None:
        if self.progress is not None:
            self.progress(stage, done, total)

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        self.report(stage)
        began = time.perf_counter()
        try:
            yield
        finally:
            self.stages[stage] = self.stages.get(stage, 0.0) + time.perf_counter() - began

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

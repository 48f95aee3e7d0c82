"""What a build is asked for and what it reports: options, the result, and the clock of its stages."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from digestsite.content.model import Diagnostic

if TYPE_CHECKING:
    from digestsite.site.assemble import Site


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

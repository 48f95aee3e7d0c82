"""Writing outputs: a whole site into a staging folder that is swapped in, or just the changed files of
a live site. Either way every byte is produced before the live site is touched, so a failure (a broken
template, a failed search index) leaves the previous site exactly as it was.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

from digestsite.output.journal import Journal
from digestsite.output.parallel import can_fork, run_forked
from digestsite.output.paths import checked_relative
from digestsite.output.staging import StagingFolder
from digestsite.render.outputs import Output
from digestsite.search.indexer import SearchIndexer

PARALLEL_MIN_PAGES = 400  # below this, starting processes costs more than it saves

DEAL_RUN = 64  # outputs handed to one worker at a time (see _dealt)

Planned = tuple[Output, str]  # an output and its fingerprint ("" when nothing is cached)
_Produced = tuple[Output, str, str]  # an output, its fingerprint, and the file it goes to


class Producer(AbstractContextManager["Producer"], Protocol):
    """Makes an output's bytes (rendering it, or reading a store of earlier renders); one per process.

    `outcome()` is handed back to whoever made the producer (a page store learns what was added).
    """

    def bytes_of(self, output: Output, fingerprint: str) -> bytes: ...

    def outcome(self) -> object: ...


ProducerFactory = Callable[[], Producer]
Progress = Callable[[int, int], None]  # (outputs done, outputs in all)


class StagedWrite:
    """The whole site into a staging folder beside the output; `commit` swaps it in."""

    def __init__(self, output_dir: Path) -> None:
        self.staging = StagingFolder(output_dir)

    def write(
        self,
        planned: Sequence[Planned],
        producer: ProducerFactory,
        workers: int,
        progress: Progress | None = None,
    ) -> tuple[int, list[object]]:
        """Produce every output; copies of static files here, the rest by `workers` forked processes.
        Returns the number of files and each producer's outcome."""
        produced = []
        for output, fingerprint in planned:
            if output.source is not None:
                self.staging.copy(output.path, output.source)
            else:
                produced.append((output, fingerprint, str(self.staging.claim(output.path))))
        done = mp.get_context("fork").RawValue("l", 0) if can_fork() else None  # shared with forked workers

        def report() -> None:
            if progress is not None and done is not None:
                progress(done.value, len(produced))

        if workers > 1 and len(produced) >= PARALLEL_MIN_PAGES and can_fork():
            shares = [_WriteShare(share, producer, done) for share in _dealt(produced, workers)]
            outcomes = run_forked(shares, report)
        else:
            outcomes = [_WriteShare(produced, producer, done, report)()]
        return self.staging.files_claimed, outcomes

    def commit(self, indexer: SearchIndexer | None) -> None:
        if indexer is not None:
            indexer.finish(self.staging.path)
        self.staging.commit()

    def __enter__(self) -> StagedWrite:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if kind is not None:
            self.staging.discard()


def _dealt(outputs: list[_Produced], workers: int) -> list[list[_Produced]]:
    """Outputs dealt to workers in runs of DEAL_RUN neighbours: a paper's pages in every language and its
    batch's page are planned side by side, so they mostly land with one worker, which converts the
    paper's summary once for all of them (dealt one by one, each worker converted every summary)."""
    shares: list[list[_Produced]] = [[] for _ in range(workers)]
    for run, start in enumerate(range(0, len(outputs), DEAL_RUN)):
        shares[run % workers] += outputs[start : start + DEAL_RUN]
    return shares


class _WriteShare:
    """One process's share: produce each output and write it straight into the staging folder."""

    def __init__(
        self,
        outputs: list[_Produced],
        producer: ProducerFactory,
        done: Any = None,
        report: Callable[[], None] | None = None,
    ) -> None:
        self.outputs = outputs
        self.producer = producer
        self.done = done  # a counter shared by every worker, for progress
        self.report = report  # called now and then when the share runs in the building process itself

    def __call__(self) -> object:
        made: set[str] = set()
        with self.producer() as producer:
            for count, (output, fingerprint, target) in enumerate(self.outputs, 1):
                if self.done is not None and count % 50 == 0:
                    self.done.value += 50  # a lost update under a race costs a progress bar a few pages
                    if self.report is not None:
                        self.report()
                folder = os.path.dirname(target)
                if folder not in made:
                    os.makedirs(folder, exist_ok=True)
                    made.add(folder)
                data = producer.bytes_of(output, fingerprint)
                with open(target, "wb") as file:
                    file.write(data)
            return producer.outcome()


class InPlaceUpdate:
    """Just the changed files (and search index files) of a live site, through a journal (see journal.py):
    everything is produced first, then moved in, all or nothing."""

    def __init__(self, output_dir: Path, stale: Sequence[str], previous_search: Sequence[str]) -> None:
        self.stale = stale
        self.previous_search = previous_search
        self.journal = Journal(output_dir)
        self.written: list[str] = []

    def write(
        self,
        planned: Sequence[Planned],
        producer: ProducerFactory,
        workers: int,
        progress: Progress | None = None,
    ) -> tuple[int, list[object]]:
        with producer() as making:
            for output, fingerprint in planned:
                target = self.journal.new / checked_relative(output.path)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(making.bytes_of(output, fingerprint))
                self.written.append(output.path)
            return len(planned), [making.outcome()]

    def commit(self, indexer: SearchIndexer | None) -> None:
        replace, remove = list(self.written), list(self.stale)
        if indexer is not None:
            folders, gone = indexer.place_changes(self.journal.new, self.previous_search, self.journal.live)
            replace += folders
            remove += gone
        self.journal.apply(replace, remove)

    def __enter__(self) -> InPlaceUpdate:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if kind is not None:
            self.journal.discard()

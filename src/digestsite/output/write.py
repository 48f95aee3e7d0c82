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

from digestsite.output.files import remove_file, replace_file
from digestsite.output.parallel import can_fork, run_forked
from digestsite.output.staging import StagingFolder
from digestsite.render.outputs import Output
from digestsite.search.pagefind import SearchIndexer

PARALLEL_MIN_PAGES = 400  # below this, starting processes costs more than it saves

Planned = tuple[Output, str]  # an output and its fingerprint ("" when nothing is cached)


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
        indexer: SearchIndexer | None,
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
            if indexer is not None:
                indexer.poll()  # keep Pagefind busy with the next shards while pages render
            if progress is not None and done is not None:
                progress(done.value, len(produced))

        if workers > 1 and len(produced) >= PARALLEL_MIN_PAGES and can_fork():
            shares = [_WriteShare(produced[start::workers], producer, done) for start in range(workers)]
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


class _WriteShare:
    """One process's share: produce each output and write it straight into the staging folder."""

    def __init__(
        self,
        outputs: list[tuple[Output, str, str]],
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
    """Just the changed files of a live site, made visible all at once.

    The live tree is copied as hard links into a staging folder (no file's bytes are copied), the
    changed files replace their links there, files no longer produced are removed, and the folder is
    swapped in whole. A build killed or failing at any point leaves the live site exactly as it was.
    """

    def __init__(self, output_dir: Path, stale: Sequence[str], previous_search: Sequence[str]) -> None:
        self.output_dir = output_dir
        self.stale = stale
        self.previous_search = previous_search
        self.staging = StagingFolder(output_dir)

    def write(
        self,
        planned: Sequence[Planned],
        producer: ProducerFactory,
        workers: int,
        indexer: SearchIndexer | None,
        progress: Progress | None = None,
    ) -> tuple[int, list[object]]:
        link_tree(self.output_dir, self.staging.path)
        with producer() as making:
            for output, fingerprint in planned:
                # A new file in place of the link: the live file (the same inode) is never written.
                replace_file(self.staging.path, output.path, making.bytes_of(output, fingerprint))
            return len(planned), [making.outcome()]

    def commit(self, indexer: SearchIndexer | None) -> None:
        for path in self.stale:
            remove_file(self.staging.path, path)
        if indexer is not None:
            indexer.finish_in_place(self.staging.path, self.previous_search)
        self.staging.commit()

    def __enter__(self) -> InPlaceUpdate:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if kind is not None:
            self.staging.discard()


def link_tree(source: Path, target: Path) -> None:
    """Recreate the folders of `source` under the existing `target`, its files as hard links."""
    with os.scandir(source) as entries:
        for entry in entries:
            destination = os.path.join(target, entry.name)
            if entry.is_dir(follow_symlinks=False):
                os.mkdir(destination)
                link_tree(Path(entry.path), Path(destination))
            else:
                os.link(entry.path, destination, follow_symlinks=False)

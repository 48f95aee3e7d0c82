"""Pagefind runs: Pagefind's extended binary (from PyPI; it segments Chinese) indexes each shard.

One index serves every interface language: each search page tells Pagefind its own language's root,
so results link to that language's paper pages. Each shard is indexed in its own process, two at a
time, which keeps each process small. A `ShardStore` may keep indexed shards between builds (the
build cache does), so a shard whose documents are unchanged is copied rather than indexed again.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
from importlib.util import find_spec
from pathlib import Path
from types import TracebackType
from typing import Protocol

from digestsite.errors import DigestsiteError
from digestsite.lifetime import die_with_parent, process_alive
from digestsite.output.files import link_tree
from digestsite.search.documents import content_language, shard_documents
from digestsite.search.shards import SEARCH_DIR, Shard, plan_shards, shard_bundle
from digestsite.site.assemble import Site

# Pagefind's ready-made UIs; digestsite's search page talks to pagefind.js directly.
_UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
           "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")  # fmt: skip
_SCRIPTS = ("pagefind.js", "pagefind-worker.js")  # only the first shard's are loaded
_DOCUMENTS_PREFIX = ".search-documents-"
# Pagefind indexes about 2,000 papers a second; a run far past that has hung (seen on contended disks).
TIMEOUT_SECONDS = 120.0
TIMEOUT_PER_PAPER = 0.05


class SearchIndexError(DigestsiteError):
    """Pagefind is missing or failed; the build is refused rather than published without search."""


class ShardStore(Protocol):
    """Indexed shards kept between builds, by a key over what their documents are made of."""

    def key(self, inputs: tuple[object, ...]) -> str: ...

    def bundle(self, key: str) -> Path | None: ...

    def keep(self, key: str, fresh: Path) -> Path | None: ...

    def keep_only(self, keys: Sequence[str]) -> None: ...


class NoShardStore:
    """Every shard is indexed afresh and nothing is kept."""

    def key(self, inputs: tuple[object, ...]) -> str:
        return ""

    def bundle(self, key: str) -> Path | None:
        return None

    def keep(self, key: str, fresh: Path) -> Path | None:
        return None

    def keep_only(self, keys: Sequence[str]) -> None:
        pass


def pagefind_version() -> str:
    """The installed Pagefind's version, read from its wheel's record folder name.

    Every build asks, so it does not import `importlib.metadata` (a twentieth of a second) for it.
    """
    spec = find_spec("pagefind_bin_extended")
    if spec is None or not spec.submodule_search_locations:
        return "unknown"
    installed = Path(next(iter(spec.submodule_search_locations))).parent
    records = sorted(installed.glob("pagefind_bin_extended-*.dist-info"))
    return records[-1].name.removeprefix("pagefind_bin_extended-").removesuffix(".dist-info") if records else "unknown"


def pagefind_executable() -> Path:
    try:
        from pagefind_bin_extended import get_executable  # type: ignore[import-untyped]
    except ImportError:
        raise SearchIndexError("search needs Pagefind: pip install 'pagefind[extended]'") from None
    return Path(get_executable())


class SearchIndexer:
    """Indexes a site's shards: started early, so Pagefind runs while pages render.

    `start()` launches the first shards that need Pagefind and returns; `poll()` keeps it busy;
    `finish(into)` or `place_changes(into, previous)` runs the rest, then puts the bundles in place.
    Use as a context manager: leaving it stops Pagefind and removes the search documents.
    """

    def __init__(
        self, site: Site, store: ShardStore | None = None, *, scratch: Path, workers: int = 2, background: bool = False
    ) -> None:
        self.site = site
        self.store: ShardStore = store or NoShardStore()
        self.shards = plan_shards(site)
        self.workers = max(1, workers)
        self.background = background
        self._language = content_language(site)
        salt = (pagefind_version(), self._language, site.config.languages)
        # A shard's bundle follows from its papers, their batches' titles, the languages and Pagefind itself.
        self.keys = [self.store.key((*salt, shard.papers, shard.batch_titles)) for shard in self.shards]
        # Pagefind numbers pages in the order the file system lists them: the documents go beside the
        # cache (or in the site folder), never beside the output, so a site indexes to the same bytes
        # whatever its output folder.
        self._scratch = scratch
        self._work: Path | None = None  # made when Pagefind first runs
        self._fresh: dict[int, Path] = {}  # indexed bundles the store did not keep
        self._pending = [s for s, key in zip(self.shards, self.keys, strict=True) if self.store.bundle(key) is None]
        self._running: list[tuple[Shard, Path, subprocess.Popen[str], float]] = []  # … and its deadline
        self._started = False

    def __enter__(self) -> SearchIndexer:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        for _, _, process, _ in self._running:
            _kill_group(process)
        self._running.clear()
        if self._work is not None:
            shutil.rmtree(self._work, ignore_errors=True)

    def start(self) -> None:
        """Launch Pagefind on the first shards that need it; calling it again does nothing more."""
        if not self._started:
            self._started = True
            self._launch()

    def poll(self) -> None:
        """Collect the Pagefind runs that have ended and start the next shards; never blocks."""
        while any(process.poll() is not None for _, _, process, _ in self._running):
            done = next(i for i, (_, _, process, _) in enumerate(self._running) if process.returncode is not None)
            self._wait_one(done)
            self._launch()
        now = time.monotonic()
        for shard, _, process, deadline in self._running:
            if now > deadline:
                self._time_out(shard, process)

    def wait(self) -> None:
        """Let Pagefind index every shard that needs it; nothing is placed yet."""
        self.start()
        while self._running:
            self._wait_one()
            self._launch()

    def finish(self, into: Path) -> None:
        """Wait, then put every shard in place under `into`, which holds no index yet."""
        self.wait()
        for shard in self.shards:  # the first shard first: the others go inside its folder
            self._place(shard, into / shard.bundle)
        self.store.keep_only(self.keys)

    def place_changes(self, into: Path, previous: Sequence[str], live: Path) -> tuple[list[str], list[str]]:
        """Wait, then put under `into`, at the site's paths, the bundles whose keys differ from the index
        of the live site `live` (`previous`). Returns the folders that replace live ones and the live
        folders to remove."""
        self.wait()
        self.store.keep_only(self.keys)
        if not self.shards:  # no papers left: no index
            return [], [SEARCH_DIR] if previous else []
        if not previous or previous[0] != self.keys[0] or not self.keys[0]:
            # The other shards live inside the first one's folder: a new first shard means a new index,
            # in which the unchanged shards are hard links to the live ones (no bytes copied).
            for shard, key in zip(self.shards, self.keys, strict=True):
                unchanged = 0 < shard.number < len(previous) and previous[shard.number] == key and key
                if unchanged and (live / shard.bundle).is_dir():
                    link_tree(live / shard.bundle, into / shard.bundle)
                else:
                    self._place(shard, into / shard.bundle)
            return [SEARCH_DIR], []
        replaced = []
        for shard, key in zip(self.shards[1:], self.keys[1:], strict=True):
            if shard.number >= len(previous) or previous[shard.number] != key:
                self._place(shard, into / shard.bundle)
                replaced.append(shard.bundle)
        return replaced, [shard_bundle(number) for number in range(len(self.shards), len(previous))]

    def _time_out(self, shard: Shard, process: subprocess.Popen[str]) -> None:
        _kill_group(process)
        raise SearchIndexError(
            f"search indexing of {len(shard.papers)} papers did not finish in time; Pagefind was stopped"
        )

    def _place(self, shard: Shard, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        ignore = None if shard.number == 0 else shutil.ignore_patterns(*_SCRIPTS)
        fresh = self._fresh.pop(shard.number, None)
        if fresh is None:  # kept in the store: copies, not links, so the store never changes with the site
            stored = self.store.bundle(self.keys[shard.number])
            assert stored is not None
            shutil.copytree(stored, target, ignore=ignore, copy_function=shutil.copyfile)
            return
        shutil.move(fresh, target)
        if shard.number != 0:
            for name in _SCRIPTS:
                (target / name).unlink(missing_ok=True)

    def _launch(self) -> None:
        while self._pending and len(self._running) < self.workers:
            shard = self._pending.pop(0)
            self._work = self._work or _documents_folder(self._scratch)
            documents = self._work / f"documents-{shard.number}"
            for path, document in shard_documents(self.site, shard.papers).items():
                target = documents / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(document, "utf-8")
            bundle = self._work / f"bundle-{shard.number}"
            command = [str(pagefind_executable()), "--site", str(documents), "--force-language", self._language,
                       "--output-path", str(bundle), "--silent"]  # fmt: skip
            process = subprocess.Popen(
                command,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                preexec_fn=_lowest_priority if self.background else die_with_parent,
                process_group=0,  # its own group, so a hung run is killed with everything it started
            )
            deadline = time.monotonic() + TIMEOUT_SECONDS + TIMEOUT_PER_PAPER * len(shard.papers)
            self._running.append((shard, bundle, process, deadline))

    def _wait_one(self, index: int = 0) -> None:
        shard, bundle, process, deadline = self._running[index]
        try:
            out, err = process.communicate(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self._time_out(shard, process)
        self._running.pop(index)
        shutil.rmtree(bundle.parent / f"documents-{shard.number}", ignore_errors=True)
        if process.returncode != 0:
            detail = (err or out).strip().splitlines()
            raise SearchIndexError(f"search indexing failed: {detail[-1] if detail else process.returncode}")
        for name in _UNUSED:
            (bundle / name).unlink(missing_ok=True)
        _sort_entry_file(bundle / "pagefind-entry.json")
        if self.store.keep(self.keys[shard.number], bundle) is None:
            self._fresh[shard.number] = bundle


def _documents_folder(scratch: Path) -> Path:
    """A new folder for this run's search documents and bundles; those of builds that died are removed."""
    for entry in scratch.glob(f"{_DOCUMENTS_PREFIX}*"):
        pid = entry.name[len(_DOCUMENTS_PREFIX) :].split("-")[0]
        if pid.isdigit() and not process_alive(int(pid)):
            shutil.rmtree(entry, ignore_errors=True)
    scratch.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{_DOCUMENTS_PREFIX}{os.getpid()}-", dir=scratch))


def _kill_group(process: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _lowest_priority() -> None:
    die_with_parent()
    os.nice(19)


def _sort_entry_file(path: Path) -> None:
    """Pagefind lists languages in hash-map order; sorted keys keep identical builds byte-identical."""
    data = json.loads(path.read_text("utf-8"))
    path.write_text(json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")), "utf-8")

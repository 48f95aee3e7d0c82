"""`digestsite serve`: build, serve, watch, rebuild; a failed rebuild never takes the last good site down."""

from __future__ import annotations

import gc
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
import webbrowser
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import FrameType

from digestsite.cache.build_cache import ServeCache
from digestsite.commands.build import BuildOptions, BuildResult, build
from digestsite.config import display_path, load_config
from digestsite.content.model import Diagnostic, Severity
from digestsite.devserver.http import DevServer, ReloadHub
from digestsite.devserver.watcher import ChangeCollector, start_observer
from digestsite.errors import ConfigError, ContentError, DigestsiteError
from digestsite.messages import counted
from digestsite.output.lock import OutputLock
from digestsite.output.write import InPlaceUpdate
from digestsite.search.indexer import SearchIndexer
from digestsite.site.assemble import Site


def _failure_lines(exc: BaseException) -> list[str]:
    """What a failed rebuild tells the terminal and the browser overlay."""
    if isinstance(exc, ContentError):
        return [d.format() for d in exc.diagnostics if d.severity is Severity.ERROR]
    if isinstance(exc, ConfigError):
        return list(exc.messages)
    if isinstance(exc, DigestsiteError):
        return [str(exc)]
    last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f" ({Path(last[0].filename).name}:{last[0].lineno})" if last else ""
    return [f"internal error: {type(exc).__name__}: {exc}{where}"]


def _describe(changed: set[Path]) -> str:
    names = sorted(display_path(p) for p in changed)
    if not names:
        return "start"
    return names[0] if len(names) == 1 else f"{names[0]} and {len(names) - 1} more"


QUIET_BEFORE_INDEXING = 1.0  # seconds without a rebuild before the search index is refreshed


class SessionBuilder:
    """Rebuilds the served folder through the one build pipeline, with the dev server's cache.

    A failed rebuild (bad digest, broken template) writes nothing, so the folder keeps the last good site.
    """

    def __init__(self, config_file: Path, output_dir: Path, overrides: dict[str, object] | None = None) -> None:
        self.config_file = config_file
        self.output_dir = output_dir
        self.overrides = dict(overrides or {})
        self.cache = ServeCache()
        self.site: Site | None = None  # the last site built, for the search refresher

    def rebuild(self, *, search: bool = True) -> BuildResult:
        """Bring the folder up to date; with `search=False` the caller refreshes the search index later."""
        config = replace(load_config(self.config_file, self.overrides), output_dir=self.output_dir)
        result = build(config, options=BuildOptions(search=search), cache=self.cache)
        self.site = result.site
        return result

    def refresh_search(self) -> None:
        """The pipeline's last stage, run later: swap in the index files whose papers changed."""
        site = self.site
        if site is None:
            return
        cache = self.cache
        indexer = SearchIndexer(site, cache.search_store(site.config))
        indexer.wait()  # indexing happens without holding up rebuilds, which take the lock below
        with OutputLock(self.output_dir), InPlaceUpdate(self.output_dir, [], cache.live_search) as update:
            update.commit(indexer)
            cache.live_search = list(indexer.keys)


class SearchRefresher:
    """Refreshes the search index on a background thread, so a page reload never waits for it.

    Requests made while an indexing run is under way coalesce into one more run afterwards.
    """

    def __init__(self, builder: SessionBuilder, log: Callable[[str], None]) -> None:
        self.builder = builder
        self.log = log
        self._wanted = threading.Event()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def request(self) -> None:
        self._wanted.set()

    def stop(self) -> None:
        self._stopped.set()
        self._wanted.set()

    def _loop(self) -> None:
        while self._wanted.wait() and not self._stopped.is_set():
            self._wanted.clear()
            # Let a burst of saves finish first: indexing a large archive takes seconds of CPU.
            while self._wanted.wait(QUIET_BEFORE_INDEXING) and not self._stopped.is_set():
                self._wanted.clear()
            if self._stopped.is_set():
                return
            try:
                self.builder.refresh_search()
            except Exception as exc:  # keep serving; the next rebuild tries again
                self.log(f"search index not updated: {exc}")


class Preview:
    """One dev session: the rebuild loop runs on the calling thread, HTTP on a background thread."""

    def __init__(self, config_file: Path, host: str, port: int, log: Callable[[str], None]) -> None:
        self.config_file = config_file
        self.log = log
        config = load_config(config_file)  # fail early (exit 2) on a broken site.yaml
        self.scratch = Path(tempfile.mkdtemp(prefix="digestsite-serve-"))
        self.output_dir = self.scratch / "site"
        self.hub = ReloadHub()
        self._warned: set[Diagnostic] = set()
        try:
            self.server = DevServer(host, port, self.output_dir, self.hub)
        except DigestsiteError:
            shutil.rmtree(self.scratch, ignore_errors=True)
            raise
        self.builder = SessionBuilder(config_file, self.output_dir, {"base_url": self.server.url})
        self.indexer = SearchRefresher(self.builder, log)
        self.collector = ChangeCollector(config.config_file or config_file, [config.output_dir, self.scratch])
        self.watched = list(config.source_folders)

    def rebuild(self, changed: set[Path]) -> BuildResult | None:
        started = time.perf_counter()
        # The site model is large and acyclic: a cyclic collection pass over it mid-rebuild costs
        # hundreds of milliseconds at 10,000 papers and frees nothing, so it waits until the build is done.
        gc.disable()
        try:
            result = self.builder.rebuild(search=False)
        except Exception as exc:  # a dev loop must survive anything a rebuild throws
            lines = _failure_lines(exc)
            for line in lines:
                self.log(line)
            elapsed = (time.perf_counter() - started) * 1000
            self.log(f"{_describe(changed)}: rebuild failed in {elapsed:.0f} ms; still serving the last good site")
            self.hub.failed(lines)
            return None
        finally:
            gc.enable()
        self.hub.succeeded()
        for warning in self._new_warnings(result.diagnostics):
            self.log(warning.format())
        if not result.in_place or result.pages or result.removed:
            self.indexer.request()
        if not result.in_place:
            gc.collect()
            gc.freeze()  # what survives a full build lives as long as the session: stop rescanning it
        kind = "rebuilt" if result.in_place else "full build"
        self.log(
            f"{_describe(changed)}: {kind}, {counted(result.pages, 'page')} written, "
            f"{counted(result.files, 'file')}, {result.seconds * 1000:,.0f} ms"
        )
        return result

    def _new_warnings(self, diagnostics: tuple[Diagnostic, ...]) -> list[Diagnostic]:
        """All warnings of the first build, then only those a rebuild did not have before: an owner sees
        each problem once, when it appears."""
        warnings = [d for d in diagnostics if d.severity is Severity.WARNING]
        new = [d for d in warnings if d not in self._warned]
        self._warned = set(warnings)
        return new

    def run(self, open_browser: bool = False, stop: threading.Event | None = None) -> None:
        stop = stop or threading.Event()
        self.rebuild(set())
        thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
        thread.start()
        observer = start_observer(self.collector, self.watched)
        self.log(f"serving {self.server.url} (Ctrl-C to stop)")
        if open_browser:
            webbrowser.open(self.server.url)
        try:
            while not stop.is_set():
                changed = self.collector.wait_for_changes(timeout=0.25)
                if changed:
                    self.rebuild(changed)
        finally:
            self.indexer.stop()
            self.hub.close()
            observer.stop()
            self.server.shutdown()
            self.server.server_close()
            observer.join(timeout=1)
            shutil.rmtree(self.scratch, ignore_errors=True)


def serve(config_file: Path, host: str, port: int, open_browser: bool) -> int:
    """Run until Ctrl-C or SIGTERM; both stop it cleanly with exit code 0."""
    preview = Preview(config_file, host, port, log=lambda line: print(line, file=sys.stderr, flush=True))
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    preview.run(open_browser, stop)
    return 0

"""Watch the site's sources; the watchdog callback only records what changed, one loop decides when to build."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

DEBOUNCE_SECONDS = 0.03  # editors save through temp files and renames: wait for the burst to end
MAX_DELAY_SECONDS = 0.5  # but never let a stream of events postpone a rebuild forever


def is_editor_noise(path: Path) -> bool:
    """Swap, backup and lock files that editors write beside the real file."""
    name = path.name
    return (
        name.endswith((".swp", ".swx", ".swo", "~", ".tmp", ".part"))
        or name.startswith((".#", "#"))
        or name == "4913"  # vim's probe file
        or (name.startswith(".") and ".tmp-" in name)
    )


class ChangeCollector(FileSystemEventHandler):
    """Records changed paths under a condition; ignores editor noise and the output folders."""

    def __init__(self, config_file: Path, ignored: Iterable[Path]) -> None:
        self.config_file = config_file.resolve()
        self.ignored = [p.resolve() for p in ignored]
        self._changed: set[Path] = set()
        self._last_event = 0.0
        self._first_event = 0.0
        self._condition = threading.Condition()

    def relevant(self, path: Path) -> bool:
        if is_editor_noise(path) or "__pycache__" in path.parts:
            return False
        if any(path == folder or folder in path.parents for folder in self.ignored):
            return False
        # The site folder itself is watched only for site.yaml.
        return path.parent != self.config_file.parent or path == self.config_file

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write") or (event.is_directory and event.event_type == "modified"):
            return
        paths = [event.src_path, getattr(event, "dest_path", "")]
        found = {Path(str(p)).absolute() for p in paths if p}
        found = {p for p in found if self.relevant(p)}
        if not found:
            return
        with self._condition:
            now = time.monotonic()
            if not self._changed:
                self._first_event = now
            self._changed |= found
            self._last_event = now
            self._condition.notify_all()

    def record(self, path: Path) -> None:
        """Mark a change by hand (tests, or a forced rebuild)."""
        with self._condition:
            self._changed.add(path)
            self._first_event = self._last_event = time.monotonic()
            self._condition.notify_all()

    def wait_for_changes(self, timeout: float | None = None) -> set[Path]:
        """Block until something changed and then went quiet for a moment; returns what changed."""
        with self._condition:
            if not self._condition.wait_for(lambda: bool(self._changed), timeout=timeout):
                return set()
            while True:
                now = time.monotonic()
                quiet_for = now - self._last_event
                if quiet_for >= DEBOUNCE_SECONDS or now - self._first_event >= MAX_DELAY_SECONDS:
                    break
                self._condition.wait(DEBOUNCE_SECONDS - quiet_for)
            changed, self._changed = self._changed, set()
            return changed


def start_observer(collector: ChangeCollector, folders: Iterable[Path]) -> Observer:
    """Watch each existing source folder recursively, and site.yaml's folder for site.yaml itself."""
    observer = Observer()
    for folder in sorted({f.resolve() for f in folders}):
        if folder.is_dir():
            observer.schedule(collector, str(folder), recursive=True)
    observer.schedule(collector, str(collector.config_file.parent), recursive=False)
    observer.daemon = True
    observer.start()
    return observer

"""How digestsite words things on the terminal: counts with the right plural, a progress line."""

from __future__ import annotations

import sys
import time
from typing import TextIO

_PLURALS = {"batch": "batches", "copy": "copies", "skipped entry": "skipped entries"}


def counted(count: int, noun: str) -> str:
    """`1 paper`, `3 papers`, `2 batches`."""
    return f"{count:,} {noun if count == 1 else _PLURALS.get(noun, noun + 's')}"


class ProgressLine:
    """One line on a terminal that shows the build's stage and, while pages render, a bar.

    It stays silent for the first second (quick builds print nothing extra), and whenever the stream is
    not a terminal (CI logs get only the summary).
    """

    WIDTH = 24

    def __init__(self, stream: TextIO | None = None, delay: float = 1.0, enabled: bool = True) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled and self.stream.isatty()
        self.started = time.monotonic()
        self.delay = delay
        self.shown = False
        self._last = ""

    def __call__(self, stage: str, done: int = 0, total: int = 0) -> None:
        if not self.enabled or time.monotonic() - self.started < self.delay:
            return
        text = f"{stage}…"
        if total:
            filled = self.WIDTH * done // total
            text = f"{stage} [{'#' * filled}{'.' * (self.WIDTH - filled)}] {done:,}/{total:,}"
        if text != self._last:
            self.stream.write("\r\033[K" + text)
            self.stream.flush()
            self._last, self.shown = text, True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.shown = False

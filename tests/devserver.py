"""Run the real `digestsite serve` on a free loopback port for tests, and read its terminal lines."""

from __future__ import annotations

import queue
import re
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from helpers import EXECUTABLE


@dataclass
class RunningServer:
    url: str
    process: subprocess.Popen[str]
    lines: queue.Queue[str] = field(default_factory=queue.Queue)
    seen: list[str] = field(default_factory=list)

    def wait_for_line(self, pattern: str, timeout: float = 10.0) -> str:
        """The next terminal line matching `pattern` (a regex); fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            self.seen.append(line)
            if re.search(pattern, line):
                return line
        raise AssertionError(f"no line matching {pattern!r} within {timeout} s; saw {self.seen[-10:]}")


@contextmanager
def dev_server(site: Path, *extra: str) -> Iterator[RunningServer]:
    process = subprocess.Popen(
        [EXECUTABLE, "serve", "--port", "0", *extra], cwd=site, stderr=subprocess.PIPE, text=True, bufsize=1
    )
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.put(line.rstrip("\n"))

    threading.Thread(target=pump, daemon=True).start()
    server = RunningServer("", process, lines)
    try:
        found = server.wait_for_line(r"^serving http://", timeout=30)
        server.url = found.split()[1]
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()

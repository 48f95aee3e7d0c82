"""One build at a time per output folder.

The lock is an exclusive `flock` on the folder that holds the output, so no lock file is left beside
the site, and the kernel drops it when a build dies, however it dies.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from digestsite.errors import OutputError

Busy = Callable[[], None]  # called once when another build holds the lock, before waiting for it


def wait_quietly() -> None:
    pass


class OutputLock:
    """Held while a build touches `output_dir` or anything beside it (staging folders, swapped-out sites).

    With `busy` None, a second build fails at once instead of waiting.
    """

    def __init__(self, output_dir: Path, busy: Busy | None = wait_quietly) -> None:
        self.output_dir = output_dir
        self.busy = busy
        self._fd: int | None = None

    def __enter__(self) -> OutputLock:
        parent = self.output_dir.parent
        parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if self.busy is None:
                os.close(fd)
                raise OutputError(
                    f"another build is writing {self.output_dir}; try again when it has finished"
                ) from None
            self.busy()
            fcntl.flock(fd, fcntl.LOCK_EX)
        self._fd = fd
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

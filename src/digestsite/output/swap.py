"""The one folder swap: a finished folder takes the place of a live one in a single step."""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100

# Deleting the replaced site of a large archive takes seconds: once the new site is live, a detached
# process does it. A build that starts before it finishes removes the leftover itself.
BACKGROUND_DELETE_FILES = 5000


def exchange_paths(a: Path, b: Path) -> bool:
    """Linux renameat2(RENAME_EXCHANGE): both names swap in one step, so readers never see a gap.

    The C library is the one already loaded (`CDLL(None)`): looking it up by name runs `ldconfig`.
    """
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def swap_folder(fresh: Path, live: Path, *, files: int = 0) -> None:
    """Put the folder `fresh` where `live` is: atomically where the OS allows, else by two quick renames.

    `fresh` is gone afterwards; the replaced folder is removed, in the background when it holds more
    than BACKGROUND_DELETE_FILES `files`.
    """
    if not live.exists():
        os.replace(fresh, live)
        return
    if exchange_paths(fresh, live):
        replaced = fresh
    else:
        replaced = Path(tempfile.mkdtemp(prefix=f".{live.name}.old-{os.getpid()}-", dir=live.parent))
        os.replace(live, replaced / "site")
        os.replace(fresh, live)
    remove_tree(replaced, background=files >= BACKGROUND_DELETE_FILES)


def remove_tree(path: Path, background: bool = False) -> None:
    """Delete the folder `path`, one of a build's own (`.<output>.<kind>-<pid>-<random>`). In the background,
    the deleting process first takes the folder under its own process ID, so that a build starting meanwhile
    leaves it to that process (see staging.py and journal.py) instead of deleting the same files at once."""
    if not background:
        shutil.rmtree(path, ignore_errors=True)
        return
    # The path is all the deleter reads, to the end of its input: a folder name may hold a newline, and a
    # line would name another folder. Nothing read (the build died first) deletes nothing.
    script = "import os, shutil, sys; p = sys.stdin.buffer.read(); p and shutil.rmtree(os.fsdecode(p), True)"
    deleter = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    claimed = _claimed(path, deleter.pid)
    with contextlib.suppress(OSError):
        os.rename(path, claimed)
        path = claimed
    with contextlib.suppress(OSError), deleter.stdin as stdin:  # type: ignore[union-attr]
        stdin.write(os.fsencode(path))


def _claimed(path: Path, pid: int) -> Path:
    """`path` under the process ID `pid`: `.site.tmp-123-abc` becomes `.site.tmp-456-abc`."""
    parts = path.name.rsplit("-", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return path
    return path.with_name(f"{parts[0]}-{pid}-{parts[2]}")

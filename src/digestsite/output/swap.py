"""The one folder swap: a finished folder takes the place of a live one in a single step."""

from __future__ import annotations

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
    if background:
        script = "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)"
        subprocess.Popen(
            [sys.executable, "-c", script, str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    else:
        shutil.rmtree(path, ignore_errors=True)

"""Child processes (render workers) die with the build that started them.

A build killed mid-way must not leave children writing into a staging folder that the next build
deletes. On Linux each child asks the kernel for SIGKILL when its parent dies; elsewhere this is a no-op.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1
_prctl = None
if sys.platform.startswith("linux"):
    try:
        _prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        _prctl = None


def die_with_parent(parent: int | None = None) -> None:
    """Use as a `preexec_fn` or process-pool initializer (only a C call: safe after fork).

    With `parent` (the pid that forked us), a child whose parent died before this ran exits at once:
    the kernel only signals deaths that happen after the request.
    """
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if parent is not None and os.getppid() != parent:
        os._exit(1)


def process_alive(pid: int) -> bool:
    """Whether a process of this pid runs; our own pid counts as not running (it can only be a reused
    pid of an earlier build, so what it left behind is a leftover)."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True

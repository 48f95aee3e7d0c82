"""Pickled cache files under one stamp: the format, the release and the code that wrote them.

`CACHE_STAMP` also starts every build, page and search key, so any change to digestsite's code
(see code_key.py) sets the whole cache aside; CACHE_FORMAT is for a change of layout alone.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path
from typing import Any

from digestsite import __version__
from digestsite.cache.code_key import installed_code_digest
from digestsite.output.files import atomic_write

CACHE_FORMAT = 8
CACHE_STAMP = f"{CACHE_FORMAT}:{__version__}:{installed_code_digest()}"
_VERSION = (CACHE_STAMP, sys.version_info[:2])


def read_pickle(path: Path) -> Any:
    """What `write_pickle` stored at `path` under this format version; None if absent, older or unreadable."""
    try:
        with open(path, "rb") as file:
            stored = pickle.load(file)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, KeyError, TypeError, ImportError, ValueError):
        return None
    if not isinstance(stored, dict) or stored.get("version") != _VERSION:
        return None
    return stored.get("payload")


def write_pickle(path: Path, payload: object) -> None:
    """Replace `path` atomically: a reader sees the old payload or the new one, never half of one."""
    atomic_write(path, pickle.dumps({"version": _VERSION, "payload": payload}, protocol=pickle.HIGHEST_PROTOCOL))

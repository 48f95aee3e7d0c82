"""Pickled cache files under one format version: bump CACHE_FORMAT once when any of them changes."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path
from typing import Any

from digestsite import __version__
from digestsite.output.files import atomic_write

CACHE_FORMAT = 8
_VERSION = (CACHE_FORMAT, __version__, sys.version_info[:2])


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

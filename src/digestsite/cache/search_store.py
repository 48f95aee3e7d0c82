"""What the search index keeps between builds (see search/indexer.py): values by name, on disk or in memory."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Collection
from pathlib import Path

from digestsite.cache.keys import Keys
from digestsite.cache.pickles import CACHE_STAMP, read_pickle, write_pickle


class FolderIndexStore:
    """A `search.indexer.IndexStore` in a cache folder: one pickle per name; names no longer used are dropped."""

    def __init__(self, folder: Path, keys: Keys) -> None:
        self.folder = folder
        self.keys = keys

    def key(self, inputs: tuple[object, ...]) -> str:
        return self.keys.combine(CACHE_STAMP, *inputs)

    def get(self, name: str) -> object | None:
        return read_pickle(self.folder / name)

    def put(self, name: str, value: object) -> None:
        write_pickle(self.folder / name, value)

    def keep_only(self, names: Collection[str]) -> None:
        """Drop every other entry (folders too: an older release kept whole indexes here)."""
        wanted = set(names)
        for entry in os.scandir(self.folder):
            if entry.name not in wanted and not entry.name.startswith("."):
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    with contextlib.suppress(FileNotFoundError):  # another build dropped it first
                        os.unlink(entry.path)


class MemoryIndexStore:
    """The dev server's: the same, held in memory for the session."""

    def __init__(self, keys: Keys) -> None:
        self.keys = keys
        self.values: dict[str, object] = {}

    def key(self, inputs: tuple[object, ...]) -> str:
        return self.keys.combine(CACHE_STAMP, *inputs)

    def get(self, name: str) -> object | None:
        return self.values.get(name)

    def put(self, name: str, value: object) -> None:
        self.values[name] = value

    def keep_only(self, names: Collection[str]) -> None:
        self.values = {name: self.values[name] for name in names if name in self.values}

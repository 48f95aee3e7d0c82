"""Indexed search shards kept in a cache folder, one folder each, named by the key of their inputs."""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from digestsite.cache.keys import Keys
from digestsite.cache.pickles import CACHE_STAMP


class FolderShardStore:
    """A `search.pagefind.ShardStore`: bundles kept by key; those no longer used are dropped."""

    def __init__(self, folder: Path, keys: Keys) -> None:
        self.folder = folder
        self.keys = keys

    def key(self, inputs: tuple[object, ...]) -> str:
        return self.keys.combine(CACHE_STAMP, *inputs)

    def bundle(self, key: str) -> Path | None:
        folder = self.folder / key
        return folder if (folder / "pagefind-entry.json").is_file() else None

    def keep(self, key: str, fresh: Path) -> Path | None:
        target = self.folder / key
        try:
            os.rename(fresh, target)
        except OSError:  # another build kept the same shard first (identical bytes), or another file system
            if self.bundle(key) is None:
                return None
            shutil.rmtree(fresh, ignore_errors=True)
        return target

    def keep_only(self, keys: Sequence[str]) -> None:
        wanted = set(keys)
        for entry in os.scandir(self.folder):
            if entry.name not in wanted and not entry.name.startswith("."):
                shutil.rmtree(entry.path, ignore_errors=True)

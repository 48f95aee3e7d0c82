"""A function's results kept in the build cache by the keys of its arguments (the parts of papers.json)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from digestsite.cache.keys import Keys
from digestsite.cache.pickles import read_pickle, write_pickle


class StoredMemo:
    """Calls `function` only for arguments whose key it has not seen; `save` keeps just this build's results."""

    def __init__(self, path: Path, function: Callable[..., Any], keys: Keys) -> None:
        self.path = path
        self.function = function
        self.keys = keys
        known = read_pickle(path)
        self.known: dict[str, Any] = known if isinstance(known, dict) else {}
        self.used: dict[str, Any] = {}

    def __call__(self, *args: object) -> Any:
        key = self.keys.combine(self.function.__qualname__, *args)
        result = self.used.get(key)
        if result is None:
            result = self.used[key] = self.known[key] if key in self.known else self.function(*args)
        return result

    def save(self) -> None:
        if self.used.keys() != self.known.keys():
            write_pickle(self.path, self.used)
            self.known = self.used

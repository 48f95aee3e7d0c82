"""A function's results kept in the build cache by the keys of its arguments: the parts of papers.json,
each paper's topics and the ranking of related papers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from digestsite.cache.keys import Keys
from digestsite.cache.pickles import read_pickle, write_pickle


class StoredMemo:
    """Calls `function` only for arguments whose key it has not seen; `save` keeps just this build's results.

    The last `derived` arguments are left out of the key: the caller vouches that they follow from the
    others (a batch's topic evidence follows from its papers and the glossary, and costs far more to hash).
    """

    def __init__(self, path: Path | None, function: Callable[..., Any], keys: Keys, derived: int = 0) -> None:
        self.path = path  # None: kept in memory only, from one `save` to the next (the dev server's)
        self.function = function
        self.keys = keys
        self.keyed = slice(None, -derived if derived else None)
        known = read_pickle(path) if path is not None else None
        self.known: dict[str, Any] = known if isinstance(known, dict) else {}
        self.used: dict[str, Any] = {}

    def __call__(self, *args: object) -> Any:
        key = self.keys.shared(self.function.__qualname__, *args[self.keyed])
        result = self.used.get(key)
        if result is None:
            result = self.used[key] = self.known[key] if key in self.known else self.function(*args)
        return result

    def save(self) -> None:
        if self.used.keys() != self.known.keys():
            if self.path is not None:
                write_pickle(self.path, self.used)
            self.known = self.used
        self.used = {}

"""Keys derived from data: equal keys mean equal inputs, so whatever was made from them can be reused.

A key is never a hand-written list of fields: dataclasses are hashed field by field, containers item by
item, and file trees by their names and bytes. Adding a field to `Config`, `Paper` or a page's data
therefore changes the keys of everything that reads it, with no second place to update.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields
from operator import attrgetter
from pathlib import Path

from digestsite.cache.file_hashes import FileHashes, hash_tree

_PLAIN = (str, int, float, bool, dt.date, type(None), Path)


def digest_of(*parts: str) -> str:
    joined = "\x00".join(parts).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(joined, digest_size=16).hexdigest()


def tree_digest(folders: Iterable[Path], hashes: FileHashes | None = None) -> str:
    """One hash over every file (name and bytes) under the given folders."""
    digest = hashlib.blake2b(digest_size=16)
    for folder in folders:
        digest.update(str(folder).encode("utf-8", "surrogateescape") + b"\0")
        hash_tree(digest, folder, hashes)
    return digest.hexdigest()


class Keys:
    """Hashes values the way templates and writers see them; each shared object is hashed once.

    Objects are remembered by identity for as long as this `Keys` lives (one build, or one dev-server
    session), so the batch on a thousand pages, or a paper kept from an earlier parse, costs one hash.
    """

    def __init__(self) -> None:
        self._memo: dict[int, tuple[object, str]] = {}
        self._shapes: dict[type, tuple[tuple[str, ...], bool] | None] = {}  # a class's fields, and if frozen
        self._getters: dict[type, Callable[[object], tuple[object, ...]] | None] = {}

    def of(self, value: object) -> str:
        """The key of `value`; tuples and frozen dataclasses are remembered, being shared and unchanging."""
        cached = self._memo.get(id(value))
        if cached is not None and cached[0] is value:
            return cached[1]
        digest = self._compute(value)
        shape = self._shape(type(value))
        if isinstance(value, tuple) or (shape is not None and shape[1]):
            self._memo[id(value)] = (value, digest)
        return digest

    def _compute(self, value: object) -> str:
        if isinstance(value, _PLAIN):
            return digest_of(type(value).__name__, repr(value))
        if isinstance(value, (tuple, list)):
            return digest_of("seq", *[self._part(item) for item in value])
        if isinstance(value, Mapping):
            return digest_of("map", *[f"{key}={self._part(value[key])}" for key in sorted(value)])
        shape = self._shape(type(value))
        if shape is not None:
            cls = type(value)
            return digest_of(cls.__name__, *[f"{name}={self._part(getattr(value, name))}" for name in shape[0]])
        return digest_of(type(value).__name__, repr(value))

    def _part(self, item: object) -> str:
        """A plain value stands for itself (its repr is a literal, never a digest); anything else by its key."""
        return repr(item) if isinstance(item, _PLAIN) else self.of(item)

    def _shape(self, cls: type) -> tuple[tuple[str, ...], bool] | None:
        """A dataclass's field names and whether it is frozen (None for anything else), looked up once."""
        if cls not in self._shapes:
            params = getattr(cls, "__dataclass_params__", None)
            names = tuple(f.name for f in fields(cls)) if params is not None else ()
            self._shapes[cls] = (names, bool(params.frozen)) if params is not None else None
        return self._shapes[cls]

    def remember(self, value: object, digest: str) -> None:
        """Take `digest` as the key of `value` (one computed earlier for an equal object)."""
        self._memo[id(value)] = (value, digest)

    def combine(self, *parts: object) -> str:
        """One key over several values, none of which is remembered itself (a page, say, is seen once).

        This runs once per page of the site, so it is the hot path: a record among the parts is hashed
        inline (its fields in their fixed order, its mappings' items by name) in one digest, and a
        string stands for itself, its position telling what it is.
        """
        flat: list[str] = []
        add, value_of = flat.append, self._value
        for part in parts:
            getter = None if isinstance(part, _PLAIN) else self._getter(type(part))
            if getter is None:
                add(value_of(part))
                continue
            add(type(part).__name__)
            for item in getter(part):
                if type(item) is str:
                    add(item)
                elif type(item) is dict or isinstance(item, Mapping):
                    for key in sorted(item):
                        add(key)
                        add(value_of(item[key]))
                else:
                    add(value_of(item))
        return digest_of(*flat)

    def shared(self, *parts: object) -> str:
        """One key over values shared by many keys (papers, batches, a glossary): each is hashed once and
        remembered, and a paper kept from an earlier parse brings its key along (cache/parses.py)."""
        return digest_of(*map(self._value, parts))

    def _getter(self, cls: type) -> Callable[[object], tuple[object, ...]] | None:
        """All of a dataclass's fields in one call (None for anything else), made once per class."""
        if cls not in self._getters:
            shape = self._shape(cls)
            self._getters[cls] = _fields_getter(shape[0]) if shape is not None and shape[0] else None
        return self._getters[cls]

    def _value(self, item: object) -> str:
        if type(item) is str:
            return item
        if isinstance(item, _PLAIN):
            return repr(item)
        cached = self._memo.get(id(item))
        return cached[1] if cached is not None and cached[0] is item else self.of(item)


def _fields_getter(names: tuple[str, ...]) -> Callable[[object], tuple[object, ...]]:
    get = attrgetter(*names)
    return get if len(names) > 1 else lambda value: (get(value),)

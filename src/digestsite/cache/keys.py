"""Content fingerprints of pages: a page whose inputs hash the same renders the same bytes.

Every fingerprint starts from a salt covering everything global (package version, config, UI strings,
templates, assets), so a template or config change changes every page's fingerprint, and a digest
edit changes only the pages whose data holds an edited paper or batch.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import fields, is_dataclass
from pathlib import Path

from digestsite import __version__
from digestsite.cache.file_hashes import hash_tree
from digestsite.content.model import Batch, Paper
from digestsite.site.pages import Page


def _hash(*parts: str) -> str:
    joined = "\x00".join(parts).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(joined, digest_size=16).hexdigest()


def files_digest(folders: Iterable[Path]) -> str:
    """One hash over every file (name and bytes) under the given folders."""
    digest = hashlib.blake2b(digest_size=16)
    for folder in folders:
        hash_tree(digest, folder)
    return digest.hexdigest()


_PLAIN = (str, int, float, bool, dt.date, type(None))


class Fingerprinter:
    """Hashes values the way templates see them; papers and batches are hashed once per build."""

    def __init__(self, *salt_parts: str) -> None:
        self.salt = _hash(__version__, *salt_parts)
        self._memo: dict[int, tuple[object, str]] = {}

    def of(self, value: object) -> str:
        # Shared objects (a batch on many pages, the batch list on every home page) hash once.
        cached = self._memo.get(id(value))
        if cached is not None and cached[0] is value:
            return cached[1]
        if isinstance(value, (Paper, Batch, tuple)):
            if isinstance(value, Paper):
                digest = value.content_key
            elif isinstance(value, Batch):
                digest = self._record(value)
            else:
                digest = self._sequence(value)
            self._memo[id(value)] = (value, digest)
            return digest
        if isinstance(value, list):
            return self._sequence(value)
        if isinstance(value, Mapping):
            return _hash("map", *(f"{key}={self.of(value[key])}" for key in sorted(value)))
        if is_dataclass(value) and not isinstance(value, type):
            return self._record(value)
        return _hash(type(value).__name__, repr(value))

    def _sequence(self, items: tuple[object, ...] | list[object]) -> str:
        return _hash("seq", *(self.of(item) for item in items))

    def _record(self, value: object) -> str:
        parts = [type(value).__name__]
        for field in fields(value):  # type: ignore[arg-type]
            if not field.name.startswith("_"):
                item = getattr(value, field.name)
                # A plain value stands for itself (its repr starts with a quote or is a literal, never a
                # digest); anything else by its digest.
                plain = isinstance(item, _PLAIN)
                parts.append(f"{field.name}={repr(item) if plain else self.of(item)}")
        return _hash(*parts)

    def page(self, page: Page) -> str:
        """A page's fingerprint: its identity and the digests of the data its template reads."""
        parts = [self.salt, page.kind, page.lang, page.key, page.path, page.template, page.title, repr(page.lastmod)]
        data = page.data
        for key in sorted(data):
            parts.append(key)
            parts.append(self.of(data[key]))
        return _hash(*parts)

    def combine(self, *parts: object) -> str:
        """The fingerprint of a site-wide file from everything it is made of."""
        return _hash(self.salt, *(self.of(part) for part in parts))

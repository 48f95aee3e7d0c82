"""Parsed digest files kept between builds, so only files whose bytes changed are parsed again.

A parse is found by the key of what was parsed: the file's bytes and the name diagnostics show it by.
With file hashes (see file_hashes.py), a file whose metadata is unchanged is not even read. Each parse
is kept with its papers' keys, so papers from an earlier parse are not hashed again.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from digestsite.cache.file_hashes import FileHashes, content_digest
from digestsite.cache.keys import Keys
from digestsite.cache.pickles import read_pickle, write_pickle
from digestsite.content.parse import ParseResult, parse_digest

Kept = tuple[ParseResult, tuple[str, ...]]  # a parse and its papers' keys


class ParseMemo:
    """The shared logic; subclasses say where parses are kept (`_lookup`, `_keep`)."""

    def __init__(self, hashes: FileHashes, keys: Keys) -> None:
        self.hashes = hashes
        self.keys = keys

    def parse(self, path: Path, status: os.stat_result, label: str) -> ParseResult:
        suffix = b"\0" + label.encode("utf-8", "surrogateescape")
        data = None
        digest = self.hashes.trusted(path, status)
        if digest is None:
            data = path.read_bytes()
            digest = self.hashes.remember(path, data, status)
        kept = self._lookup(path, content_digest(digest + suffix))
        if kept is not None:
            result, paper_keys = kept
            if result.batch is not None:
                for paper, key in zip(result.batch.papers, paper_keys, strict=True):
                    self.keys.remember(paper, key)
            return result
        if data is None:  # trusted, yet not parsed before: parse what the file holds now, under its own key
            data = path.read_bytes()
            digest = content_digest(data)
        result = parse_digest(data, label)
        paper_keys: tuple[str, ...] = ()
        if result.batch is not None:  # computed now, so they are kept with the parse
            _ = result.batch.newest_arxiv_key
            paper_keys = tuple(self.keys.of(paper) for paper in result.batch.papers)
        self._keep(path, content_digest(digest + suffix), (result, paper_keys))
        return result

    def _lookup(self, path: Path, key: bytes) -> Kept | None:
        raise NotImplementedError

    def _keep(self, path: Path, key: bytes, kept: Kept) -> None:
        raise NotImplementedError


class StoredParses(ParseMemo):
    """Parses in the build cache, spread over SEGMENTS files by key, so a one-digest edit rewrites one or
    two of them and a build loads a few large pickles rather than one per digest (unpickling thousands of
    small files costs several times more). `prune` drops the parses this build did not use and writes
    the segments that changed."""

    def __init__(self, folder: Path, hashes: FileHashes, keys: Keys) -> None:
        super().__init__(hashes, keys)
        self.folder = folder
        self.used: set[str] = set()
        self._segments: dict[str, dict[str, Kept]] = {}
        self._changed: set[str] = set()

    def _segment(self, name: str) -> dict[str, Kept]:
        if name not in self._segments:
            stored = read_pickle(self.folder / f"segment-{name}")
            self._segments[name] = stored if isinstance(stored, dict) else {}
        return self._segments[name]

    def _lookup(self, path: Path, key: bytes) -> Kept | None:
        self.used.add(key.hex())
        kept = self._segment(_segment_of(key)).get(key.hex())
        return kept if isinstance(kept, tuple) and isinstance(kept[0], ParseResult) else None

    def _keep(self, path: Path, key: bytes, kept: Kept) -> None:
        name = _segment_of(key)
        self._segment(name)[key.hex()] = kept
        self._changed.add(name)

    def prune(self) -> None:
        for name in [f"{number:x}" for number in range(SEGMENTS)]:
            segment = self._segment(name)
            for key in [key for key in segment if key not in self.used]:
                del segment[key]
                self._changed.add(name)
        for name in sorted(self._changed):
            with contextlib.suppress(OSError):
                write_pickle(self.folder / f"segment-{name}", self._segments[name])
        self._changed.clear()
        for entry in os.scandir(self.folder):  # files of an older layout
            if not entry.name.startswith(("segment-", ".")):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


SEGMENTS = 16


def _segment_of(key: bytes) -> str:
    return f"{key[0] % SEGMENTS:x}"


class MemoryParses(ParseMemo):
    """The last parse of each file, in memory, for the dev server between rebuilds."""

    def __init__(self, hashes: FileHashes, keys: Keys) -> None:
        super().__init__(hashes, keys)
        self._entries: dict[Path, tuple[bytes, Kept]] = {}

    def _lookup(self, path: Path, key: bytes) -> Kept | None:
        entry = self._entries.get(path)
        return entry[1] if entry is not None and entry[0] == key else None

    def _keep(self, path: Path, key: bytes, kept: Kept) -> None:
        self._entries[path] = (key, kept)

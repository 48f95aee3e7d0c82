"""The stored arXiv metadata as a cache keeps it: each distinct line parsed once, keys without hashing.

A record is keyed by the bytes of its line, and a paper filled from it by the keys of the paper and the
record, so a metadata file of 10,000 papers costs no hashing of 10,000 filled papers, and an edit to
one line changes the keys of that paper's pages only. Parsed lines are kept by the dev server for its
session, and by `build` in the build cache, so a rebuild parses only the lines that changed.
"""

from __future__ import annotations

from pathlib import Path

from digestsite.cache.file_hashes import content_digest
from digestsite.cache.keys import Keys, digest_of
from digestsite.cache.pickles import read_pickle, write_pickle
from digestsite.content.model import Paper
from digestsite.metadata.merge import with_metadata
from digestsite.metadata.record import ArxivRecord
from digestsite.metadata.store import StoredMetadata, parse_line, read_store

Parsed = tuple[ArxivRecord, list[str]]  # a record and the unknown keys of its line


class KeptMetadata:
    """Reads the metadata file through the lines it has parsed before (kept in `path` if given)."""

    def __init__(self, keys: Keys, path: Path | None = None) -> None:
        self.keys = keys
        self.path = path
        known = read_pickle(path) if path is not None else None
        self._lines: dict[bytes, Parsed] = known if isinstance(known, dict) else {}  # line digest → its parse
        self._changed = False

    def read(self, path: Path) -> StoredMetadata:
        used: dict[bytes, Parsed] = {}

        def parse(raw: bytes) -> Parsed:
            digest = content_digest(raw)
            parsed = used.get(digest) or self._lines.get(digest)
            if parsed is None:
                parsed = parse_line(raw)  # a line that is not a record raises, and is reported by the store
                self._changed = True
            self.keys.remember(parsed[0], digest_of("metadata line", digest.hex()))
            used[digest] = parsed
            return parsed

        stored = read_store(path, parse)
        self._changed = self._changed or used.keys() != self._lines.keys()
        self._lines = used  # the lines of the file as it is: an edited line's old parse is let go
        return stored

    def fill(self, paper: Paper, record: ArxivRecord | None) -> Paper:
        filled = with_metadata(paper, record)
        if filled is not paper:
            self.keys.remember(filled, digest_of("filled", self.keys.of(paper), self.keys.of(record)))
        return filled

    def save(self) -> None:
        if self.path is not None and self._changed:
            write_pickle(self.path, self._lines)
            self._changed = False

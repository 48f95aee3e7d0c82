"""Rendered pages kept between builds, by fingerprint, so a build into an empty folder need not render.

Equal fingerprints mean equal bytes (see keys.py), so a page found here is copied rather than
rendered. Pages live back to back in append-only segment files; `index.pickle` maps each fingerprint
to (segment, offset, length). Each build keeps only the pages it used, and rewrites the segments
once most of their bytes are dead. Any read that fails (a segment another build removed, a short
read) is a miss: the page is rendered instead, so the store can speed a build up but never change it.
Pages are stored uncompressed: compressing them cost more than rendering saved.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from digestsite.cache.pickles import read_pickle, write_pickle
from digestsite.output.files import as_bytes

if TYPE_CHECKING:
    from digestsite.render.outputs import Output

Location = tuple[str, int, int]  # segment name, offset, length
_INDEX = "index.pickle"


class PageStore:
    """One folder of segments and their index; readable from forked workers (file handles open lazily)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.index: dict[str, Location] = {}
        self._handles: dict[str, int] = {}
        stored = read_pickle(folder / _INDEX)
        if isinstance(stored, dict):
            self.index = stored

    def get(self, fingerprint: str) -> bytes | None:
        location = self.index.get(fingerprint)
        if location is None:
            return None
        segment, offset, length = location
        try:
            handle = self._handles.get(segment)
            if handle is None:
                handle = self._handles[segment] = os.open(self.folder / segment, os.O_RDONLY)
            data = os.pread(handle, length, offset)
        except OSError:
            return None
        return data if len(data) == length else None

    def close(self) -> None:
        for handle in self._handles.values():
            os.close(handle)
        self._handles.clear()

    def segment_writer(self) -> SegmentWriter:
        return SegmentWriter(self.folder)

    def save(self, live: Iterable[str], added: dict[str, Location]) -> None:
        """Keep just the pages of this build (`live`), old or `added`; drop segments nobody needs."""
        self.close()
        pages: dict[str, Location] = {}
        for fingerprint in live:
            location = added.get(fingerprint) or self.index.get(fingerprint)
            if location is not None:
                pages[fingerprint] = location
        pages = self._compacted(pages)
        self.index = pages
        write_pickle(self.folder / _INDEX, pages)
        used = {location[0] for location in pages.values()}
        for entry in os.scandir(self.folder):
            if entry.name.startswith("segment-") and entry.name not in used:
                os.unlink(entry.path)

    def _compacted(self, pages: dict[str, Location]) -> dict[str, Location]:
        """Rewrite the live pages into one segment once segments hold more than twice their bytes."""
        used = {location[0] for location in pages.values()}
        total = 0
        for name in used:
            try:
                total += os.stat(self.folder / name).st_size
            except OSError:
                return {fp: loc for fp, loc in pages.items() if loc[0] != name}  # lost: those pages re-render
        live = sum(location[2] for location in pages.values())
        if total <= 2 * live + (1 << 20):
            return pages
        writer = self.segment_writer()
        moved: dict[str, Location] = {}
        try:
            for fingerprint in pages:
                data = self.get(fingerprint)
                if data is not None:
                    moved[fingerprint] = writer.append(data)
        finally:
            writer.close()
            self.close()
        return moved


class SegmentWriter:
    """Appends pages to a new segment file of its own (one per worker, so no locking)."""

    def __init__(self, folder: Path) -> None:
        self.name = f"segment-{secrets.token_hex(8)}"
        self._file = open(folder / self.name, "ab")  # noqa: SIM115 (closed by close(), after many appends)
        self._offset = 0

    def append(self, data: bytes) -> Location:
        self._file.write(data)
        location = (self.name, self._offset, len(data))
        self._offset += len(data)
        return location

    def close(self) -> None:
        self._file.close()


class Producer:
    """Gives an output's bytes from the store when it has them, else renders them and stores them.

    One per worker process (each appends to a segment of its own). Use as a context manager: leaving it
    closes the new segment and the store's handles; `outcome` is what it added, for `PageStore.save`.
    """

    def __init__(self, store: PageStore | None) -> None:
        self.store = store
        self.added: dict[str, Location] = {}
        self._writer: SegmentWriter | None = None

    def bytes_of(self, output: Output, fingerprint: str) -> bytes:
        if output.source is not None:
            return output.source.read_bytes()
        assert output.produce is not None
        store = self.store if output.stored else None
        data = store.get(fingerprint) if store is not None else None
        if data is None:
            data = as_bytes(output.produce())
            if store is not None:
                self._writer = self._writer or store.segment_writer()
                self.added[fingerprint] = self._writer.append(data)
        return data

    def outcome(self) -> dict[str, Location]:
        return self.added

    def __enter__(self) -> Producer:
        return self

    def __exit__(self, *_: object) -> None:
        if self._writer is not None:
            self._writer.close()
        if self.store is not None:
            self.store.close()

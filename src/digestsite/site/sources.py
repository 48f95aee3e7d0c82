"""Reading the sources: every digest file in `seeds/`, parsed (or taken from a store of earlier parses)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from digestsite.config import display_path
from digestsite.content.model import Diagnostic, Paper, Severity
from digestsite.content.parse import ParseResult, parse_digest
from digestsite.errors import ConfigError
from digestsite.metadata.merge import with_metadata
from digestsite.metadata.record import ArxivRecord
from digestsite.metadata.store import StoredMetadata, read_store

DIGEST_SUFFIXES = (".md", ".txt")


class ParseStore(Protocol):
    """Gives a digest file's parse: made now, or kept from an earlier build whose file was the same."""

    def parse(self, path: Path, status: os.stat_result, label: str) -> ParseResult: ...


class NoParseStore:
    """Parses every file, every time."""

    def parse(self, path: Path, status: os.stat_result, label: str) -> ParseResult:
        return parse_digest(path.read_bytes(), label)


class MetadataSource(Protocol):
    """Gives the stored arXiv metadata and fills papers from it; a cache may keep what it read, and the
    keys of what it made, between builds."""

    def read(self, path: Path) -> StoredMetadata: ...

    def fill(self, paper: Paper, record: ArxivRecord | None) -> Paper: ...


class PlainMetadata:
    """Reads the metadata file, every line, every time."""

    def read(self, path: Path) -> StoredMetadata:
        return read_store(path)

    def fill(self, paper: Paper, record: ArxivRecord | None) -> Paper:
        return with_metadata(paper, record)


@dataclass(frozen=True)
class Sources:
    """What the digest files hold: each file's parse in name order, and problems with the files themselves."""

    parses: tuple[ParseResult, ...]
    diagnostics: tuple[Diagnostic, ...]


def read_sources(seeds_dir: Path, store: ParseStore | None = None) -> Sources:
    """Parse every digest file; unreadable files become diagnostics, never exceptions."""
    store = store or NoParseStore()
    parses: list[ParseResult] = []
    diagnostics: list[Diagnostic] = []
    for path, status, problem in digest_files(seeds_dir):
        if problem is not None or status is None:
            diagnostics.extend([problem] if problem else [])
            continue
        label = display_path(path)  # diagnostics name the file as seen from here
        try:
            parses.append(store.parse(path, status, label))
        except OSError as exc:
            diagnostics.append(Diagnostic(label, 1, Severity.ERROR, f"cannot read: {exc.strerror}"))
    return Sources(tuple(parses), tuple(diagnostics))


def digest_files(seeds_dir: Path) -> Iterable[tuple[Path, os.stat_result | None, Diagnostic | None]]:
    """Each digest file in name order, with its status; fifos, sockets, broken or looping links and links
    to files outside the seeds folder (which would publish whatever they point at) are skipped with a
    warning."""
    if not seeds_dir.is_dir():
        raise ConfigError([f"error: seeds folder {seeds_dir} does not exist"])
    inside = seeds_dir.resolve()
    for path in sorted(seeds_dir.iterdir()):
        if path.name.startswith(".") or path.suffix.lower() not in DIGEST_SUFFIXES:
            continue
        label = display_path(path)
        try:
            status = os.stat(path)
        except OSError as exc:
            yield path, None, Diagnostic(label, 1, Severity.WARNING, f"skipped: cannot follow ({exc.strerror})")
            continue
        if not stat.S_ISREG(status.st_mode):
            yield path, None, Diagnostic(label, 1, Severity.WARNING, "skipped: not a regular file")
            continue
        if path.is_symlink() and not path.resolve().is_relative_to(inside):
            message = "skipped: a link to a file outside the seeds folder"
            yield path, None, Diagnostic(label, 1, Severity.WARNING, message)
            continue
        yield path, status, None

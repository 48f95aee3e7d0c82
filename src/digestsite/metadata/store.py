"""`metadata/arxiv.jsonl`: one JSON line per paper, sorted by arXiv ID, read with located diagnostics.

`fetch-metadata` tidies the file first (sorted, whole lines only), appends each batch as it arrives, so a
run that is killed keeps what it fetched and the next run resumes, and at the end rewrites the file
sorted, atomically. A later line for an ID replaces an earlier one, and a last line cut short by a kill
is ignored with a warning.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from digestsite.config import display_path
from digestsite.content.model import Diagnostic, Severity
from digestsite.metadata.record import ArxivRecord, BadLine, from_data, to_line
from digestsite.output.files import atomic_write

LineParser = Callable[[bytes], tuple[ArxivRecord, list[str]]]


def parse_line(raw: bytes) -> tuple[ArxivRecord, list[str]]:
    """One line's record and the keys it has that no record has; raises UnicodeDecodeError,
    json.JSONDecodeError or BadLine for a line that is not one."""
    return from_data(json.loads(raw.decode("utf-8")))


@dataclass(frozen=True)
class StoredMetadata:
    """The records of a metadata file by arXiv ID, and what is wrong with its lines."""

    records: Mapping[str, ArxivRecord]
    diagnostics: tuple[Diagnostic, ...] = ()


def read_store(path: Path, parse: LineParser = parse_line) -> StoredMetadata:
    """Every record of `path`; an absent file holds none. Problems become diagnostics, never exceptions.

    `parse` reads one line; a build cache may pass one that keeps what it parsed.
    """
    label = display_path(path)
    try:
        status = os.stat(path)
        if not stat.S_ISREG(status.st_mode):
            return StoredMetadata({}, (Diagnostic(label, 1, Severity.ERROR, "not a regular file"),))
        data = path.read_bytes()
    except FileNotFoundError:
        return StoredMetadata({})
    except OSError as exc:
        return StoredMetadata({}, (Diagnostic(label, 1, Severity.ERROR, f"cannot read: {exc.strerror}"),))
    return parse_store(data, label, parse)


def parse_store(data: bytes, label: str, parse: LineParser = parse_line) -> StoredMetadata:
    records: dict[str, ArxivRecord] = {}
    diagnostics: list[Diagnostic] = []
    lines = data.removeprefix(b"\xef\xbb\xbf").split(b"\n")
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        cut_short = number == len(lines)  # no newline after it: the last write may not have finished
        try:
            record, unknown = parse(raw)
        except UnicodeDecodeError:
            diagnostics.append(Diagnostic(label, number, Severity.ERROR, "not valid UTF-8"))
            continue
        except json.JSONDecodeError as exc:
            if cut_short:
                message = "the last line is incomplete (an interrupted fetch-metadata?); ignored"
                diagnostics.append(Diagnostic(label, number, Severity.WARNING, message))
            else:
                message = f"not a JSON line: {exc.msg} at column {exc.colno}"
                diagnostics.append(Diagnostic(label, number, Severity.ERROR, message))
            continue
        except BadLine as exc:
            diagnostics.append(Diagnostic(label, number, Severity.ERROR, str(exc)))
            continue
        for key in unknown:
            diagnostics.append(Diagnostic(label, number, Severity.WARNING, f"unknown key '{key}' ignored"))
        records[record.arxiv_id] = record  # a later line (a refetch appended) replaces an earlier one
    return StoredMetadata(records, tuple(diagnostics))


def store_text(records: Iterable[ArxivRecord]) -> str:
    """The file's text: one line per record, sorted by arXiv ID."""
    return "".join(to_line(record) for record in sorted(records, key=lambda r: r.arxiv_id))


def write_store(path: Path, records: Iterable[ArxivRecord]) -> None:
    """Replace the file with `records`, sorted, atomically; its folder is made if need be."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, store_text(records).encode("utf-8"))


def append_records(path: Path, records: Iterable[ArxivRecord]) -> None:
    """Add lines at the end in one write, flushed to disk: what a killed run fetched stays fetched."""
    data = "".join(to_line(record) for record in records).encode("utf-8")
    if not data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view) :]
        os.fsync(descriptor)
    finally:
        os.close(descriptor)

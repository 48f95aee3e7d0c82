"""Stored parses: found again by a later build, spread over segments, and pruned to what a build used."""

from __future__ import annotations

import os
from pathlib import Path

from digestsite.cache import parses as stored
from digestsite.cache.file_hashes import FileHashes
from digestsite.cache.keys import Keys

DIGEST = "# Title {n}\n[标题 {n}](https://arxiv.org/abs/2401.{n:05d})\n\n摘要 {n}。\n"


def parse_all(folder: Path, digests: list[Path], calls: list[str], monkeypatch) -> stored.StoredParses:
    real = stored.parse_digest
    monkeypatch.setattr(stored, "parse_digest", lambda data, label: calls.append(label) or real(data, label))
    memo = stored.StoredParses(folder, FileHashes(), Keys())
    for path in digests:
        result = memo.parse(path, os.stat(path), path.name)
        assert result.batch is not None and result.batch.papers[0].title == f"Title {path.stem}"
    memo.prune()
    return memo


def test_a_later_build_parses_only_the_changed_digest_and_rewrites_few_segments(tmp_path, monkeypatch):
    digests = []
    for n in range(1, 41):
        path = tmp_path / f"{n}.md"
        path.write_text(DIGEST.format(n=n), "utf-8")
        digests.append(path)
    folder = tmp_path / "parsed"
    folder.mkdir()
    first: list[str] = []
    parse_all(folder, digests, first, monkeypatch)
    assert len(first) == 40
    segments = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    assert 1 < len(segments) <= stored.SEGMENTS  # forty parses, a few files
    digests[7].write_text(DIGEST.format(n=8) + "\n更多。\n", "utf-8")
    second: list[str] = []
    os.utime(folder, None)
    parse_all(folder, digests, second, monkeypatch)
    assert second == ["8.md"]
    rewritten = [name for name, mtime in segments.items() if (folder / name).stat().st_mtime_ns != mtime]
    assert 1 <= len(rewritten) <= 2  # the new parse's segment, and the old one's, which loses it
    kept = sum(len(stored.read_pickle(path) or {}) for path in folder.iterdir())
    assert kept == 40  # the old parse of 8.md is gone

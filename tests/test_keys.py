"""Derived keys and file hashes: equal keys for equal data, a new key for any change."""

from __future__ import annotations

import dataclasses
import os
import time

from digestsite.cache import file_hashes as hashes
from digestsite.cache.file_hashes import FileHashes, content_digest
from digestsite.cache.keys import Keys, tree_digest
from digestsite.config import load_config
from digestsite.content.model import Paper, SourceRef


def test_every_field_of_a_paper_changes_its_key():
    paper = Paper("2401.00001", "T", "题", "摘要", "zh", "a", "p", False, SourceRef("s.md", 1), "b")
    other_values = {"truncated": True, "source": SourceRef("s.md", 2)}
    for field in dataclasses.fields(Paper):
        changed = dataclasses.replace(paper, **{field.name: other_values.get(field.name, "x")})
        assert Keys().of(changed) != Keys().of(paper), field.name
    assert Keys().of(dataclasses.replace(paper)) == Keys().of(paper)


def test_file_hashes_are_reused_only_while_a_files_metadata_is_unchanged(tmp_path, monkeypatch):
    digest = tmp_path / "week.md"
    digest.write_bytes(b"one")
    just_written = FileHashes()
    assert just_written.digest(digest) == content_digest(b"one")
    assert str(digest) not in just_written.seen  # could change again within the same clock tick
    monkeypatch.setattr(hashes, "RACY_NS", 0)
    settled = FileHashes()
    settled.digest(digest)
    signature = settled.seen[str(digest)][0]
    assert FileHashes({str(digest): (signature, b"kept")}).digest(digest) == b"kept"  # not read again
    before = digest.stat()
    time.sleep(0.05)
    digest.write_bytes(b"two")  # same size, and the old modification time put back
    os.utime(digest, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert FileHashes({str(digest): (signature, b"kept")}).digest(digest) == content_digest(b"two")


def test_every_setting_changes_the_key_of_the_config(bundled_site):
    config = load_config(bundled_site)
    other_values = {"languages": ("zh",), "feed_size": 7, "title": {"zh": "x", "en": "y"}}
    for field in dataclasses.fields(config):
        value = getattr(config, field.name)
        changed_value = other_values.get(field.name, value.parent / "elsewhere" if hasattr(value, "parent") else "x")
        changed = dataclasses.replace(config, **{field.name: changed_value})
        assert Keys().of(changed) != Keys().of(config), field.name


def test_a_tree_digest_changes_with_any_file_name_or_byte(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.html").write_text("one", "utf-8")
    first = tree_digest([tmp_path / "a"])
    assert tree_digest([tmp_path / "a"]) == first
    (tmp_path / "a" / "x.html").write_text("two", "utf-8")
    second = tree_digest([tmp_path / "a"])
    (tmp_path / "a" / "x.html").rename(tmp_path / "a" / "y.html")
    assert len({first, second, tree_digest([tmp_path / "a"])}) == 3

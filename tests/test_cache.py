"""The build cache never changes output: cached and uncached builds agree byte for byte after any change."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import time

import pytest

from digestsite.cache import file_hashes as hashes
from digestsite.cache.build_cache import DiskCache
from digestsite.cache.file_hashes import FileHashes, content_digest
from digestsite.cache.keys import Keys
from digestsite.commands.build import build
from digestsite.config import load_config
from digestsite.content.model import Paper, SourceRef
from digestsite.render.renderer import Renderer
from digestsite.search import shards as search
from helpers import REPO, run, snapshot

JAMBA = "seeds/000_9dc9e78c6ea22407.txt"
GENIE_AGAIN = "# Genie again\n[Genie](https://arxiv.org/abs/2402.15391)\n\n摘要。\n\n"  # also in batch 002


def test_unchanged_site_is_up_to_date_and_untouched(bundled_site):
    root = bundled_site.parent
    assert run(root, "build").returncode == 0
    inode = (root / "_site").stat().st_ino
    before = snapshot(root / "_site")
    again = run(root, "build")
    assert again.returncode == 0 and "_site is up to date" in again.stderr
    assert "seeds/003_001580e75e0c0255.txt:27: warning:" in again.stderr  # warnings are still reported
    assert (root / "_site").stat().st_ino == inode and snapshot(root / "_site") == before


def edit(path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")


def test_cached_and_uncached_builds_agree_after_edits_deletions_and_template_changes(bundled_site):
    root = bundled_site.parent
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "static", root / "static")
    changes = [
        lambda: None,
        lambda: edit(root / JAMBA, "我们推出了 Jamba", "我们隆重推出了 Jamba"),
        # The first paper of a batch: the neighbouring batch's last paper page links to it by title.
        lambda: edit(root / "seeds" / "002_d9196b8b15d8655a.txt", "# MobileLLM: Optimizing", "# MobileLLM: Optimising"),
        # A paper listed by a second batch: which batch owns its page may move.
        lambda: edit(root / JAMBA, "# Jamba:", GENIE_AGAIN + "# Jamba:"),
        lambda: (root / "seeds" / "001_1bbfa1e29201756a.txt").unlink(),
        lambda: edit(root / "templates" / "paper.html", "<article", "<article data-edited"),
        lambda: edit(root / "static" / "style.css", "--measure: 42rem;", "--measure: 44rem;"),
        lambda: edit(bundled_site, "AI Paper Digest", "AI Papers Weekly"),
        lambda: (root / "seeds" / "005_new.md").write_text("# New\n[新](https://arxiv.org/abs/2407.00001)\n\n摘要。\n"),
    ]
    for change in changes:
        change()
        cached = run(root, "build", "--output", "cached")
        fresh = run(root, "build", "--no-cache", "--output", "fresh")
        assert cached.returncode == fresh.returncode == 0
        assert "up to date" not in cached.stderr or change is changes[0]
        assert snapshot(root / "cached") == snapshot(root / "fresh")
        assert "up to date" in run(root, "build", "--output", "cached").stderr


def test_removed_output_is_rebuilt(bundled_site):
    root = bundled_site.parent
    assert run(root, "build").returncode == 0
    shutil.rmtree(root / "_site")
    result = run(root, "build")
    assert "up to date" not in result.stderr and (root / "_site" / "index.html").is_file()


def test_strict_still_fails_on_warnings_when_nothing_changed(bundled_site):
    root = bundled_site.parent
    assert run(root, "build").returncode == 0
    strict = run(root, "build", "--strict")
    assert strict.returncode == 1 and "003_001580e75e0c0255.txt:27: warning:" in strict.stderr


@pytest.fixture
def small_shards(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cut the search index after every batch of the demo site (four shards instead of one)."""
    monkeypatch.setattr(search, "SHARD_LEVELS", (search.ShardLevel(1, 1, 10),))


def test_in_place_updates_of_a_sharded_site_match_fresh_builds(bundled_site, small_shards):
    root = bundled_site.parent
    cached = load_config(bundled_site, {"output": str(root / "cached")})
    fresh = load_config(bundled_site, {"output": str(root / "fresh")})
    first = build(cached, cache=DiskCache(cached))
    assert first.pages == 128 and len(list((root / "cached" / "pagefind").glob("part-*"))) == 3
    changes = [
        lambda: edit(root / JAMBA, "我们推出了 Jamba", "我们隆重推出了 Jamba"),
        # The first paper of a batch: the neighbouring batch's last paper page links to it by title.
        lambda: edit(root / "seeds" / "002_d9196b8b15d8655a.txt", "# MobileLLM: Optimizing", "# MobileLLM: Optimising"),
        # A paper listed by a second batch: which batch owns its page may move.
        lambda: edit(root / JAMBA, "# Jamba:", GENIE_AGAIN + "# Jamba:"),
        lambda: (root / "seeds" / "001_1bbfa1e29201756a.txt").unlink(),
        lambda: (root / "seeds" / "005_new.md").write_text("# New\n[新](https://arxiv.org/abs/2407.00001)\n\n摘要。\n"),
    ]
    for change in changes:
        change()
        updated = build(cached, cache=DiskCache(cached))
        assert updated.in_place and 0 < updated.pages < 128  # only the pages that changed
        build(fresh)
        assert snapshot(root / "cached") == snapshot(root / "fresh")


def test_a_build_into_an_empty_folder_takes_pages_and_index_from_the_cache(bundled_site, small_shards, monkeypatch):
    root = bundled_site.parent
    config = load_config(bundled_site)
    build(config, cache=DiskCache(config))
    before = snapshot(config.output_dir)
    shutil.rmtree(config.output_dir)
    monkeypatch.setattr(Renderer, "render", lambda *_: pytest.fail("a cached page was rendered again"))
    monkeypatch.setattr(subprocess, "Popen", lambda *_, **__: pytest.fail("a cached shard was indexed again"))
    build(config, cache=DiskCache(config))
    assert snapshot(config.output_dir) == before
    assert (root / ".digestsite-cache" / "pages" / "index.pickle").is_file()


def test_a_damaged_page_store_costs_time_never_correctness(bundled_site):
    root = bundled_site.parent
    config = load_config(bundled_site)
    build(config, cache=DiskCache(config))
    before = snapshot(config.output_dir)
    for segment in (root / ".digestsite-cache" / "pages").glob("segment-*"):
        segment.write_bytes(segment.read_bytes()[:1000])  # truncated: most pages can no longer be read
    shutil.rmtree(config.output_dir)
    build(config, cache=DiskCache(config))
    assert snapshot(config.output_dir) == before


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

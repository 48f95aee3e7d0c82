"""Never publish a broken site: one build at a time per output, guarded paths, a failed search index."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from corpus import write_corpus
from digestsite.cache.build_cache import DiskCache
from digestsite.commands.build import build
from digestsite.config import load_config
from digestsite.errors import OutputError
from digestsite.output import journal
from digestsite.output.lock import OutputLock
from digestsite.search import documents
from helpers import EXECUTABLE, run, snapshot, write_site

GOOD = "# One\n[一](https://arxiv.org/abs/2401.00001)\n\n摘要。\n"


def test_a_second_build_fails_at_once_with_no_wait_and_otherwise_waits(tmp_path):
    write_site(tmp_path, {"a.md": GOOD})
    with OutputLock(tmp_path / "_site"):  # another build is writing
        refused = run(tmp_path, "build", "--no-wait")
        assert refused.returncode == 2 and "another build is writing" in refused.stderr
        assert not (tmp_path / "_site").exists()
        waiting = subprocess.Popen([EXECUTABLE, "build"], cwd=tmp_path, stderr=subprocess.PIPE, text=True)
        assert waiting.stderr is not None
        assert "waiting for another build of _site" in waiting.stderr.readline()
        time.sleep(0.5)
        assert waiting.poll() is None and not (tmp_path / "_site").exists()  # still waiting
    assert waiting.wait(timeout=60) == 0
    assert (tmp_path / "_site" / "papers" / "2401.00001" / "index.html").is_file()


def concurrent_builds(root: Path) -> None:
    first = subprocess.Popen([EXECUTABLE, "build", "--quiet"], cwd=root)
    second = subprocess.Popen([EXECUTABLE, "build", "--no-cache", "--quiet"], cwd=root)
    assert first.wait(timeout=300) == 0 and second.wait(timeout=300) == 0


@pytest.mark.slow
@pytest.mark.parametrize("rounds", [20])
def test_two_builds_into_one_output_always_leave_a_complete_site(tmp_path, rounds):
    write_corpus(tmp_path / "seeds", papers=300)
    (tmp_path / "site.yaml").write_text("languages: [zh, en]\n", "utf-8")
    config = load_config(tmp_path / "site.yaml", {"output": str(tmp_path / "expected")})
    build(config)
    expected = snapshot(tmp_path / "expected")
    for _ in range(rounds):
        concurrent_builds(tmp_path)
        assert snapshot(tmp_path / "_site") == expected
        leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith("._site.")]
        assert leftovers == []


def test_an_output_path_through_a_link_to_nothing_is_refused(tmp_path):
    write_site(tmp_path, {"a.md": GOOD})
    (tmp_path / "out").symlink_to(tmp_path / "missing" / "deeper")
    result = run(tmp_path, "build", "--output", "out/site")
    assert result.returncode == 2 and "does not exist" in result.stderr
    assert not (tmp_path / "missing").exists()  # the link was not followed


def test_a_link_in_seeds_to_a_file_outside_is_skipped_with_a_warning(tmp_path):
    outside = tmp_path / "private.md"
    outside.write_text("# Private\n[私](https://arxiv.org/abs/2401.00002)\n\n不该发布。\n", "utf-8")
    write_site(tmp_path / "site", {"a.md": GOOD})
    (tmp_path / "site" / "seeds" / "b.md").symlink_to(outside)
    result = run(tmp_path / "site", "build")
    assert result.returncode == 0
    assert "seeds/b.md:1: warning: skipped: a link to a file outside the seeds folder" in result.stderr
    assert not (tmp_path / "site" / "_site" / "papers" / "2401.00002").exists()


def test_a_search_index_that_fails_leaves_the_live_site_as_it_was(tmp_path, monkeypatch):
    write_site(tmp_path, {"a.md": GOOD})
    config = load_config(tmp_path / "site.yaml")
    build(config, cache=DiskCache(config))
    before = snapshot(config.output_dir)
    (tmp_path / "seeds" / "a.md").write_text(GOOD.replace("摘要", "新摘要"), "utf-8")

    def fail(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(documents, "add_tokens", fail)
    for cache in (DiskCache(config), None):  # an in-place update, then a staged build
        with pytest.raises(OSError, match="disk full"):
            build(config, cache=cache) if cache else build(config)
        assert snapshot(config.output_dir) == before
        assert not [p for p in tmp_path.iterdir() if p.name.startswith("._site.")]


def test_a_lock_is_released_when_its_build_fails(tmp_path):
    write_site(tmp_path, {"a.md": GOOD.replace("2401.00001", "not-an-id")})
    with pytest.raises(Exception):  # noqa: B017 (any content error)
        build(load_config(tmp_path / "site.yaml"))
    with OutputLock(tmp_path / "_site", busy=None):
        pass  # taken at once: the failed build let it go
    with (
        OutputLock(tmp_path / "_site", busy=None),
        pytest.raises(OutputError),
        OutputLock(tmp_path / "_site", busy=None),
    ):
        pass  # a second holder, even in this process, is refused


def edit_newest_summary(root: Path, new: bool) -> None:
    digest = sorted((root / "seeds").iterdir())[-1]  # the newest batch: a typical in-place update
    marker = "（已更新）"
    text = digest.read_text("utf-8").replace(marker, "")
    digest.write_text(text.replace("。", f"。{marker}", 1) if new else text, "utf-8")


def full_build(root: Path, name: str) -> dict[str, bytes]:
    build(load_config(root / "site.yaml", {"output": str(root / name)}))
    return snapshot(root / name)


@pytest.fixture
def old_and_new(tmp_path):
    """A cached live site (old), the snapshots of the old and the edited site, and the edit in place."""
    write_corpus(tmp_path / "seeds", papers=150)
    (tmp_path / "site.yaml").write_text("languages: [zh, en]\n", "utf-8")
    old = full_build(tmp_path, "old")
    edit_newest_summary(tmp_path, new=True)
    new = full_build(tmp_path, "new")
    edit_newest_summary(tmp_path, new=False)
    config = load_config(tmp_path / "site.yaml")
    build(config, cache=DiskCache(config))
    assert snapshot(config.output_dir) == old
    return config, old, new


class Stopped(BaseException):
    """Stands for a kill: nothing of the build runs after it."""


@pytest.mark.parametrize("stops", [pytest.param(range(200), marks=pytest.mark.slow, id="every-step"), [0, 7, 200]])
def test_an_update_stopped_at_any_step_is_rolled_back_by_the_next_build(old_and_new, monkeypatch, stops):
    config, old, new = old_and_new
    moves = 0
    real_replace = os.replace
    for stop_at in stops:
        edit_newest_summary(config.root, new=True)
        calls = []

        def replace(source, target, stop_at=stop_at, calls=calls):  # type: ignore[no-untyped-def]
            if "update-" in str(source) or "update-" in str(target):
                calls.append(target)
                if len(calls) > stop_at:
                    raise Stopped
            real_replace(source, target)

        monkeypatch.setattr(journal.os, "replace", replace)
        monkeypatch.setattr(journal, "roll_back", lambda live, folder: None)  # a kill undoes nothing
        monkeypatch.setattr(journal.Journal, "discard", lambda self, background=False: None)
        try:
            result = build(config, cache=DiskCache(config))
        except Stopped:
            result = None
        monkeypatch.undo()
        if result is not None:  # every step ran: the update is complete
            assert result.in_place and snapshot(config.output_dir) == new
            break
        moves = max(moves, len(calls))
        assert journal.roll_back_interrupted(config.output_dir) == 1  # what the next build does first
        assert snapshot(config.output_dir) == old
        assert not list(config.root.glob("._site.update-*"))
        edit_newest_summary(config.root, new=False)
    assert moves > 7  # the update had many steps, and a stop within them was undone


def test_a_write_error_during_an_update_leaves_the_old_site(old_and_new, monkeypatch):
    config, old, _new = old_and_new
    edit_newest_summary(config.root, new=True)
    real_replace, calls = os.replace, []

    def failing(source, target):  # type: ignore[no-untyped-def]
        calls.append(target)
        if len(calls) == 5:
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(journal.os, "replace", failing)
    with pytest.raises(OSError, match="No space"):
        build(config, cache=DiskCache(config))
    monkeypatch.undo()
    assert snapshot(config.output_dir) == old and not list(config.root.glob("._site.update-*"))


@pytest.mark.slow
@pytest.mark.parametrize("kills", [50])
def test_killing_an_in_place_update_anywhere_leaves_the_old_or_the_new_site(old_and_new, kills):
    config, old, new = old_and_new
    root = config.root
    started = time.monotonic()
    edit_newest_summary(root, new=True)
    assert "updated in place" in run(root, "build").stderr
    duration = time.monotonic() - started
    rng = random.Random(11)
    for _ in range(kills):
        live = snapshot(root / "_site")
        edit_newest_summary(root, new=live == old)  # every build is an in-place update to the other site
        process = subprocess.Popen([EXECUTABLE, "build", "--quiet"], cwd=root)
        time.sleep(rng.uniform(0.05, duration))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait()
        journal.roll_back_interrupted(root / "_site")  # what the next build does first
        assert snapshot(root / "_site") in (old, new)


def test_a_killed_builds_staging_folder_is_removed_by_an_in_place_build(tmp_path):
    write_site(tmp_path, {"a.md": GOOD})
    assert run(tmp_path, "build").returncode == 0
    leftover = tmp_path / "._site.tmp-999999999-abc"  # a staging folder whose build (no such pid) died
    leftover.mkdir()
    (leftover / "index.html").write_text("half a site", "utf-8")
    (tmp_path / "seeds" / "a.md").write_text(GOOD.replace("摘要", "新的摘要"), "utf-8")
    result = run(tmp_path, "build")
    assert "updated in place" in result.stderr
    assert not leftover.exists()

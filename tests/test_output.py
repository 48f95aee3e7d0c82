"""Writing: forked workers, the staging folder's guards, the one folder swap."""

from __future__ import annotations

import os
import time
from functools import partial

import pytest

from digestsite.errors import DigestsiteError, OutputError
from digestsite.output.parallel import run_forked
from digestsite.output.staging import MARKER, StagingFolder, _stale_siblings
from digestsite.output.swap import remove_tree, swap_folder


def square(n: int) -> int:
    return n * n


def fail(message: str) -> None:
    raise OutputError(message)


def test_forked_shares_return_their_results_in_order():
    assert run_forked([partial(square, n) for n in range(5)]) == [0, 1, 4, 9, 16]


def test_a_shares_exception_is_raised_in_the_parent():
    with pytest.raises(OutputError, match="broken template"):
        run_forked([partial(square, 2), partial(fail, "broken template")])


def test_a_worker_that_dies_is_an_error_not_a_hang():
    with pytest.raises(DigestsiteError, match="died"):
        run_forked([partial(os._exit, 9)])


def test_staging_refuses_two_outputs_for_one_file_and_paths_that_leave_it(tmp_path):
    with StagingFolder(tmp_path / "site") as staging:
        staging.claim("papers/1/index.html")
        with pytest.raises(OutputError, match="same file"):
            staging.claim("papers/1/index.html")
        for bad in ("../escape.html", "/etc/passwd", "a/../../b", "a\\b"):
            with pytest.raises(OutputError, match="outside the output"):
                staging.claim(bad)
        staging.discard()
    assert not any(tmp_path.iterdir())


def test_a_commit_swaps_the_site_in_and_removes_the_old_one(tmp_path):
    live = tmp_path / "site"
    with StagingFolder(live) as first:
        first.copy("old.txt", _file(tmp_path / "old-source", "old"))
        first.commit()
    with StagingFolder(live) as second:
        second.copy("new.txt", _file(tmp_path / "new-source", "new"))
        second.commit()
    assert sorted(p.name for p in live.iterdir()) == [MARKER, "new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new-source", "old-source", "site"]


def test_swap_folder_replaces_a_live_folder_whole(tmp_path):
    (tmp_path / "live").mkdir()
    _file(tmp_path / "live" / "a", "old")
    (tmp_path / "fresh").mkdir()
    _file(tmp_path / "fresh" / "b", "new")
    swap_folder(tmp_path / "fresh", tmp_path / "live")
    assert [p.name for p in (tmp_path / "live").iterdir()] == ["b"]
    assert not (tmp_path / "fresh").exists()


def _file(path, text: str):
    path.write_text(text, "utf-8")
    return path


def test_a_folder_deleted_in_the_background_is_left_to_its_deleter(tmp_path):
    """The deleting process takes the folder under its own process ID before `remove_tree` returns, so a
    build that starts meanwhile does not count it as a dead build's leftover and delete the same files."""
    doomed = tmp_path / ".site.tmp-999999999-abc"  # a staging folder whose build (no such pid) ended
    for n in range(200):
        (doomed / f"d{n % 10}").mkdir(parents=True, exist_ok=True)
        (doomed / f"d{n % 10}" / f"{n}.html").write_text("x", "utf-8")
    assert _stale_siblings(tmp_path / "site") == [doomed]
    remove_tree(doomed, background=True)
    assert not doomed.exists()
    for left in tmp_path.iterdir():  # whatever is still there belongs to a running process
        assert left.name.startswith(".site.tmp-") and left not in _stale_siblings(tmp_path / "site")
    deadline = time.monotonic() + 20
    while any(tmp_path.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(tmp_path.iterdir())


def test_a_background_deletion_deletes_its_folder_and_nothing_beside_it_whatever_the_name(tmp_path):
    """A folder name may hold a newline: the deleter must not take the part before it for its folder."""
    neighbour = tmp_path / ".my"
    neighbour.mkdir()
    (neighbour / "keep.txt").write_text("mine", "utf-8")
    doomed = tmp_path / ".my\nsite.tmp-999999999-abc"
    (doomed / "a").mkdir(parents=True)
    (doomed / "a" / "index.html").write_text("x", "utf-8")
    remove_tree(doomed, background=True)
    deadline = time.monotonic() + 20
    while len(list(tmp_path.iterdir())) > 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [path.name for path in tmp_path.iterdir()] == [".my"]
    assert (neighbour / "keep.txt").read_text("utf-8") == "mine"

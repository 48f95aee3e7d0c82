"""Replacing files and folders of a live site so that a failure or a kill can always be undone.

Everything new is written first, into an update folder beside the output (`new/`). A journal listing
every replacement is written next; then, one by one, each old file or folder is moved aside (`old/`)
and its new one moved in. A failure rolls every step back at once. A build killed half-way leaves the
update folder and its journal: the next build rolls it back before doing anything else, so the site is
never left half old, half new for longer than the kill itself.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from digestsite.lifetime import process_alive
from digestsite.output.files import atomic_write
from digestsite.output.paths import checked_relative
from digestsite.output.swap import remove_tree

_JOURNAL = "journal.json"


@dataclass(frozen=True)
class Step:
    """One replacement: `path` (relative to the site) gets `new/path`, or is removed when `remove`."""

    path: str
    existed: bool
    remove: bool = False


class Journal:
    """An update folder beside `live`: `new` holds what will replace the live paths."""

    def __init__(self, live: Path) -> None:
        self.live = live
        live.parent.mkdir(parents=True, exist_ok=True)
        prefix = f".{live.name}.update-{os.getpid()}-"
        self.folder = Path(tempfile.mkdtemp(prefix=prefix, dir=live.parent))
        self.new = self.folder / "new"
        self.old = self.folder / "old"

    def apply(self, replace: Sequence[str], remove: Sequence[str]) -> None:
        """Move every `replace` path in from `new/` and every `remove` path out; all or nothing."""
        steps = [Step(checked_relative(p), _exists(self.live / p)) for p in replace]
        steps += [Step(checked_relative(p), True, remove=True) for p in remove if _exists(self.live / p)]
        atomic_write(self.folder / _JOURNAL, json.dumps([s.__dict__ for s in steps]).encode())
        try:
            for step in steps:
                _apply(self.live, self.folder, step)
        except BaseException:
            roll_back(self.live, self.folder)
            raise
        (self.folder / _JOURNAL).unlink()  # done: nothing to undo any more
        # What was replaced goes; a replaced folder (a search index) in the background, as it is large.
        self.discard(background=any((self.old / step.path).is_dir() for step in steps))

    def discard(self, background: bool = False) -> None:
        remove_tree(self.folder, background=background)


def _exists(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def _apply(live: Path, folder: Path, step: Step) -> None:
    target = live / step.path
    if step.existed:
        aside = folder / "old" / step.path
        aside.parent.mkdir(parents=True, exist_ok=True)
        os.replace(target, aside)
    if not step.remove:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(folder / "new" / step.path, target)
    _prune_empty(target.parent, live)


def roll_back(live: Path, folder: Path) -> None:
    """Undo the steps of an update folder's journal that had been applied, in reverse order."""
    journal = folder / _JOURNAL
    if journal.is_file():
        steps = [Step(**entry) for entry in json.loads(journal.read_text("utf-8"))]
        for step in reversed(steps):
            target, aside, new = live / step.path, folder / "old" / step.path, folder / "new" / step.path
            moved_in = not step.remove and not _exists(new) and _exists(target)
            if moved_in:
                _delete(target)
            if step.existed and _exists(aside):
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(aside, target)
            _prune_empty(target.parent, live)
        journal.unlink()
    remove_tree(folder)


def roll_back_interrupted(live: Path) -> int:
    """Before a build touches `live`: undo the updates of builds that died half-way; how many there were."""
    if not live.parent.is_dir():
        return 0
    undone = 0
    for folder in live.parent.glob(f".{live.name}.update-*"):
        pid = folder.name.rsplit("-", 2)[-2]
        if folder.is_dir() and not (pid.isdigit() and process_alive(int(pid))):
            roll_back(live, folder)
            undone += 1
    return undone


def _delete(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def _prune_empty(folder: Path, live: Path) -> None:
    """Remove folders a step left empty, up to the site's root (the site never has empty folders)."""
    while folder != live and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent

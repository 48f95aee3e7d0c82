"""Bring a live output folder up to date by rewriting only the files whose fingerprints changed.

Used by `build` when the output folder is exactly as its last build left it, and by the dev server.
Every changed file is produced in memory first, so a failure (a broken template) writes nothing; then
each file is replaced atomically and files no longer produced are removed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from digestsite.cache.page_store import Location, PageStore, Producer
from digestsite.output.staging import remove_file, replace_file

if TYPE_CHECKING:
    from digestsite.commands.build import Output, OutputGroup


@dataclass(frozen=True)
class Update:
    """Every changed file's bytes, produced before anything is written; `write` applies them."""

    files: dict[str, bytes]
    stale: list[str]
    pages: int  # how many of `files` are pages
    added: dict[str, Location]  # store locations of what had to be rendered

    def write(self, output_dir: Path) -> None:
        for path, data in self.files.items():
            replace_file(output_dir, path, data)
        for path in self.stale:
            remove_file(output_dir, path)


@dataclass(frozen=True)
class Changes:
    """A site's outputs against what an output folder holds: what to produce, and the new record."""

    changed: list[Output]  # outputs whose fingerprints the folder does not have
    files: dict[str, str]  # every output's path → fingerprint
    groups: dict[str, tuple[str, ...]]  # each keyed group → its outputs' paths

    def stale(self, previous: Mapping[str, str]) -> list[str]:
        """The files of `previous` that no output writes any more."""
        return sorted(set(previous) - set(self.files))


def find_changes(
    groups: Sequence[OutputGroup], files: Mapping[str, str], recorded: Mapping[str, tuple[str, ...]]
) -> Changes:
    """Compare planned groups with a folder's `files` (path → fingerprint) and `recorded` groups.

    A group whose key was recorded is taken as it was, without planning it (see OutputGroup).
    """
    changes = Changes([], {}, {})
    for group in groups:
        key = group.key
        known = recorded.get(key) if key is not None else None
        if key is not None and known is not None and all(path in files for path in known):
            changes.files.update((path, files[path]) for path in known)
            changes.groups[key] = known
            continue
        for output in group.outputs:
            changes.files[output.path] = output.fingerprint
            if files.get(output.path) != output.fingerprint:
                changes.changed.append(output)
        if key is not None:
            changes.groups[key] = tuple(output.path for output in group.outputs)
    return changes


def prepare_update(changed: Sequence[Output], stale: list[str], store: PageStore | None = None) -> Update:
    """The `changed` outputs produced in memory, to replace their files, and the `stale` files to remove."""
    pending: dict[str, bytes] = {}
    with Producer(store) as producer:
        for output in changed:
            if output.source is not None:
                pending[output.path] = output.source.read_bytes()
            else:
                assert output.produce is not None
                pending[output.path] = producer.bytes_of(output.fingerprint, output.produce, output.stored)
    return Update(pending, stale, sum(o.is_page for o in changed), producer.added)

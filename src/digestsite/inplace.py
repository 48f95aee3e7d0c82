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

from digestsite.output import remove_file, replace_file
from digestsite.store import Location, PageStore, Producer

if TYPE_CHECKING:
    from digestsite.build import Output


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


def changed_outputs(outputs: Sequence[Output], previous: Mapping[str, str]) -> list[Output]:
    return [o for o in outputs if previous.get(o.path) != o.fingerprint]


def prepare_update(
    outputs: Sequence[Output], changed: Sequence[Output], previous: Mapping[str, str], store: PageStore | None = None
) -> Update:
    """The `changed` outputs (see `changed_outputs`) produced in memory, and the files of `previous`
    (path → fingerprint of the folder's current files) that no output writes any more."""
    pending: dict[str, bytes] = {}
    with Producer(store) as producer:
        for output in changed:
            if output.source is not None:
                pending[output.path] = output.source.read_bytes()
            else:
                assert output.produce is not None
                pending[output.path] = producer.bytes_of(output.fingerprint, output.produce)
    current = {o.path for o in outputs}
    stale = sorted(set(previous) - current)
    return Update(pending, stale, sum(o.is_page for o in changed), producer.added)

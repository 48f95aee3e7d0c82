"""What an output folder lacks: the planned outputs whose fingerprints it does not have, and the new record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from digestsite.cache.keys import Keys

if TYPE_CHECKING:
    from digestsite.render.outputs import Output, OutputPlan

Planned = tuple["Output", str]  # an output and its fingerprint


@dataclass
class Changes:
    """The outputs to produce, the files to remove, and the record of what the folder will hold."""

    planned: list[Planned] = field(default_factory=list)  # outputs whose fingerprints the folder lacks
    files: dict[str, str] = field(default_factory=dict)  # every output's path → fingerprint
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)  # each keyed group → its outputs' paths
    stale: list[str] = field(default_factory=list)  # files of the folder that no output writes any more

    @property
    def pages(self) -> int:
        return sum(output.is_page for output, _ in self.planned)


def find_changes(
    plan: OutputPlan,
    keys: Keys,
    salt: str,
    files: Mapping[str, str],
    recorded: Mapping[str, tuple[str, ...]],
    made: Mapping[str, str] | None = None,
) -> Changes:
    """Compare the planned outputs with a folder's `files` (path → fingerprint) and `recorded` groups.

    Every fingerprint starts from `salt`, a key over what all outputs share (settings, UI strings, assets,
    the template files), so a template or config change changes them all. A group whose key was
    recorded is taken as it was, without planning it (see OutputGroup). `made` holds the fingerprints of
    what the last build wrote, when the folder no longer has it (emptied, or deleted as on a CI runner):
    a recorded group's outputs are then planned to be written again, with the fingerprints recorded.
    """
    changes = Changes()
    made = files if made is None else made
    for group in plan.groups:
        key = keys.combine(salt, *group.inputs) if group.inputs is not None else None
        known = recorded.get(key) if key is not None else None
        if known is not None and all(path in made for path in known):
            changes.groups[key] = known  # type: ignore[index]
            if all(path in files for path in known):
                changes.files.update((path, files[path]) for path in known)
                continue
            fingerprints = {path: made[path] for path in known}
        else:
            fingerprints = {}
        for output in group.outputs:
            fingerprint = fingerprints.get(output.path) or keys.combine(salt, output.path, *output.inputs)
            changes.files[output.path] = fingerprint
            if files.get(output.path) != fingerprint:
                changes.planned.append((output, fingerprint))
        if key is not None:
            changes.groups[key] = tuple(output.path for output in group.outputs)
    changes.stale = sorted(set(files) - set(changes.files))
    return changes

"""What the last build left in an output folder, and how to tell the folder is still as it left it."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from digestsite.cache.pickles import read_pickle, write_pickle
from digestsite.content.model import Diagnostic, Severity
from digestsite.output.files import atomic_write
from digestsite.output.staging import MARKER


def output_key(output_dir: Path) -> str:
    """Identifies the output folder a build left: its inode, its marker file's, and its top-level names.

    Every staged build replaces the whole folder and an in-place update rewrites the marker's record, so
    these change whenever anything but a hand edit inside the folder touched it; `build --no-cache`
    rebuilds regardless. Stat-ing every file instead would cost more than half a second at 10,000 papers.
    """
    try:
        folder = output_dir.stat()
        marker = (output_dir / MARKER).stat()
    except OSError:
        return ""
    names = hashlib.blake2b("\0".join(sorted(os.listdir(output_dir))).encode(), digest_size=8).hexdigest()
    return f"{folder.st_ino}:{folder.st_dev}:{marker.st_ino}:{marker.st_mtime_ns}:{names}"


@dataclass(frozen=True)
class Manifest:
    """What a build wrote into its output folder: each file's fingerprint, the paths of each keyed
    output group (see render.outputs.OutputGroup), and the keys of its search index."""

    files: dict[str, str]
    groups: dict[str, tuple[str, ...]]
    search: list[str]
    intact: bool = True  # the output folder is still exactly as the build that made it left it


class Records:
    """The cache's records of each output folder: its manifest (a pickle per folder) and the last build's
    input key and diagnostics (build.json), which let an unchanged build return at once."""

    def __init__(self, folder: Path, output_dir: Path) -> None:
        self.output_dir = output_dir
        name = hashlib.blake2b(str(output_dir).encode("utf-8", "surrogateescape"), digest_size=8).hexdigest()
        self._manifest = folder / f"output-{name}.pickle"
        self._builds = folder / "build.json"

    def manifest(self) -> Manifest | None:
        """The last build's manifest, saying whether the output folder is still as that build left it (if
        not, it still tells what that build made)."""
        stored = read_pickle(self._manifest)
        if not isinstance(stored, dict):
            return None
        intact = stored.get("output") == output_key(self.output_dir)
        return Manifest(stored["files"], stored["groups"], stored["search"], intact)

    def last_build(self, inputs: str) -> list[Diagnostic] | None:
        """The last build's diagnostics if it had these `inputs` and left the folder as it is now."""
        record = self._read_builds().get(str(self.output_dir))
        if not record or record.get("inputs") != inputs or record.get("output") != output_key(self.output_dir):
            return None
        return [Diagnostic(d["path"], d["line"], Severity(d["severity"]), d["message"]) for d in record["diagnostics"]]

    def save(self, manifest: Manifest, inputs: str, diagnostics: tuple[Diagnostic, ...]) -> None:
        output = output_key(self.output_dir)
        stored = {"output": output, "files": manifest.files, "groups": manifest.groups, "search": manifest.search}
        write_pickle(self._manifest, stored)
        if inputs:
            builds = self._read_builds()
            entry = {"inputs": inputs, "output": output, "diagnostics": [d.as_dict() for d in diagnostics]}
            builds[str(self.output_dir)] = entry
            self._write_builds(builds)

    def _read_builds(self) -> dict[str, Any]:
        try:
            data = json.loads(self._builds.read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write_builds(self, data: dict[str, Any]) -> None:
        atomic_write(self._builds, json.dumps(data, indent=1, sort_keys=True).encode())

"""The build cache: a build whose inputs and output are exactly as the last build left them does nothing.

The key covers everything a build reads (package version, options, site.yaml's values, every digest
file, template, static file and locale, the bundled theme) and the identity of the output folder the
last build swapped in. It lives in
`.digestsite-cache/` beside site.yaml, never in the output, which stays byte-identical.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from digestsite import __version__
from digestsite.cache.file_hashes import FileHashes, hash_tree
from digestsite.config import Config
from digestsite.content.model import Diagnostic, Severity, failing_diagnostics
from digestsite.content.parse import ParseResult
from digestsite.output.staging import MARKER
from digestsite.render.theme import theme_dir

CACHE_DIR = ".digestsite-cache"


def _cache_file(config: Config) -> Path:
    return config.root / CACHE_DIR / "build.json"


def cache_folder(config: Config, name: str = "") -> Path | None:
    """A folder of the build cache (the cache itself without `name`), made if need be; None where it
    cannot be (a read-only site folder)."""
    root = config.root / CACHE_DIR
    folder = root / name if name else root
    try:
        folder.mkdir(parents=True, exist_ok=True)
        ignore = root / ".gitignore"
        if not ignore.is_file():
            ignore.write_text("*\n", "utf-8")
    except OSError:
        return None
    return folder


def read_pickle(path: Path, version: object) -> Any:
    """What `write_pickle` stored at `path` under the same `version`; None if absent, older or unreadable."""
    try:
        with open(path, "rb") as file:
            stored = pickle.load(file)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, KeyError, TypeError, ImportError, ValueError):
        return None
    if not isinstance(stored, dict) or stored.get("version") != version:
        return None
    return stored.get("payload")


def write_pickle(path: Path, version: object, payload: object) -> None:
    """Replace `path` atomically: a reader sees the old payload or the new one, never half of one."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    with open(temporary, "wb") as file:
        pickle.dump({"version": version, "payload": payload}, file, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, path)


def input_key(config: Config, options: str, hashes: FileHashes | None = None) -> str:
    digest = hashlib.blake2b(digest_size=20)
    fields = (__version__, options, config.title, config.description, config.base_url, config.languages,
              config.feed_size, config.cname)  # fmt: skip
    digest.update(repr(fields).encode())
    theme = theme_dir()
    package_locales = Path(__file__).parents[1] / "locales"
    for folder in (config.seeds_dir, config.templates_dir, config.static_dir, config.locales_dir,
                   theme / "templates", theme / "static", package_locales):  # fmt: skip
        digest.update(str(folder).encode())
        hash_tree(digest, folder, hashes)
    return digest.hexdigest()


def output_key(output_dir: Path) -> str:
    """Identifies the output folder a build swapped in: its inode and its marker file's.

    Every build replaces the whole folder, so these change whenever anything but a hand edit inside
    the folder touched it; `build --no-cache` rebuilds regardless. Stat-ing every file instead would
    cost more than half a second at 10,000 papers.
    """
    try:
        folder = output_dir.stat()
        marker = (output_dir / MARKER).stat()
    except OSError:
        return ""
    names = hashlib.blake2b("\0".join(sorted(os.listdir(output_dir))).encode(), digest_size=8).hexdigest()
    return f"{folder.st_ino}:{folder.st_dev}:{marker.st_ino}:{marker.st_mtime_ns}:{names}"


def _records(config: Config) -> dict[str, Any]:
    """build.json: the last build's record for each output folder."""
    try:
        data = json.loads(_cache_file(config).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_records(config: Config, data: dict[str, Any]) -> None:
    if cache_folder(config) is None:
        return  # a read-only site folder just builds every time
    with contextlib.suppress(OSError):
        _cache_file(config).write_text(json.dumps(data, indent=1, sort_keys=True), "utf-8")


def cached_result(config: Config, inputs: str) -> list[Diagnostic] | None:
    """The last build's diagnostics if it can be reused as it is, else None."""
    record = _records(config).get(str(config.output_dir))
    if not record or record.get("inputs") != inputs or record.get("output") != output_key(config.output_dir):
        return None
    return [Diagnostic(d["path"], d["line"], Severity(d["severity"]), d["message"]) for d in record["diagnostics"]]


def remember(config: Config, inputs: str, diagnostics: tuple[Diagnostic, ...]) -> None:
    data = _records(config)
    data[str(config.output_dir)] = {
        "inputs": inputs,
        "output": output_key(config.output_dir),
        "diagnostics": [d.as_dict() for d in diagnostics],
    }
    _write_records(config, data)


def reusable_build(
    config: Config, local: bool, strict: bool, hashes: FileHashes | None = None
) -> tuple[str, list[Diagnostic] | None]:
    """The input key of this build, and the last build's diagnostics when its output can stand as it is."""
    hashes = hashes or load_file_hashes(config)
    inputs = input_key(config, f"local={local}", hashes)
    save_file_hashes(config, hashes)
    reused = cached_result(config, inputs)
    if reused is not None and failing_diagnostics(reused, strict):
        reused = None  # --strict must fail on the warnings again, not pass because nothing changed
    return inputs, reused


_VERSION = (4, __version__, sys.version_info[:2])  # of the pickles below


def load_file_hashes(config: Config) -> FileHashes:
    known = read_pickle(config.root / CACHE_DIR / "hashes.pickle", _VERSION)
    return FileHashes(known if isinstance(known, dict) else None)


def save_file_hashes(config: Config, hashes: FileHashes) -> None:
    folder = cache_folder(config) if hashes.changed else None
    if folder is not None:
        write_pickle(folder / "hashes.pickle", _VERSION, hashes.seen)


class StoredParses:
    """Parsed digest files kept in the build cache, one file each, named by the key of what was parsed
    (see site.load_site), so a one-digest edit writes one small file. Entries this build did not use are
    dropped by `prune`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: set[str] = set()

    def lookup(self, path: Path, key: bytes) -> ParseResult | None:
        name = key.hex()
        self.used.add(name)
        result = read_pickle(self.folder / name, _VERSION)
        return result if isinstance(result, ParseResult) else None

    def keep(self, path: Path, key: bytes, result: ParseResult) -> None:
        with contextlib.suppress(OSError):
            write_pickle(self.folder / key.hex(), _VERSION, result)

    def prune(self) -> None:
        for entry in os.scandir(self.folder):
            if entry.name not in self.used and not entry.name.startswith("."):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _manifest_file(config: Config) -> Path:
    name = hashlib.blake2b(str(config.output_dir).encode("utf-8", "surrogateescape"), digest_size=8).hexdigest()
    return config.root / CACHE_DIR / f"output-{name}.pickle"


@dataclass(frozen=True)
class Manifest:
    """What a build wrote into its output folder: each file's fingerprint, the paths of each keyed
    output group (see build.OutputGroup), and the search shards' keys."""

    files: dict[str, str]
    groups: dict[str, tuple[str, ...]]
    search: list[str]


def load_manifest(config: Config) -> Manifest | None:
    """The last build's manifest if the output folder is still exactly as that build left it; else None."""
    stored = read_pickle(_manifest_file(config), _VERSION)
    if not isinstance(stored, dict) or stored.get("output") != output_key(config.output_dir):
        return None
    try:
        return Manifest(stored["files"], stored["groups"], stored["search"])
    except KeyError:  # written by another version
        return None


def save_manifest(config: Config, manifest: Manifest) -> None:
    if cache_folder(config) is not None:
        stored = {"output": output_key(config.output_dir), "files": manifest.files, "groups": manifest.groups,
                  "search": manifest.search}  # fmt: skip
        write_pickle(_manifest_file(config), _VERSION, stored)


def forget_output(config: Config) -> None:
    """Before updating the output in place: a build killed half-way must leave no record that matches it."""
    _manifest_file(config).unlink(missing_ok=True)
    data = _records(config)
    if data.pop(str(config.output_dir), None) is not None:
        _write_records(config, data)

"""The build cache: a build whose inputs and output are exactly as the last build left them does nothing.

The key covers everything a build reads (package version, options, site.yaml's values, every digest
file, template, static file and locale, the bundled theme) and the identity of the output folder the
last build swapped in. It lives in
`.digestsite-cache/` beside site.yaml, never in the output, which stays byte-identical.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import stat
import sys
from pathlib import Path

from digestsite import __version__
from digestsite.config import Config
from digestsite.model import Diagnostic, Severity, failing_diagnostics
from digestsite.output import MARKER
from digestsite.site import ParseCache
from digestsite.theme import theme_dir

CACHE_DIR = ".digestsite-cache"


def _cache_file(config: Config) -> Path:
    return config.root / CACHE_DIR / "build.json"


def cache_folder(config: Config, name: str) -> Path | None:
    """A folder of the build cache, made if need be; None where it cannot be (a read-only site folder)."""
    root = config.root / CACHE_DIR
    folder = root / name if name else root
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (root / ".gitignore").write_text("*\n", "utf-8")
    except OSError:
        return None
    return folder


def hash_tree(digest: hashlib._Hash, folder: Path) -> None:
    """Feed every entry under `folder` (names, and bytes of files) into `digest`."""
    if not folder.is_dir():
        digest.update(b"-")
        return
    for path in sorted(folder.rglob("*")):
        # Every entry counts, readable or not: a new fifo or broken link changes the build's warnings.
        digest.update(path.relative_to(folder).as_posix().encode("utf-8", "surrogateescape") + b"\0")
        try:
            mode = path.lstat().st_mode
            if stat.S_ISREG(mode) or (stat.S_ISLNK(mode) and path.is_file()):
                digest.update(path.read_bytes())
            else:
                digest.update(str(stat.S_IFMT(mode)).encode())
        except OSError as exc:
            digest.update(f"unreadable {exc.errno}".encode())
        digest.update(b"\0")


def input_key(config: Config, options: str) -> str:
    digest = hashlib.blake2b(digest_size=20)
    fields = (__version__, options, config.title, config.description, config.base_url, config.languages,
              config.feed_size, config.cname)  # fmt: skip
    digest.update(repr(fields).encode())
    theme = theme_dir()
    package_locales = Path(__file__).parent / "locales"
    for folder in (config.seeds_dir, config.templates_dir, config.static_dir, config.locales_dir,
                   theme / "templates", theme / "static", package_locales):  # fmt: skip
        digest.update(str(folder).encode())
        hash_tree(digest, folder)
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


def cached_result(config: Config, inputs: str) -> list[Diagnostic] | None:
    """The last build's diagnostics if it can be reused as it is, else None."""
    try:
        record = json.loads(_cache_file(config).read_text("utf-8")).get(str(config.output_dir))
    except (OSError, ValueError):
        return None
    if not record or record.get("inputs") != inputs or record.get("output") != output_key(config.output_dir):
        return None
    return [Diagnostic(d["path"], d["line"], Severity(d["severity"]), d["message"]) for d in record["diagnostics"]]


def remember(config: Config, inputs: str, diagnostics: tuple[Diagnostic, ...]) -> None:
    path = _cache_file(config)
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        data = {}
    data[str(config.output_dir)] = {
        "inputs": inputs,
        "output": output_key(config.output_dir),
        "diagnostics": [d.as_dict() for d in diagnostics],
    }
    try:
        path.parent.mkdir(exist_ok=True)
        (path.parent / ".gitignore").write_text("*\n", "utf-8")
        path.write_text(json.dumps(data, indent=1, sort_keys=True), "utf-8")
    except OSError:
        pass  # a read-only site folder just builds every time


def reusable_build(config: Config, local: bool, strict: bool) -> tuple[str, list[Diagnostic] | None]:
    """The input key of this build, and the last build's diagnostics when its output can stand as it is."""
    inputs = input_key(config, f"local={local}")
    reused = cached_result(config, inputs)
    if reused is not None and failing_diagnostics(reused, strict):
        reused = None  # --strict must fail on the warnings again, not pass because nothing changed
    return inputs, reused


_FORMAT = (1, __version__, sys.version_info[:2])  # of the pickles below


def load_parse_cache(config: Config) -> ParseCache:
    """Parsed digest files from earlier builds, by path and content (see site.load_site); {} if none."""
    try:
        with open(config.root / CACHE_DIR / "parse.pickle", "rb") as file:
            stored = pickle.load(file)
        if isinstance(stored, dict) and stored.get("format") == _FORMAT:
            return dict(stored["files"])
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, KeyError, TypeError, ImportError):
        pass
    return {}


def save_parse_cache(config: Config, cache: ParseCache, before: ParseCache) -> None:
    """Keep the parses of files that still exist; written only when something changed."""
    current = {path: entry for path, entry in cache.items() if path.is_file()}
    if current.keys() == before.keys() and all(current[p][0] == before[p][0] for p in current):
        return
    folder = cache_folder(config, "")
    if folder is None:
        return
    temporary = folder / f".parse.pickle.{os.getpid()}"
    with open(temporary, "wb") as file:
        pickle.dump({"format": _FORMAT, "files": current}, file, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, folder / "parse.pickle")


def _manifest_file(config: Config) -> Path:
    name = hashlib.blake2b(str(config.output_dir).encode("utf-8", "surrogateescape"), digest_size=8).hexdigest()
    return config.root / CACHE_DIR / f"output-{name}.pickle"


def load_manifest(config: Config) -> tuple[dict[str, str], list[str]] | None:
    """What the last build wrote into the output folder (path → fingerprint, and the search shards'
    keys), if the folder is still exactly as that build left it; else None."""
    try:
        with open(_manifest_file(config), "rb") as file:
            stored = pickle.load(file)
        if stored["format"] == _FORMAT and stored["output"] == output_key(config.output_dir):
            return stored["files"], stored["search"]
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, KeyError, TypeError, ImportError):
        pass
    return None


def save_manifest(config: Config, files: dict[str, str], search: list[str]) -> None:
    folder = cache_folder(config, "")
    if folder is None:
        return
    target = _manifest_file(config)
    temporary = target.with_name(f".{target.name}.{os.getpid()}")
    stored = {"format": _FORMAT, "output": output_key(config.output_dir), "files": files, "search": search}
    with open(temporary, "wb") as file:
        pickle.dump(stored, file, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, target)


def forget_output(config: Config) -> None:
    """Before updating the output in place: a build killed half-way must leave no record that matches it."""
    _manifest_file(config).unlink(missing_ok=True)
    path = _cache_file(config)
    try:
        data = json.loads(path.read_text("utf-8"))
        if data.pop(str(config.output_dir), None) is not None:
            path.write_text(json.dumps(data, indent=1, sort_keys=True), "utf-8")
    except (OSError, ValueError):
        pass

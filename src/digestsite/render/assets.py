"""Static assets: the theme's and the site's files, copied under content-hashed names for caching."""

from __future__ import annotations

import hashlib
import posixpath
from dataclasses import dataclass
from pathlib import Path

ASSET_DIR = "assets"


@dataclass(frozen=True)
class Asset:
    source: Path
    name: str  # as templates ask for it: "style.css"
    path: str  # output path: "assets/style.1a2b3c4d5e.css"


def collect_assets(*static_dirs: Path) -> dict[str, Asset]:
    """Every file of the given folders; a later folder's file replaces an earlier one of the same name."""
    files: dict[str, Path] = {}
    for folder in static_dirs:
        if not folder.is_dir():
            continue
        for source in sorted(folder.rglob("*")):
            if source.is_file() and not any(part.startswith(".") for part in source.relative_to(folder).parts):
                files[source.relative_to(folder).as_posix()] = source
    return {name: _fingerprint(name, source) for name, source in sorted(files.items())}


def _fingerprint(name: str, source: Path) -> Asset:
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:10]
    stem, ext = posixpath.splitext(name)
    return Asset(source, name, f"{ASSET_DIR}/{stem}.{digest}{ext}")

"""`digestsite new DIR`: a ready digest site with a sample batch and a GitHub Pages workflow."""

from __future__ import annotations

import shutil
from pathlib import Path

from digestsite.errors import OutputError

TEMPLATE_DIR = Path(__file__).parents[1] / "scaffold"
# Dot-files are stored without their dot so that packaging tools keep them.
_RENAMES = {"github": ".github", "gitignore": ".gitignore"}


def create_site(target: Path) -> list[Path]:
    """Copy the starter site into `target` (absent or empty); returns the files written."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise OutputError(f"{target} already exists and is not empty; `digestsite new` only fills a new folder")
    written = []
    for source in sorted(TEMPLATE_DIR.rglob("*")):
        if not source.is_file() or "__pycache__" in source.parts:
            continue
        parts = list(source.relative_to(TEMPLATE_DIR).parts)
        parts[0] = _RENAMES.get(parts[0], parts[0])
        destination = target.joinpath(*parts)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)
        written.append(destination)
    return written

"""Output paths that cannot leave the output folder."""

from __future__ import annotations

from pathlib import Path

from digestsite.errors import OutputError


def checked_relative(relative: str) -> str:
    """An output path that cannot leave its folder: relative, normalised, no `..`, no backslash or NUL."""
    parts = relative.split("/")
    if (
        not relative
        or relative.startswith("/")
        or "\\" in relative
        or "\x00" in relative
        or any(part in ("", ".", "..") for part in parts)
    ):
        raise OutputError(f"refusing to write {relative!r}: it is outside the output folder")
    return relative


def safe_join(root: Path, relative: str) -> Path:
    """`root/relative`, refusing any path that would land outside `root` (via `..`, absolute parts or links)."""
    resolved_root = root.resolve()
    target = (resolved_root / relative).resolve()
    if not target.is_relative_to(resolved_root) or target == resolved_root:
        raise OutputError(f"refusing to write {relative!r}: it is outside the output folder")
    return target

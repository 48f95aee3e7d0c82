"""Output paths that cannot leave the output folder."""

from __future__ import annotations

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

"""Single files written atomically: a reader sees the old bytes or the new ones, never a mix."""

from __future__ import annotations

import os
from pathlib import Path

from digestsite.output.paths import safe_join


def as_bytes(content: str | bytes) -> bytes:
    """Output files are UTF-8."""
    return content.encode("utf-8") if isinstance(content, str) else content


def atomic_write(target: Path, data: bytes) -> None:
    """Write `target` through a temporary sibling and a rename: the one atomic-write helper."""
    temporary = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def replace_file(root: Path, relative: str, data: bytes) -> None:
    """Replace one file inside `root` atomically, refusing paths that leave it."""
    target = safe_join(root, relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, data)


def remove_file(root: Path, relative: str) -> None:
    """Delete one output file and any folders it leaves empty, up to `root`."""
    target = safe_join(root, relative)
    target.unlink(missing_ok=True)
    folder = target.parent
    while folder != root.resolve() and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent

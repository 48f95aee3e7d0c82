"""Single files written atomically: a reader sees the old bytes or the new ones, never a mix."""

from __future__ import annotations

import os
from pathlib import Path


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

"""A guarded writer: builds the whole site in a temporary sibling folder and swaps it in only when complete."""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import TracebackType

from digestsite.errors import OutputError

MARKER = ".digestsite"
_MARKER_TEXT = "Written by digestsite build. The whole folder is replaced on every build.\n"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def check_replaceable(output_dir: Path) -> None:
    """Only an absent or empty folder, or one an earlier build wrote, may be replaced."""
    if not output_dir.exists() and not output_dir.is_symlink():
        return
    if not output_dir.is_dir():
        raise OutputError(f"output {output_dir} exists and is not a folder; refusing to replace it")
    if (output_dir / MARKER).is_file() or not any(output_dir.iterdir()):
        return
    raise OutputError(
        f"output folder {output_dir} is not empty and was not written by digestsite "
        f"(no {MARKER} file); refusing to replace it: empty it or choose another --output"
    )


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


def as_bytes(content: str | bytes) -> bytes:
    """Output files are UTF-8."""
    return content.encode("utf-8") if isinstance(content, str) else content


def safe_join(root: Path, relative: str) -> Path:
    """`root/relative`, refusing any path that would land outside `root` (via `..`, absolute parts or links)."""
    resolved_root = root.resolve()
    target = (resolved_root / relative).resolve()
    if not target.is_relative_to(resolved_root) or target == resolved_root:
        raise OutputError(f"refusing to write {relative!r}: it is outside the output folder")
    return target


def replace_file(root: Path, relative: str, data: bytes) -> None:
    """Write one file inside `root` so readers see either the old or the new bytes, never a mix."""
    target = safe_join(root, relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    temporary.write_bytes(data)
    os.replace(temporary, target)


def remove_file(root: Path, relative: str) -> None:
    """Delete one output file and any folders it leaves empty, up to `root`."""
    target = safe_join(root, relative)
    target.unlink(missing_ok=True)
    folder = target.parent
    while folder != root.resolve() and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


# Deleting the replaced site of a large archive takes seconds: once the new site is live, a detached
# process does it. A build that starts before it finishes removes the leftover itself.
BACKGROUND_DELETE_FILES = 5000


def _remove_tree(path: Path, background: bool) -> None:
    if background:
        script = "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)"
        subprocess.Popen(
            [sys.executable, "-c", script, str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    else:
        shutil.rmtree(path, ignore_errors=True)


def _stale_siblings(output_dir: Path) -> list[Path]:
    prefixes = (f".{output_dir.name}.tmp-", f".{output_dir.name}.old-")
    return [p for p in output_dir.parent.iterdir() if p.name.startswith(prefixes) and p.is_dir()]


class OutputWriter:
    """Collects every output file in a temporary folder; `commit` swaps it in, anything else discards it.

    Paths are checked so nothing lands outside the output, and two pages writing one file is an error.
    """

    def __init__(self, output_dir: Path) -> None:
        check_replaceable(output_dir)
        self.output_dir = output_dir
        output_dir.parent.mkdir(parents=True, exist_ok=True)
        # Leftovers of builds that were killed mid-way: never the live output, safe to remove.
        for stale in _stale_siblings(output_dir):
            shutil.rmtree(stale, ignore_errors=True)
        self.staging = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}.tmp-", dir=output_dir.parent))
        self.staging.chmod(0o755)
        self._staging_root = self.staging.resolve()
        self._written: set[str] = set()
        self._made_dirs: set[Path] = set()

    @property
    def files_written(self) -> int:
        return len(self._written)

    def _target(self, relative: str, make_parent: bool = True) -> Path:
        # The staging folder is new and holds no links, so checking the path's shape is enough here.
        key = checked_relative(relative)
        target = self._staging_root / key
        if key in self._written:
            raise OutputError(f"two outputs write the same file {key}")
        self._written.add(key)
        parent = target.parent
        if make_parent and parent not in self._made_dirs:
            parent.mkdir(parents=True, exist_ok=True)
            self._made_dirs.add(parent)
        return target

    def reserve(self, relative: str) -> Path:
        """Claim a path that another process will write (and make its folder); the checks of `write` apply."""
        return self._target(relative, make_parent=False)

    def write(self, relative: str, content: str | bytes) -> None:
        self._target(relative).write_bytes(as_bytes(content))

    def copy(self, relative: str, source: Path) -> None:
        shutil.copyfile(source, self._target(relative))

    def commit(self) -> None:
        """Swap the finished site in: atomically where the OS allows, else by two quick renames."""
        (self.staging / MARKER).write_text(_MARKER_TEXT, "utf-8")
        if not self.output_dir.exists():
            os.replace(self.staging, self.output_dir)
            return
        check_replaceable(self.output_dir)  # it may have changed while we rendered
        if not exchange_paths(self.staging, self.output_dir):
            old = Path(tempfile.mkdtemp(prefix=f".{self.output_dir.name}.old-", dir=self.output_dir.parent))
            os.replace(self.output_dir, old / "site")
            os.replace(self.staging, self.output_dir)
            self.staging = old
        _remove_tree(self.staging, background=len(self._written) >= BACKGROUND_DELETE_FILES)

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)

    def __enter__(self) -> OutputWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if kind is not None:
            self.discard()


def exchange_paths(a: Path, b: Path) -> bool:
    """Linux renameat2(RENAME_EXCHANGE): both names swap in one step, so readers never see a gap.

    The C library is the one already loaded (`CDLL(None)`): looking it up by name runs `ldconfig`.
    """
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0

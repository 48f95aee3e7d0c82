"""The staging folder: the whole site is written beside the output and swapped in only when complete."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from types import TracebackType

from digestsite.errors import OutputError
from digestsite.lifetime import process_alive
from digestsite.output.files import atomic_write
from digestsite.output.paths import checked_relative
from digestsite.output.swap import swap_folder

MARKER = ".digestsite"
_MARKER_TEXT = "Written by digestsite build. The whole folder is replaced on every build.\n"


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


def remove_leftovers(output_dir: Path) -> None:
    """Remove the staging and swapped-out folders that builds which died left beside the output: never
    the live output, so always safe. Whatever kind the next build is, it starts clean."""
    if output_dir.parent.is_dir():
        for stale in _stale_siblings(output_dir):
            shutil.rmtree(stale, ignore_errors=True)


def _stale_siblings(output_dir: Path) -> list[Path]:
    """Staging and swapped-out folders beside the output whose build is no longer running."""
    prefixes = (f".{output_dir.name}.tmp-", f".{output_dir.name}.old-")
    stale = []
    for path in output_dir.parent.iterdir():
        if path.name.startswith(prefixes) and path.is_dir():
            owner = path.name.split("-")[-2] if path.name.count("-") >= 2 else ""
            if not (owner.isdigit() and process_alive(int(owner))):
                stale.append(path)
    return stale


class StagingFolder:
    """A temporary sibling of the output that collects every file; `commit` swaps it in, an error discards it.

    Paths are checked so nothing lands outside the output, and two outputs claiming one file is an error.
    """

    def __init__(self, output_dir: Path) -> None:
        check_replaceable(output_dir)
        self.output_dir = output_dir
        output_dir.parent.mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}.tmp-{os.getpid()}-", dir=output_dir.parent))
        self.path.chmod(0o755)
        self._root = self.path.resolve()
        self._claimed: set[str] = set()

    @property
    def files_claimed(self) -> int:
        return len(self._claimed)

    def claim(self, relative: str) -> Path:
        """Reserve an output path (a writer fills it later); the staging folder is new and holds no
        links, so checking the path's shape is enough."""
        key = checked_relative(relative)
        if key in self._claimed:
            raise OutputError(f"two outputs write the same file {key}")
        self._claimed.add(key)
        return self._root / key

    def copy(self, relative: str, source: Path) -> None:
        target = self.claim(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)

    def commit(self) -> None:
        """Swap the finished site in."""
        atomic_write(self.path / MARKER, _MARKER_TEXT.encode())  # a new file, never a link to the live one
        if self.output_dir.exists():
            check_replaceable(self.output_dir)  # it may have changed while we rendered
        swap_folder(self.path, self.output_dir, files=len(self._claimed))

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def __enter__(self) -> StagingFolder:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if kind is not None:
            self.discard()

"""Helpers shared by the test modules: site folders on disk, output snapshots, the installed command."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
EXECUTABLE = shutil.which("digestsite", path=str(Path(sys.executable).parent)) or shutil.which("digestsite")


def write_site(root: Path, seeds: dict[str, str | bytes], config: str = "") -> Path:
    """A site folder with the given digest files and site.yaml text; returns its site.yaml."""
    (root / "seeds").mkdir(parents=True, exist_ok=True)
    for name, content in seeds.items():
        path = root / "seeds" / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, "utf-8")
    config_file = root / "site.yaml"
    config_file.write_text(config or "languages: [zh, en]\n", "utf-8")
    return config_file


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under `root` by its relative path, for byte-for-byte comparisons of whole sites."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed `digestsite` command; it must never print a traceback."""
    assert EXECUTABLE, "the digestsite console script is not installed"
    result = subprocess.run([EXECUTABLE, *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in result.stderr + result.stdout
    return result

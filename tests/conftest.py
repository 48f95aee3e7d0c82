"""Fixtures chained digest files → site folder → built output, all on tmp_path."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"


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


@pytest.fixture
def bundled_site(tmp_path: Path) -> Path:
    """A copy of the repository's demo site (site.yaml and the four bundled seeds)."""
    shutil.copytree(SEEDS, tmp_path / "seeds")
    shutil.copy(REPO / "site.yaml", tmp_path / "site.yaml")
    return tmp_path / "site.yaml"


@pytest.fixture
def built_bundled(bundled_site: Path) -> Path:
    """The demo site built once into <tmp>/_site."""
    from digestsite.build import build
    from digestsite.config import load_config

    config = load_config(bundled_site)
    build(config)
    return config.output_dir

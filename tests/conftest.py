"""Fixtures chained digest files → site folder → built output, all on tmp_path."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from helpers import REPO, SEEDS


@pytest.fixture
def bundled_site(tmp_path: Path) -> Path:
    """A copy of the repository's demo site (site.yaml and the four bundled seeds)."""
    shutil.copytree(SEEDS, tmp_path / "seeds")
    shutil.copy(REPO / "site.yaml", tmp_path / "site.yaml")
    return tmp_path / "site.yaml"


@pytest.fixture
def built_bundled(bundled_site: Path) -> Path:
    """The demo site built once into <tmp>/_site."""
    from digestsite.commands.build import build
    from digestsite.config import load_config

    config = load_config(bundled_site)
    build(config)
    return config.output_dir


@pytest.fixture(scope="session")
def demo_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo site built once for every test that only reads its pages (without the search index, which
    other tests cover)."""
    from digestsite.commands.build import BuildOptions, build
    from digestsite.config import load_config

    root = tmp_path_factory.mktemp("demo-output")
    (root / "seeds").symlink_to(SEEDS)
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    config = load_config(root / "site.yaml")
    build(config, options=BuildOptions(search=False))
    return config.output_dir

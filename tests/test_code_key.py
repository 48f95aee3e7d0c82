"""The code's own key: a cache made by other code is set aside."""

from __future__ import annotations

import shutil
from pathlib import Path

from digestsite.cache.code_key import PACKAGE, code_digest


def test_the_code_key_follows_the_python_sources_and_nothing_else(tmp_path: Path) -> None:
    package = tmp_path / "digestsite"
    shutil.copytree(PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    original = code_digest(package)
    assert original == code_digest(PACKAGE)  # the same sources, wherever they are
    (package / "content" / "__pycache__").mkdir()
    (package / "content" / "__pycache__" / "parse.cpython-311.pyc").write_bytes(b"compiled")
    (package / "locales" / "notes.txt").write_text("not code", "utf-8")
    assert code_digest(package) == original
    parse = package / "content" / "parse.py"
    parse.write_text(parse.read_text("utf-8") + "\n# changed\n", "utf-8")
    assert code_digest(package) != original

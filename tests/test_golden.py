"""The bundled demo site builds to the committed golden tree: a refactor that changes one byte is caught.

`tests/golden/bundled-site.sha256` lists every output file with its hash; a few key pages are kept whole
in `tests/golden/pages/` so a mismatch shows a readable diff. After an intended change to the output,
refresh both with `DIGESTSITE_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py` and review the diff.
"""

from __future__ import annotations

import difflib
import hashlib
import os
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"
LISTING = GOLDEN / "bundled-site.sha256"
KEY_PAGES = ("index.html", "papers/2403.19887/index.html", "en/papers/2403.19887/index.html", "feed.xml",
             "topics/state-space-models/index.html")  # fmt: skip


def listing_of(site: Path) -> str:
    lines = []
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        lines.append(f"{digest}  {path.relative_to(site).as_posix()}")
    return "\n".join(lines) + "\n"


def test_bundled_site_matches_the_golden_tree(built_bundled):
    actual = listing_of(built_bundled)
    if os.environ.get("DIGESTSITE_UPDATE_GOLDEN"):
        LISTING.write_text(actual, "utf-8")
        for page in KEY_PAGES:
            target = GOLDEN / "pages" / page
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes((built_bundled / page).read_bytes())
    for page in KEY_PAGES:  # readable diffs first, for the pages most likely to change
        expected_text = (GOLDEN / "pages" / page).read_text("utf-8")
        actual_text = (built_bundled / page).read_text("utf-8")
        diff = "".join(difflib.unified_diff(expected_text.splitlines(True), actual_text.splitlines(True), page, page))
        assert not diff, f"{page} differs from the golden copy:\n{diff[:4000]}"
    expected = LISTING.read_text("utf-8")
    changed = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), "golden", "built"))
    assert actual == expected, f"the built tree differs from the golden listing:\n{changed[:4000]}"

"""The reader's performance budget, checked on every built page of the demo site."""

from __future__ import annotations

import posixpath
import re

from htmldom import parse_html

BUDGET_BYTES = 50 * 1024


def test_every_page_with_its_css_and_js_stays_under_50_kb(built_bundled):
    heaviest = ("", 0)
    for page in built_bundled.rglob("*.html"):
        html = page.read_text("utf-8")
        total = len(html.encode("utf-8"))
        base = posixpath.dirname(page.relative_to(built_bundled).as_posix())
        for node in parse_html(html).find_all():
            ref = node.attrs.get("src") if node.tag == "script" else None
            if node.tag == "link" and node.attrs.get("rel") == "stylesheet":
                ref = node.attrs.get("href")
            if ref:
                # 404.html links from the base URL's path (/digestsite/…), every other page relatively.
                target = ref.removeprefix("/digestsite/") if ref.startswith("/") else posixpath.join(base, ref)
                total += (built_bundled / posixpath.normpath(target)).stat().st_size
        heaviest = max(heaviest, (page.relative_to(built_bundled).as_posix(), total), key=lambda item: item[1])
    assert heaviest[1] < BUDGET_BYTES, heaviest


def test_no_render_blocking_script_and_no_web_fonts(built_bundled):
    for page in built_bundled.rglob("*.html"):
        for script in parse_html(page.read_text("utf-8")).find_all("script"):
            if "src" in script.attrs:
                assert "defer" in script.attrs or "async" in script.attrs, (page, script.attrs)
            elif script.attrs.get("type") != "application/ld+json":
                assert len(script.text()) < 200, f"{page}: inline script of {len(script.text())} characters"
    for css in (built_bundled / "assets").glob("*.css"):
        text = css.read_text("utf-8")
        assert "@font-face" not in text and not re.search(r"url\(", text)

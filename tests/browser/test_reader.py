"""What a reader meets, in real Chromium: accessibility (axe-core), validity (Nu Html Checker), layout at
320 px, no third-party requests, the theme toggle, copy BibTeX, keyboard shortcuts, print styles."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from helpers import REPO

ARTIFACTS = REPO / "test-artifacts"
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

PAGE_TYPES = {
    "home": "",
    "batch": "batches/2024-04/",
    "topics": "topics/",
    "topic": "topics/state-space-models/",
    "paper": "papers/2403.19887/",
    "archive": "archive/",
    "search": "search/?q=Mamba",
    "404": "no/such/page/",
}
AXE_COUNTS: dict[str, int] = {}
# The topic pages are checked and photographed in the slow run (CI runs it): the default run stays short.
KINDS = [pytest.param(kind, marks=pytest.mark.slow) if kind.startswith("topic") else kind for kind in PAGE_TYPES]


def need(path: Path, what: str) -> None:
    if not path.exists():
        message = f"{what} missing at {path} (run npm ci)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def open_page(context, url: str):  # type: ignore[no-untyped-def]
    page = context.new_page()
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(request.url.split("/")[2].split(":")[0]))
    page.goto(url)
    if "search/" in url:
        page.wait_for_selector("#search-results[data-state=done]", state="attached")
    return page, hosts


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("ui", ["", "en/"])
@pytest.mark.parametrize("kind", KINDS)
def test_axe_finds_no_violations_and_nothing_leaves_loopback(demo_site, context_for, kind, ui, scheme):
    need(AXE, "axe-core")
    page, hosts = open_page(context_for(color_scheme=scheme), f"{demo_site}{ui}{PAGE_TYPES[kind]}")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
    AXE_COUNTS[f"{kind} {ui or 'zh/'} {scheme}"] = len(violations)
    _record("axe.json", AXE_COUNTS)
    assert violations == []
    assert hosts == {"127.0.0.1"}


def _record(name: str, data: object) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / name).write_text(json.dumps(data, indent=1, sort_keys=True), "utf-8")


def test_nu_html_checker_reports_no_errors_on_any_built_page(built_bundled, metadata_site, metadata_root):
    need(VNU, "vnu-jar")
    java = shutil.which("java")
    if not java:
        if os.environ.get("CI"):
            pytest.fail("java is missing")
        pytest.skip("java is not installed")
    with_metadata = sorted((metadata_root / "_site").rglob("*.html"))  # arXiv metadata's markup too
    pages = sorted(built_bundled.rglob("*.html")) + with_metadata
    command = [java, "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, pages)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [f"{m.get('url', '').rsplit('/_site/', 1)[-1]}: {m['message']}" for m in messages if m["type"] == "error"]
    _record("vnu.json", {"pages": len(pages), "errors": len(errors)})
    assert errors == [] and len(pages) == 218 + len(with_metadata) and len(with_metadata) == 40  # with topic pages


@pytest.mark.parametrize("ui", ["", "en/"])
@pytest.mark.parametrize("kind", KINDS)
def test_no_horizontal_scrolling_at_320_375_or_1280px(demo_site, context_for, kind, ui, cjk_font):
    page = _open_fitting(demo_site, context_for, kind, ui, 320)
    for width in (375, 1280):  # the same page, the window resized: as a reader turns a tablet
        page.set_viewport_size({"width": width, "height": 800})
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{kind} scrolls sideways by {overflow}px at {width}px"


@pytest.mark.slow
@pytest.mark.parametrize("ui", ["", "en/"])
@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_screenshots_of_every_kind_of_page_at_375_and_1280px(demo_site, context_for, kind, ui, cjk_font):
    """Full-page screenshots for a reviewer's eye (test-artifacts/screenshots/): the slow run takes them,
    as a long page costs seconds to photograph."""
    for width in (375, 1280):
        page = _open_fitting(demo_site, context_for, kind, ui, width)
        shot = ARTIFACTS / "screenshots" / f"{(ui or 'zh/').strip('/')}-{kind}-{width}.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), full_page=True)
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _open_fitting(demo_site: str, context_for, kind: str, ui: str, width: int):
    """The page of `kind` at `width` px, checked not to scroll sideways."""
    page, _ = open_page(context_for(viewport={"width": width, "height": 800}), f"{demo_site}{ui}{PAGE_TYPES[kind]}")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{kind} scrolls sideways by {overflow}px at {width}px"
    return page


@pytest.mark.parametrize(("ui", "scheme"), [("", "light"), ("en/", "dark")])
def test_a_paper_page_with_arxiv_metadata_fits_passes_axe_and_is_photographed(
    metadata_site, context_for, ui, scheme, cjk_font
):
    """Authors, dates, badges, subject classes and the abstract, opened: no sideways scrolling at 320 px,
    no axe violations, nothing from another host; screenshots at 375 and 1280 px."""
    need(AXE, "axe-core")
    context = context_for(viewport={"width": 320, "height": 800}, color_scheme=scheme)
    page, hosts = open_page(context, f"{metadata_site}{ui}papers/2912.00101/")
    for summary in page.locator("details > summary").all():
        summary.click()  # what is collapsed (every author, the abstract on the Chinese page) opens without scripts
    assert page.locator(".all-authors p").inner_text() == "Zoë Ångström, José Núñez-Pérez, 李雷, 韩梅梅, Ólafur Þórsson"
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the paper page scrolls sideways by {overflow}px at 320px"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]] == []
    assert hosts == {"127.0.0.1"}
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        shot = ARTIFACTS / "screenshots" / f"{(ui or 'zh/').strip('/')}-paper-with-metadata-{width}.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), full_page=True)
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def background(page) -> str:  # type: ignore[no-untyped-def]
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def test_theme_follows_the_system_and_the_toggle_choice_is_remembered(demo_site, context_for):
    dark_system, _ = open_page(context_for(color_scheme="dark"), demo_site)
    assert background(dark_system) == "rgb(22, 24, 27)"
    context = context_for(color_scheme="light")
    page, _ = open_page(context, demo_site)
    light = background(page)
    toggle = page.locator(".theme-toggle")
    assert toggle.is_visible() and toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    assert background(page) == "rgb(22, 24, 27)" != light
    assert toggle.get_attribute("aria-pressed") == "true"
    page.goto(f"{demo_site}papers/2403.19887/")
    assert background(page) == "rgb(22, 24, 27)"


def test_copy_bibtex_puts_the_entry_on_the_clipboard(demo_site, context_for):
    context = context_for(permissions=["clipboard-read", "clipboard-write"])
    page, _ = open_page(context, f"{demo_site}papers/2403.19887/")
    button = page.locator(".copy-bibtex")
    button.click()
    assert page.evaluate("navigator.clipboard.readText()") == page.inner_text(".bibtex")
    assert button.inner_text() == "已复制"


def test_arrow_keys_open_the_previous_and_next_paper(demo_site, context_for):
    page, _ = open_page(context_for(), f"{demo_site}en/papers/2403.19887/")
    assert "←" in page.inner_text(".shortcuts")
    page.keyboard.press("ArrowRight")
    page.wait_for_url("**/en/papers/2403.20327/")
    page.keyboard.press("ArrowLeft")
    page.wait_for_url("**/en/papers/2403.19887/")
    page.keyboard.press("ArrowLeft")
    page.wait_for_url("**/en/papers/2406.04314/")


def test_skip_link_comes_first_and_focus_is_visible(demo_site, context_for):
    page, _ = open_page(context_for(), demo_site)
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "(() => { const e = document.activeElement, s = getComputedStyle(e);"
        " return [e.className, s.outlineStyle, e.getBoundingClientRect().top >= 0]; })()"
    )
    assert focused == ["skip-link", "solid", True]


def test_print_styles_hide_navigation(demo_site, context_for):
    page, _ = open_page(context_for(), f"{demo_site}papers/2403.19887/")
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    assert page.locator(".pager").is_hidden()
    assert page.locator("h1").is_visible()

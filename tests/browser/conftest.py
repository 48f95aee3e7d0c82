"""Real Chromium (Debian's, driven by Playwright) for what a reader sees; skipped locally when absent."""

from __future__ import annotations

import os
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
# Chromium's own background traffic would be refused by a closed network; switch it off.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing_tool() -> str:
    if not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} is not installed (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install '.[test]')"
    return ""


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    missing = _missing_tool()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run in CI: {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A fresh page that records every request it makes, to check none leaves the loopback host."""
    context = browser.new_context()
    page = context.new_page()
    page.requested_hosts = set()  # type: ignore[attr-defined]
    page.on("request", lambda request: page.requested_hosts.add(urlsplit(request.url).hostname))  # type: ignore[attr-defined]
    yield page
    context.close()

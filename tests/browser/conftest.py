"""Real Chromium (Debian's, driven by Playwright) for what a reader sees; skipped locally when absent."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path
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


def _missing_cjk_font() -> str:
    """Chinese text renders as boxes without a CJK font: screenshots and text measurements need one."""
    try:
        listed = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=30)
    except OSError:
        return "fontconfig's fc-list is not installed (apt-get install fontconfig fonts-wqy-microhei)"
    if not listed.stdout.strip():
        return "no font covers Chinese (fc-list :lang=zh finds none; apt-get install fonts-wqy-microhei)"
    return ""


@pytest.fixture(scope="session")
def cjk_font() -> None:
    """Skips (fails in CI) a test whose result depends on how Chinese text looks."""
    missing = _missing_cjk_font()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run in CI: {missing}")
        pytest.skip(missing)


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


@pytest.fixture
def context_for(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """Makes browser contexts with the given options; all are closed after the test."""
    contexts = []

    def make(**options: object):  # type: ignore[no-untyped-def]
        context = browser.new_context(**options)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def served_site_for(root: Path, subpath: str = "/digest/", search: bool = True) -> Iterator[str]:
    """Build the site in `root` for, and serve it at, http://127.0.0.1:PORT/<subpath>; yields that URL."""
    from digestsite.commands.build import BuildOptions, build
    from digestsite.config import load_config
    from helpers import PagesLikeHandler

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(PagesLikeHandler, directory="/"))
    base_url = f"http://127.0.0.1:{server.server_port}{subpath}"
    config = load_config(root / "site.yaml", {"base_url": base_url})
    build(config, options=BuildOptions(search=search))
    server.RequestHandlerClass = partial(PagesLikeHandler, directory=str(config.output_dir))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield base_url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The bundled demo site, built and served under /digest/ once for all browser tests."""
    from helpers import REPO

    root = tmp_path_factory.mktemp("demo")
    shutil.copytree(REPO / "seeds", root / "seeds")
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    yield from served_site_for(root)


@pytest.fixture(scope="session")
def metadata_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site of the made-up papers of tests/fixtures/arxiv, with the metadata the test server gives them."""
    from arxiv_api import fetch_fixture_metadata
    from helpers import REPO, write_site

    root = tmp_path_factory.mktemp("metadata")
    digest = (REPO / "tests" / "fixtures" / "arxiv" / "digest.md").read_text("utf-8")
    fetch_fixture_metadata(write_site(root, {"sample.md": digest}))
    return root


@pytest.fixture(scope="session")
def metadata_site(metadata_root: Path) -> Iterator[str]:
    """That site built into its _site folder and served under /digest/ (without search, tested elsewhere)."""
    yield from served_site_for(metadata_root, search=False)

"""The author's loop in a real browser: save a digest, see it without reloading; break it, see why."""

from __future__ import annotations

import shutil
import time

from devserver import dev_server
from helpers import JAMBA, REPO, edit, get


def test_saved_title_appears_within_two_seconds_without_a_manual_reload(bundled_site, page):
    root = bundled_site.parent
    with dev_server(root) as server:
        page.goto(server.url + "papers/2403.19887/")
        title = page.locator("p.title-zh")
        assert title.inner_text() == "Jamba：混合 Transformer-Mamba 语言模型"
        time.sleep(0.3)  # let the page open its event stream
        saved = time.monotonic()
        edit(root / "seeds" / JAMBA, "Jamba：混合", "Jamba：实时更新的混合")
        page.wait_for_function(
            "() => document.querySelector('p.title-zh').textContent.startsWith('Jamba：实时更新')", timeout=2000
        )
        assert time.monotonic() - saved < 2.0
        assert page.requested_hosts <= {"127.0.0.1"}


def test_broken_digest_shows_an_overlay_naming_file_and_line_then_recovers(bundled_site, page):
    root = bundled_site.parent
    with dev_server(root) as server:
        page.goto(server.url + "papers/2403.19887/")
        time.sleep(0.3)
        broken = root / "seeds" / "009_broken.md"
        broken.write_text(
            "# Fine\n[好](https://arxiv.org/abs/2407.00001)\n\n摘要。\n\n# Broken\n[坏](https://arxiv.org/abs/2413.00001)\n"
        )
        overlay = page.locator("#digestsite-overlay")
        overlay.wait_for(timeout=10_000)
        assert (
            "seeds/009_broken.md:7: error: link 'https://arxiv.org/abs/2413.00001' has a malformed"
            in overlay.inner_text()
        )
        assert page.locator("h1").inner_text() == "Jamba: A Hybrid Transformer-Mamba Language Model"
        assert get(server.url, "/papers/2403.19887/")[0] == 200  # the last good site still serves
        broken.unlink()
        overlay.wait_for(state="detached", timeout=10_000)
        assert page.locator("h1").inner_text() == "Jamba: A Hybrid Transformer-Mamba Language Model"


def test_stylesheet_edit_reloads_the_page_with_the_new_styles(bundled_site, page):
    root = bundled_site.parent
    shutil.copytree(REPO / "static", root / "static")
    with dev_server(root) as server:
        page.goto(server.url)
        time.sleep(0.3)
        before = page.evaluate("getComputedStyle(document.body).backgroundColor")
        edit(root / "static" / "style.css", "--bg: #fdfdfc;", "--bg: #102030;")
        page.wait_for_function(
            "() => getComputedStyle(document.body).backgroundColor === 'rgb(16, 32, 48)'", timeout=10_000
        )
        assert before != "rgb(16, 32, 48)"

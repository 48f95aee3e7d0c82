"""Search in real Chromium against the built site served under a subpath: Chinese and English, both UIs."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from browser.conftest import served_site_for
from helpers import HOSTILE, SUBPATH, write_site


@pytest.fixture(scope="module")
def search_site(demo_site: str) -> str:
    return demo_site


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A digest whose titles and summary are full of markup, served under a subpath."""
    root = tmp_path_factory.mktemp("hostile")
    write_site(root, {"a.md": HOSTILE})
    yield from served_site_for(root)


@pytest.fixture(scope="module")
def sharded_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo site with its index cut after every batch (four shards the page merges), served."""
    from digestsite.search import shards as search_module
    from helpers import REPO

    root = tmp_path_factory.mktemp("sharded")
    shutil.copytree(REPO / "seeds", root / "seeds")
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    served = served_site_for(root)
    with pytest.MonkeyPatch.context() as patch:  # only while it builds: other fixtures build normally
        patch.setattr(search_module, "SHARD_LEVELS", (search_module.ShardLevel(1, 1, 10),))
        url = next(served)
    yield url
    served.close()


def search(page, url: str) -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    page.goto(url)
    page.wait_for_selector("#search-results[data-state=done]", state="attached", timeout=10000)
    hrefs = page.eval_on_selector_all("#search-results li > a", "links => links.map(a => a.getAttribute('href'))")
    return page.inner_text("#search-status"), hrefs


def paper_ids(hrefs: list[str]) -> set[str]:
    return {href.rstrip("/").rsplit("/", 1)[1] for href in hrefs}


@pytest.mark.parametrize("ui", ["", "en/"])
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("混合专家", {"2403.19887"}),
        ("状态空间", {"2405.21060"}),
        ("Mamba", {"2403.19887", "2405.21060"}),
        ("1-bit", {"2402.17764"}),
    ],
)
def test_queries_find_the_right_papers_in_both_interfaces(search_site, page, ui, query, expected):
    status, hrefs = search(page, f"{search_site}{ui}search/?q={query}")
    assert expected <= paper_ids(hrefs), (status, hrefs)
    assert all(href.startswith(f"{SUBPATH}{ui}papers/") for href in hrefs)
    assert page.requested_hosts <= {"127.0.0.1"}


@pytest.mark.parametrize("ui", ["", "en/"])
def test_a_sharded_index_finds_papers_in_every_shard(sharded_site, page, ui):
    status, hrefs = search(page, f"{sharded_site}{ui}search/?q=Mamba")  # in the first and the last batch
    assert {"2403.19887", "2405.21060"} <= paper_ids(hrefs), (status, hrefs)
    status, hrefs = search(page, f"{sharded_site}{ui}search/?q=1-bit")
    assert "2402.17764" in paper_ids(hrefs), (status, hrefs)
    assert all(href.startswith(f"{SUBPATH}{ui}papers/") for href in hrefs)
    assert page.requested_hosts <= {"127.0.0.1"}


def test_a_sharded_index_fetches_the_search_engine_once(sharded_site, page):
    """Shards cost a reader a few small requests each, never another copy of the WebAssembly engine."""
    engines: list[str] = []
    page.context.on("request", lambda request: engines.append(request.url) if "/wasm." in request.url else None)
    status, hrefs = search(page, f"{sharded_site}search/?q=Mamba")
    assert {"2403.19887", "2405.21060"} <= paper_ids(hrefs), (status, hrefs)  # the first and the last shard
    assert len(engines) == 1 and "/part-" not in engines[0], engines


def test_results_show_both_titles_a_highlighted_excerpt_and_the_batch(search_site, page):
    search(page, f"{search_site}search/?q=Jamba")
    first = page.locator("#search-results li").first
    assert first.locator(".title-en").inner_text().startswith("Jamba")
    assert first.locator(".title-zh").inner_text().startswith("Jamba：")
    assert first.locator(".excerpt mark").count() >= 1
    assert "第 3 期" in first.locator(".batch").inner_text()


@pytest.mark.parametrize(("ui", "words"), [("", "没有找到"), ("en/", "No papers match")])
def test_a_query_without_match_says_so(search_site, page, ui, words):
    status, hrefs = search(page, f"{search_site}{ui}search/?q=zqxjkvw")
    assert hrefs == [] and words in status


def test_header_search_box_leads_to_the_search_page_prefilled(search_site, page):
    page.goto(f"{search_site}en/papers/2403.19887/")
    page.fill("#header-search-input", "Mamba")
    page.press("#header-search-input", "Enter")
    page.wait_for_url("**/en/search/?q=Mamba")
    assert page.input_value("#search-input") == "Mamba"
    page.wait_for_selector("#search-results li")
    assert page.requested_hosts <= {"127.0.0.1"}


def test_search_page_opened_from_disk_explains_why_it_cannot_search(built_bundled, page):
    page.goto((built_bundled / "search" / "index.html").as_uri() + "?q=Mamba")
    page.wait_for_selector("#search-results[data-state=done]", state="attached")
    assert "file://" in page.inner_text("#search-status")


def test_one_fragmented_index_serves_every_interface_language(built_bundled: Path):
    bundle = built_bundled / "pagefind"
    assert len(list((bundle / "fragment").iterdir())) == 56  # one per paper, not per paper and language
    assert len(list((bundle / "index").iterdir())) >= 1
    assert (bundle / "pagefind.js").is_file()
    assert not (built_bundled / "en" / "pagefind").exists()


def test_markup_in_content_shows_as_text_in_results_and_never_runs(hostile_site, page):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    _, hrefs = search(page, f"{hostile_site}search/?q=alert")
    assert len(hrefs) == 1
    result = page.locator("#search-results li").first
    assert "<script>" in result.inner_text()
    assert result.locator("script, img, svg, iframe").count() == 0
    page.wait_for_timeout(300)
    assert dialogs == []

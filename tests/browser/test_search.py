"""Search in real Chromium against the built site served under a subpath: Chinese and English, both UIs."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from browser.conftest import served_site_for
from digestsite.config import load_config
from digestsite.content.markdown import plain_text
from digestsite.search.tokens import add_tokens, chunk_of
from digestsite.site.assemble import load_site
from helpers import HOSTILE, REPO, SUBPATH, write_site


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
def relevant() -> object:
    """The issue's ground truth: the bundled papers whose English title, Chinese title or summary contain
    the query, case-insensitively."""
    papers = load_site(load_config(REPO / "site.yaml")).papers

    def holding(query: str) -> set[str]:
        q = query.lower()
        return {p.arxiv_id for p in papers if q in f"{p.title}\n{p.title_zh}\n{plain_text(p.summary)}".lower()}

    return holding


def search(page, url: str) -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    page.goto(url)
    page.wait_for_selector("#search-results[data-state=done]", state="attached", timeout=10000)
    hrefs = page.eval_on_selector_all("#search-results li > a", "links => links.map(a => a.getAttribute('href'))")
    return page.inner_text("#search-status"), hrefs


def paper_ids(hrefs: list[str]) -> set[str]:
    return {href.rstrip("/").rsplit("/", 1)[1] for href in hrefs}


@pytest.mark.parametrize("ui", ["", "en/"])
def test_queries_find_exactly_the_papers_holding_them_in_both_interfaces(search_site, relevant, page, ui):
    for query in ("混合专家", "状态空间", "多模态", "长上下文", "代码生成", "Mamba", "1-bit"):
        status, hrefs = search(page, f"{search_site}{ui}search/?q={quote(query)}")
        assert paper_ids(hrefs) == relevant(query) and hrefs, (query, status, hrefs)
        assert all(href.startswith("../papers/") for href in hrefs)
        assert page.evaluate("location.pathname") == f"{SUBPATH}{ui}search/"
    for quoted in ('"多模态"', "“多模态”"):  # a quoted phrase finds what the phrase does
        assert paper_ids(search(page, f"{search_site}{ui}search/?q={quote(quoted)}")[1]) == relevant("多模态")
    assert page.requested_hosts <= {"127.0.0.1"}


@pytest.mark.parametrize("ui", ["", "en/"])
def test_a_common_term_counts_every_paper_and_ranks_title_matches_first(search_site, relevant, page, ui):
    status, hrefs = search(page, f"{search_site}{ui}search/?q=大语言模型")
    assert str(len(relevant("大语言模型"))) in status and len(hrefs) == 10
    titles = page.eval_on_selector_all(".title-zh", "nodes => nodes.map(n => n.textContent)")
    in_title = [("大语言模型" in title) for title in titles]
    assert in_title == sorted(in_title, reverse=True) and in_title[0]  # title matches, then the rest
    page.click(".search-more")
    page.wait_for_function("document.querySelectorAll('#search-results li').length > 10")
    assert paper_ids(page.eval_on_selector_all("#search-results li > a", "a => a.map(x => x.getAttribute('href'))"))
    assert page.locator(".excerpt mark").first.inner_text() == "大语言模型"


def test_excerpts_mark_the_whole_match_and_keep_chinese_as_written(search_site, page):
    search(page, f"{search_site}search/?q=状态空间")
    excerpt = page.locator("#search-results .excerpt").first
    assert excerpt.locator("mark").first.inner_text() == "状态空间"
    summary = plain_text(load_site(load_config(REPO / "site.yaml")).batch("2024-06").papers[0].summary)
    assert excerpt.inner_text().strip("…") in summary  # a slice of the summary: no spaces put in
    assert page.locator("#search-results .title-zh mark").first.inner_text() == "状态空间"


@pytest.mark.parametrize("ui", ["", "en/"])
def test_an_arxiv_id_opens_its_paper_in_the_same_language(search_site, page, ui):
    for query in ("2403.19887", "arXiv:2403.19887v2"):
        page.goto(f"{search_site}{ui}search/?q={quote(query)}")
        page.wait_for_url(f"**{SUBPATH}{ui}papers/2403.19887/")
        assert page.locator("h1").first.inner_text().startswith("Jamba")


@pytest.mark.parametrize(("ui", "words"), [("", "没有找到"), ("en/", "No papers match")])
def test_a_query_without_match_says_so_and_shows_no_papers(search_site, page, ui, words):
    for query in ("xyzzyqq", "2403.99999"):
        status, hrefs = search(page, f"{search_site}{ui}search/?q={query}")
        assert hrefs == [] and words in status and query in status
        assert page.inner_text("#search-suggestions") == ""  # nothing is close: nothing is suggested


def test_a_misspelt_word_shows_no_papers_and_suggests_the_titles_of_the_word_meant(search_site, page):
    status, hrefs = search(page, f"{search_site}en/search/?q=trasnformer")
    assert hrefs == [] and "No papers match" in status
    suggested = page.eval_on_selector_all("#search-suggestions a", "a => a.map(x => x.textContent)")
    assert suggested and all("transformer" in title.lower() for title in suggested)
    assert "“transformer”" in page.inner_text("#search-suggestions")


def test_filters_narrow_the_results_and_the_url_keeps_them(search_site, relevant, page):
    _, hrefs = search(page, f"{search_site}search/?q=Mamba&batch=2024-06")
    assert paper_ids(hrefs) == {"2405.21060"}  # the one Mamba paper of 第 4 期
    assert page.input_value("select[name=batch]") == "2024-06"
    page.select_option("select[name=batch]", "")
    page.select_option("select[name=year]", "2024")
    page.select_option("select[name=sort]", "new")
    page.wait_for_function("new URLSearchParams(location.search).get('sort') === 'new'")
    page.wait_for_selector("#search-results[data-state=done] li", state="attached")
    assert page.evaluate("location.search") == "?q=Mamba&year=2024&sort=new"
    newest_first = page.eval_on_selector_all("#search-results li > a", "a => a.map(x => x.getAttribute('href'))")
    assert paper_ids(newest_first) == relevant("Mamba") and newest_first[0].endswith("2405.21060/")
    years = page.eval_on_selector_all("select[name=year] option", "o => o.map(x => x.value)")
    assert years == ["", "2024"]


def test_the_language_switch_keeps_the_query_and_filters(search_site, page):
    search(page, f"{search_site}search/?q=状态空间")
    page.fill("#search-input", "多模态")
    page.select_option("select[name=sort]", "new")
    page.wait_for_function("new URLSearchParams(location.search).get('q') === '多模态'")
    page.click(".lang-switch a[hreflang=en]")
    page.wait_for_url("**/en/search/?q=*")
    assert page.evaluate("Object.fromEntries(new URLSearchParams(location.search))") == {"q": "多模态", "sort": "new"}
    page.wait_for_selector("#search-results[data-state=done] li", state="attached")
    assert page.input_value("#search-input") == "多模态" and page.input_value("select[name=sort]") == "new"
    assert all(
        h.startswith("../papers/")
        for h in page.eval_on_selector_all("#search-results li > a", "a => a.map(x => x.getAttribute('href'))")
    )


def test_the_page_cuts_a_query_as_the_index_cut_the_text(search_site, page):
    """search.js's tokens and chunk numbers are those of search/tokens.py, for every kind of text."""
    search(page, f"{search_site}search/?q=Mamba")
    for text in ("多模态大语言模型", "Transformer-Mamba", "ＧＰＴ４ 与 LoRA", "𠀀𠀁𠀂 ok", "state space"):
        looked_up = page.evaluate(f"digestsiteSearch.lookups({json.dumps(text + ' ')})")
        chunks = page.evaluate("digestsiteSearch.chunks")
        assert looked_up and all(token in add_tokens(text, set()) for token, _ in looked_up), looked_up
        assert all(chunk == chunk_of(token, chunks) for token, chunk in looked_up), looked_up


def test_header_search_box_leads_to_the_search_page_prefilled(search_site, page):
    page.goto(f"{search_site}en/papers/2403.19887/")
    page.fill("#header-search-input", "Mamba")
    page.press("#header-search-input", "Enter")
    page.wait_for_url("**/en/search/?q=Mamba")
    assert page.input_value("#search-input") == "Mamba"
    page.wait_for_selector("#search-results li")
    assert page.requested_hosts <= {"127.0.0.1"}


def test_search_works_from_disk(built_bundled, page):
    page.goto((built_bundled / "search" / "index.html").as_uri() + "?q=Jamba")
    page.wait_for_selector("#search-results[data-state=done] li", state="attached")
    assert paper_ids(page.eval_on_selector_all("#search-results li > a", "a => a.map(x => x.getAttribute('href'))"))
    first = page.locator("#search-results li").first
    assert first.locator(".title-en").inner_text().startswith("Jamba")
    assert "第 3 期" in first.locator(".batch").inner_text()


def test_one_index_serves_every_interface_language(built_bundled: Path):
    index = built_bundled / "search-index"
    assert len(list((index / "p").rglob("*.js"))) == 56  # one per paper, not per paper and language
    assert (index / "meta.js").is_file() and not (built_bundled / "en" / "search-index").exists()


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


def test_authors_are_found_by_name(tmp_path_factory, page):
    root = tmp_path_factory.mktemp("authors")
    note = (
        "---\npdf: https://arxiv.org/abs/2401.00001\ntitle_zh: 一\nauthors: [Dana Wu, Eli Park]\n---\n# One\n\n摘要。\n"
    )
    write_site(root, {"a.md": note})
    served = served_site_for(root)
    url = next(served)
    status, hrefs = search(page, f"{url}search/?q=Eli Park")
    served.close()
    assert paper_ids(hrefs) == {"2401.00001"}, status
    assert re.search(r"Eli Park", page.inner_text("#search-results .authors"))

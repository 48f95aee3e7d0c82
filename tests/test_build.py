"""Building the bundled site: pages per language, papers.json, escaping, languages, atomic and repeatable output."""

from __future__ import annotations

import json
import posixpath
import shutil
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import feedparser
import pytest

from digestsite.cache.build_cache import DiskCache
from digestsite.commands.build import build
from digestsite.config import load_config
from digestsite.errors import ContentError, OutputError
from digestsite.output.staging import MARKER
from digestsite.output.swap import exchange_paths
from helpers import snapshot, write_site
from htmldom import is_theme_script, parse_html


def read_page(root: Path, path: str):
    return parse_html((root / path).read_text("utf-8"))


def test_every_page_exists_in_every_language(built_bundled):
    for prefix in ("", "en/"):
        assert len(list((built_bundled / prefix / "papers").glob("*/index.html"))) == 56
        assert len(list((built_bundled / prefix / "batches").glob("*/index.html"))) == 4
        for page in ("index.html", "archive/index.html", "404.html"):
            assert (built_bundled / prefix / page).is_file()
    assert (built_bundled / ".nojekyll").is_file()


def test_papers_json_carries_the_quirks(built_bundled):
    data = json.loads((built_bundled / "papers.json").read_text("utf-8"))
    papers = {p["arxiv_id"]: p for p in data["papers"]}
    assert len(papers) == 56
    assert papers["2406.02539"]["title_zh"] == ""
    assert papers["2406.04325"]["truncated"] is True
    assert not papers["2402.14083"]["summary"].endswith("huggingface.co/papers")
    assert papers["2404.02905"]["title"].startswith("Visual Autoregressive Modeling")
    assert papers["2402.19427"]["title_zh"].startswith("Griffin:")
    assert papers["2403.19887"]["url"] == "papers/2403.19887/"
    assert papers["2403.19887"]["pdf_url"] == "https://arxiv.org/pdf/2403.19887"
    assert set(papers["2403.19887"]) == {
        "arxiv_id", "title", "title_zh", "summary", "summary_lang", "batch", "abs_url", "pdf_url", "truncated", "url",
        "topics", "topic_matches",
    }  # fmt: skip
    assert papers["2402.13616"]["topics"] == ["computer-vision"]  # YOLOv9
    assert data["batches"][0]["date"] == "2024-06-01"
    assert data["batches"][0]["papers"][0] == "2405.21060"
    assert [b["slug"] for b in data["batches"]] == [papers[b["papers"][0]]["batch"] for b in data["batches"]]


def test_less_than_in_a_summary_is_escaped(built_bundled):
    raw = (built_bundled / "papers/2406.00888/index.html").read_text("utf-8")
    assert "（&lt;10）" in raw
    summary = read_page(built_bundled, "papers/2406.00888/index.html").find("div", class_="summary")
    assert "（<10）" in summary.text()


def test_paper_page_has_both_titles_links_bibtex_batch_and_neighbours(built_bundled):
    page = read_page(built_bundled, "papers/2403.19887/index.html")
    assert page.find("h1").text() == "Jamba: A Hybrid Transformer-Mamba Language Model"
    assert page.find("h1").attrs["lang"] == "en"
    assert page.find("p", class_="title-zh").text() == "Jamba：混合 Transformer-Mamba 语言模型"
    hrefs = [a.attrs["href"] for a in page.find_all("a")]
    assert "https://arxiv.org/abs/2403.19887" in hrefs and "https://arxiv.org/pdf/2403.19887" in hrefs
    assert "../../batches/2024-04/" in hrefs
    assert "@misc{arxiv:2403.19887" in page.find("pre", class_="bibtex").text()
    pager = page.find("nav", class_="pager")
    assert pager.find("a", rel="prev").attrs["href"] == "../2406.04314/"
    assert pager.find("a", rel="next").attrs["href"] == "../2403.20327/"


def test_summary_urls_are_linked_on_pages(built_bundled):
    page = read_page(built_bundled, "papers/2402.12376/index.html")
    links = [a.attrs["href"] for a in page.find("div", class_="summary").find_all("a")]
    assert links == ["https://github.com/whlzy/FiT"]


def test_batch_page_lists_papers_in_file_order_with_attribution(built_bundled):
    page = read_page(built_bundled, "batches/2024-02/index.html")
    articles = page.find_all("article", class_="paper")
    assert len(articles) == 16
    assert articles[0].attrs["id"] == "p-2402.10644"
    attribution = page.find("p", class_="attribution")
    assert attribution.find("a").attrs["href"] == "https://huggingface.co/papers"


def test_html_lang_and_content_language_marks(built_bundled):
    zh = read_page(built_bundled, "papers/2403.19887/index.html")
    en = read_page(built_bundled, "en/papers/2403.19887/index.html")
    assert zh.find("html").attrs["lang"] == "zh-CN"
    assert en.find("html").attrs["lang"] == "en"
    assert en.find("p", class_="title-zh").attrs["lang"] == "zh-CN"
    assert en.find("div", class_="summary").attrs["lang"] == "zh-CN"
    assert zh.find("h1").attrs["lang"] == "en"
    assert en.find("a", class_="brand").text() == "AI Paper Digest"


def test_language_switch_keeps_the_reader_on_the_same_page(built_bundled):
    zh = read_page(built_bundled, "batches/2024-06/index.html")
    switch = zh.find("nav", class_="lang-switch").find("a")
    assert switch.attrs["href"] == "../../en/batches/2024-06/"
    en = read_page(built_bundled, "en/papers/2406.02539/index.html")
    assert en.find("nav", class_="lang-switch").find("a").attrs["href"] == "../../../papers/2406.02539/"


def test_every_internal_link_and_asset_resolves(built_bundled):
    broken = []
    for html_file in built_bundled.rglob("*.html"):
        if html_file.name == "404.html":
            continue  # served at any depth; checked by the publishing tests
        page = parse_html(html_file.read_text("utf-8"))
        base = html_file.relative_to(built_bundled).as_posix()
        for node in page.find_all():
            ref = node.attrs.get("href") or node.attrs.get("src")
            if not ref or urlsplit(ref).scheme or ref.startswith("#"):
                continue
            assert not ref.startswith("/"), f"absolute internal link {ref} in {base}"
            target = posixpath.normpath(posixpath.join(posixpath.dirname(base), unquote(urlsplit(ref).path)))
            resolved = built_bundled / target
            if not (resolved.is_file() or (resolved / "index.html").is_file()):
                broken.append(f"{base} → {ref}")
    assert broken == []


LOADING_LINK_RELS = {"stylesheet", "icon", "preload", "modulepreload", "prefetch", "preconnect", "dns-prefetch"}


def test_no_page_loads_anything_from_another_host(built_bundled):
    for html_file in built_bundled.rglob("*.html"):
        page = parse_html(html_file.read_text("utf-8"))
        for node in page.find_all():
            loads = node.attrs.get("src", "")
            if node.tag == "link" and set(node.attrs.get("rel", "").split()) & LOADING_LINK_RELS:
                loads = node.attrs.get("href", "")
            if node.tag == "object":
                loads = node.attrs.get("data", "")
            assert not urlsplit(loads).netloc, f"{html_file}: <{node.tag}> loads {loads}"


def test_second_build_is_byte_identical(bundled_site, built_bundled):
    first = snapshot(built_bundled)
    build(load_config(bundled_site))
    assert snapshot(built_bundled) == first


def test_assets_are_fingerprinted(built_bundled):
    (css,) = (built_bundled / "assets").glob("style.*.css")
    assert len(css.name.split(".")[1]) == 10
    home = read_page(built_bundled, "index.html")
    assert home.find("link", rel="stylesheet").attrs["href"] == f"assets/{css.name}"


def test_failed_build_leaves_previous_site_byte_for_byte(bundled_site, built_bundled):
    before = snapshot(built_bundled)
    seeds = bundled_site.parent / "seeds"
    (seeds / "004_broken.md").write_text("# Malformed ID\n[坏](https://arxiv.org/abs/2413.00001)\n\n摘要。\n", "utf-8")
    (seeds / "000_9dc9e78c6ea22407.txt").write_text("# Changed\n[变](https://arxiv.org/abs/2403.19887)\n\n新。\n")
    with pytest.raises(ContentError) as caught:
        build(load_config(bundled_site))
    (error,) = [d for d in caught.value.diagnostics if d.severity == "error"]
    assert (error.path.endswith("004_broken.md"), error.line) == (True, 2)
    assert snapshot(built_bundled) == before
    assert [p.name for p in built_bundled.parent.iterdir() if p.name.startswith("._site")] == []


def test_foreign_non_empty_output_is_refused_and_untouched(bundled_site, tmp_path):
    foreign = tmp_path / "precious"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("years of work", "utf-8")
    with pytest.raises(OutputError):
        build(load_config(bundled_site, {"output": str(foreign)}))
    assert [p.name for p in foreign.iterdir()] == ["thesis.tex"]
    assert (foreign / "thesis.tex").read_text("utf-8") == "years of work"


def test_output_written_by_an_earlier_build_is_replaced_whole(bundled_site, built_bundled):
    (built_bundled / "stale.html").write_text("old", "utf-8")
    build(load_config(bundled_site))
    assert not (built_bundled / "stale.html").exists()
    assert (built_bundled / MARKER).is_file()


def test_raw_html_in_titles_and_summaries_is_text_everywhere(tmp_path):
    hostile = (
        "# <script>alert(1)</script> Title</title>\n"
        "[<img src=x onerror=alert(1)>](https://arxiv.org/abs/2401.00001)\n\n"
        "<script>alert(2)</script> 摘要 <b onclick=x>粗</b>\n"
    )
    config = load_config(write_site(tmp_path, {"x.md": hostile}))
    build(config)
    for path in config.output_dir.rglob("*.html"):
        page = parse_html(path.read_text("utf-8"))
        scripts = [s for s in page.find_all("script") if not is_theme_script(s)]
        assert all(s.attrs.get("type") == "application/ld+json" and "<" not in s.text() for s in scripts)
        assert page.find_all("img") == [] and page.find_all("b") == []
        assert all(not k.startswith("on") for n in page.find_all() for k in n.attrs)
    data = (config.output_dir / "papers.json").read_text("utf-8")
    assert "<" not in data
    assert json.loads(data)["papers"][0]["title"] == "<script>alert(1)</script> Title</title>"


def test_strict_turns_warnings_into_a_failed_build(bundled_site):
    with pytest.raises(ContentError):
        build(load_config(bundled_site), strict=True)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")
def test_exchange_paths_swaps_two_folders_in_one_step(tmp_path):
    (tmp_path / "live").mkdir()
    (tmp_path / "live" / "page.html").write_text("old", "utf-8")
    (tmp_path / "fresh").mkdir()
    (tmp_path / "fresh" / "page.html").write_text("new", "utf-8")
    assert exchange_paths(tmp_path / "fresh", tmp_path / "live")
    assert (tmp_path / "live" / "page.html").read_text("utf-8") == "new"
    assert (tmp_path / "fresh" / "page.html").read_text("utf-8") == "old"
    assert not exchange_paths(tmp_path / "missing", tmp_path / "live")  # nothing to swap with: refused


def test_a_site_without_papers_builds_an_empty_site_and_says_so(tmp_path):
    write_site(tmp_path, {}, "languages: [zh, en]\nbase_url: https://example.org/d/\n")
    config = load_config(tmp_path / "site.yaml")
    result = build(config)
    assert result.papers == 0 and not (config.output_dir / "search-index").exists()
    search = read_page(config.output_dir, "en/search/index.html")
    assert "Nothing to search yet" in search.find("main").text()
    assert not search.find("main").find_all("form")  # nothing to search: no search form
    assert "No papers yet" in read_page(config.output_dir, "en/index.html").find("main").text()
    assert feedparser.parse((config.output_dir / "feed.xml").read_bytes()).bozo == 0


def test_removing_every_digest_removes_the_search_index_in_place(tmp_path):
    write_site(tmp_path, {"a.md": "# One\n[一](https://arxiv.org/abs/2401.00001)\n\n摘要。\n"})
    config = load_config(tmp_path / "site.yaml")
    build(config, cache=DiskCache(config))
    assert (config.output_dir / "search-index" / "meta.js").is_file()
    (tmp_path / "seeds" / "a.md").unlink()
    emptied = build(config, cache=DiskCache(config))
    assert emptied.in_place and not (config.output_dir / "search-index").exists()
    updated = snapshot(config.output_dir)
    shutil.rmtree(config.output_dir)
    build(config)
    assert snapshot(config.output_dir) == updated  # the same as an empty site built from scratch


def test_a_paper_without_summary_is_listed_without_an_empty_summary_block(tmp_path):
    seeds = {"a.md": "# Bare Paper\n[裸论文](https://arxiv.org/abs/2401.00001)\n\n# Full Paper\n"
             "[全论文](https://arxiv.org/abs/2401.00002)\n\n完整的摘要。\n"}  # fmt: skip
    result = build(load_config(write_site(tmp_path, seeds)))
    assert [d.message for d in result.diagnostics] == ["entry 'Bare Paper' has no summary"]
    bare = (result.output_dir / "papers" / "2401.00001" / "index.html").read_text("utf-8")
    full = (result.output_dir / "papers" / "2401.00002" / "index.html").read_text("utf-8")
    assert "裸论文" in bare and 'class="summary"' not in bare
    assert "完整的摘要" in full and 'class="summary"' in full
    batch = next((result.output_dir / "batches").glob("*/index.html")).read_text("utf-8")
    assert batch.count('class="summary"') == 1

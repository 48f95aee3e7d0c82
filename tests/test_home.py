"""What a reader browses first: the home page's cards, topics and older batches, dates shown once, the way
to a summary's full abstract, and the favicon."""

from __future__ import annotations

from pathlib import Path

from htmldom import parse_html


def read_page(site: Path, path: str):
    return parse_html((site / path).read_text("utf-8"))


def test_home_shows_the_june_batch_first_as_cards(demo_output):
    home = read_page(demo_output, "index.html")
    latest = home.find("section", class_="latest")
    assert latest.find("p", class_="meta").text() == "第 4 期 · 2024 年 6 月 · 10 篇论文"  # the month once
    cards = latest.find_all("article", class_="card")
    assert len(cards) == 10
    first = cards[0]
    # The Chinese interface puts the Chinese title first, the English one second, then the summary's opening.
    assert first.find("h2").text() == "Transformer 是广义模型与高效算法：通过结构化状态空间对偶实现"
    assert first.find("h2").attrs["lang"] == "zh-CN"
    assert first.find("p", class_="card-subtitle").text().startswith("Transformers are SSMs")
    assert first.find("p", class_="card-lead").text().startswith("虽然 Transformer 是深度学习在语言建模成功的主要架构")
    assert [a.text() for a in first.find_all("a", class_="card-topic")] == ["状态空间模型"]
    english = read_page(demo_output, "en/index.html").find("article", class_="card")
    assert english.find("h2").text().startswith("Transformers are SSMs") and english.find("h2").attrs["lang"] == "en"


def test_home_leads_into_topics_older_batches_and_the_archive(demo_output):
    home = read_page(demo_output, "index.html")
    topics = home.find("section", class_="home-topics")
    chips = [a.attrs["href"] for a in topics.find("ul", class_="topic-list").find_all("a")]
    assert chips[0] == "topics/diffusion-models/" and len(chips) == 12  # the most papers first
    assert topics.find("p", class_="more").find("a").attrs["href"] == "topics/"
    earlier = home.find("section", class_="earlier")
    rows = [li.text().split() for li in earlier.find_all("li")]
    assert rows[0] == ["2024", "年", "4", "月", "第", "3", "期", "15", "篇论文"]
    assert [li.find("a").attrs["href"] for li in earlier.find_all("li")] == [
        "batches/2024-04/", "batches/2024-02-2/", "batches/2024-02/"
    ]  # fmt: skip
    assert earlier.find("p", class_="more").find("a").attrs["href"] == "archive/"
    archive = read_page(demo_output, "archive/index.html")
    assert archive.find("li").text().split() == ["2024", "年", "6", "月", "第", "4", "期", "10", "篇论文"]


def test_a_truncated_summary_points_to_the_full_abstract(demo_output):
    for path in ("papers/2406.04325/index.html", "batches/2024-06/index.html"):
        note = read_page(demo_output, path).find("p", class_="truncated")
        link = note.find("a")
        assert (link.text(), link.attrs["href"]) == ("在 arXiv 阅读完整摘要", "https://arxiv.org/abs/2406.04325")
    english = read_page(demo_output, "en/papers/2406.04325/index.html").find("p", class_="truncated")
    assert english.find("a").text() == "Read the full abstract on arXiv"
    assert not read_page(demo_output, "papers/2403.19887/index.html").find_all("p", class_="truncated")


def test_every_page_names_a_tiny_svg_favicon(demo_output):
    icon = read_page(demo_output, "index.html").find("link", rel="icon")
    assert icon.attrs["type"] == "image/svg+xml"
    svg = demo_output / icon.attrs["href"]
    assert svg.read_text("utf-8").startswith("<svg") and svg.stat().st_size < 1024
    deep = read_page(demo_output, "en/topics/agents/index.html").find("link", rel="icon")
    assert (demo_output / "en/topics/agents" / deep.attrs["href"]).resolve() == svg.resolve()

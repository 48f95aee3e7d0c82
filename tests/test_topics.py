"""Topics: the bundled glossary, how words tag papers (and why), site.yaml's changes, and the topic pages,
feeds and data of a built site."""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from pathlib import Path

import feedparser
import pytest

from digestsite.config import TopicSettings, load_config
from digestsite.content.model import Paper, SourceRef
from digestsite.errors import ConfigError
from digestsite.site import pages
from digestsite.site.assemble import load_site
from digestsite.site.topics import Evidence, Tagger, Term, index_topics, load_glossary, site_glossary
from helpers import REPO, write_site
from htmldom import parse_html

REVIEWED = REPO / "tests" / "fixtures" / "topics" / "bundled.json"


def paper(title: str = "A Paper", title_zh: str = "", summary: str = "", **fields: object) -> Paper:
    base = Paper("2401.00001", title, title_zh, summary, "zh", "", "", False, SourceRef("a.md", 1), "a")
    return replace(base, **fields)  # type: ignore[arg-type]


def topics_of(tagger: Tagger, item: Paper) -> list[str]:
    return list(dict.fromkeys(e.topic for e in tagger.tag(item)))


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger(load_glossary())


def test_the_glossary_has_forty_bilingual_topics_with_their_words():
    terms = load_glossary()
    assert len(terms) >= 40
    assert len({t.slug for t in terms}) == len(terms)
    for term in terms:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", term.slug), term.slug
        assert re.search(r"[\u4e00-\u9fff]", term.names["zh"]) and re.search("[A-Za-z]", term.names["en"]), term
        assert len(term.words) >= 3, term
    named = {t.slug: (t.names["zh"], t.names["en"]) for t in terms}
    assert named["mixture-of-experts"] == ("混合专家", "Mixture of Experts")
    assert named["state-space-models"] == ("状态空间模型", "State Space Models")
    assert {"diffusion-models", "reinforcement-learning", "agents", "multimodal", "quantization"} <= set(named)
    assert {"retrieval-augmented-generation", "long-context", "code-generation", "video-generation"} <= set(named)


def test_jamba_is_tagged_mixture_of_experts_and_state_space_models_with_the_evidence(bundled_site):
    site = load_site(load_config(bundled_site))
    jamba = next(p for p in site.papers if p.arxiv_id == "2403.19887")
    assert [t.slug for t in site.topics_of(jamba)] == ["mixture-of-experts", "state-space-models"]
    assert site.topics.evidence["2403.19887"] == (
        Evidence("mixture-of-experts", "summary", ("混合专家", "MoE")),
        Evidence("state-space-models", "title", ("Mamba",)),
        Evidence("state-space-models", "title_zh", ("Mamba",)),
        Evidence("state-space-models", "summary", ("Mamba",)),
    )
    assert [t.name["zh"] for t in site.topics_of(jamba)] == ["混合专家", "状态空间模型"]


def test_every_bundled_paper_has_the_reviewed_topics(bundled_site):
    """tests/fixtures/topics/bundled.json was read paper by paper; refresh it with DIGESTSITE_UPDATE_GOLDEN=1
    after a glossary change, and read the diff."""
    site = load_site(load_config(bundled_site))
    actual = {p.arxiv_id: {"title": p.title, "topics": [t.slug for t in site.topics_of(p)]} for p in site.papers}
    if os.environ.get("DIGESTSITE_UPDATE_GOLDEN"):
        REVIEWED.parent.mkdir(parents=True, exist_ok=True)
        REVIEWED.write_text(json.dumps(actual, ensure_ascii=False, indent=1) + "\n", "utf-8")
    assert actual == json.loads(REVIEWED.read_text("utf-8"))
    assert sum(1 for p in actual.values() if p["topics"]) == 56  # every paper has a topic


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Drag and Drop Editing", []),  # "rag" inside a word is not RAG
        ("RAG for Everyone", ["retrieval-augmented-generation"]),
        ("Sparse moe layers", []),  # MoE only in its own capitals
        ("Sparse MoEs at Scale", ["mixture-of-experts"]),  # a plural
        ("Long-Context Retrieval", ["long-context"]),  # hyphen and space alike
        ("A Long context window", ["long-context"]),
        ("YOLOv10: Real-Time Detection", ["computer-vision"]),  # a version after the word
        ("Mamba-2 Explained", ["state-space-models"]),
        ("Surveying Agents", ["agents"]),  # "survey" is not a whole word in "Surveying"
    ],
)
def test_latin_words_match_as_whole_words(tagger, title, expected):
    assert topics_of(tagger, paper(title)) == expected


def test_chinese_words_match_anywhere_and_longer_words_win(tagger):
    assert topics_of(tagger, paper("X", "基于检索增强生成的问答")) == ["retrieval-augmented-generation"]
    assert topics_of(tagger, paper("X", "用KV缓存加速")) == ["efficient-inference"]  # with or without the space
    found = tagger.find("检索增强生成")
    assert [(slug, word) for _, slug, word in found] == [("retrieval-augmented-generation", "检索增强生成")]


def test_a_summary_tags_only_what_it_mentions_twice(tagger):
    once = paper(summary="与强化学习不同，我们提出一种监督方法。")
    twice = paper(summary="我们用强化学习训练模型，并分析强化学习的稳定性。")
    assert topics_of(tagger, once) == []
    assert topics_of(tagger, twice) == ["reinforcement-learning"]
    assert tagger.tag(twice) == (Evidence("reinforcement-learning", "summary", ("强化学习",)),)
    # A URL is no evidence: its words are not the paper's.
    linked = paper(summary="代码：https://github.com/x/agent 与 https://github.com/y/agent-tools")
    assert topics_of(tagger, linked) == []


def test_keywords_and_the_english_abstract_are_read(tagger):
    assert topics_of(tagger, paper(keywords=("量化", "端侧部署"))) == ["quantization", "on-device"]
    abstract = "We apply reinforcement learning. Reinforcement learning with PPO is stable."
    assert topics_of(tagger, paper(abstract_en=abstract)) == ["reinforcement-learning"]


def test_arxiv_subject_classes_are_topics_after_the_glossary_ones():
    index = index_topics(
        [paper("Diffusion Models Beat GANs", categories=("cs.CV", "cs.LG"))], load_glossary(), ("zh", "en")
    )
    assert [(t.slug, t.category) for t in index.topics] == [
        ("diffusion-models", False),
        ("cs.CV", True),
        ("cs.LG", True),
    ]
    assert index.topic("cs.CV").name == {
        "zh": "计算机视觉与模式识别 (cs.CV)",
        "en": "Computer Vision and Pattern Recognition (cs.CV)",
    }
    assert index.evidence["2401.00001"][-1] == Evidence("cs.LG", "category", ("cs.LG",))


def test_site_yaml_extends_renames_removes_and_adds_topics(tmp_path):
    config = write_site(
        tmp_path,
        {"a.md": "# X\n[X](https://arxiv.org/abs/2401.00001)\n\n摘要。\n"},
        "topics:\n"
        "  mixture-of-experts: {match: [专家路由]}\n"
        "  diffusion-models: {en: Diffusion, zh: 扩散}\n"
        "  quantization: false\n"
        "  world-simulators: {en: World Simulators, match: [simulator]}\n",
    )
    settings = load_config(config).topics
    terms = {t.slug: t for t in site_glossary(settings)}
    assert "专家路由" in terms["mixture-of-experts"].words and "MoE" in terms["mixture-of-experts"].words
    assert terms["diffusion-models"].names == {"zh": "扩散", "en": "Diffusion"}
    assert "quantization" not in terms
    assert list(terms)[-1] == "world-simulators" and terms["world-simulators"].words == ("simulator",)
    tagger = Tagger(terms.values())
    assert topics_of(tagger, paper("Neural Simulators", "基于专家路由的模型")) == [
        "mixture-of-experts",
        "world-simulators",
    ]
    assert site_glossary(TopicSettings(enabled=False)) == []
    assert site_glossary(TopicSettings(), [Term("a", {"en": "A"}, ("a",))]) == [Term("a", {"en": "A"}, ("a",))]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("topics: 3\n", "'topics' must be true, false, or a mapping"),
        ("topics: {Bad Slug: false}\n", "'Bad Slug' is not one"),
        ("topics: {moe: {colour: red}}\n", "to false or to {zh, en, match}"),
        ("topics: {moe: {match: [1, 2]}}\n", "`match` as a list of words"),
        ("related: 50\n", "'related' must be a whole number from 0 to 20"),
    ],
)
def test_bad_topic_settings_name_their_key_and_line(tmp_path, text, message):
    config = write_site(tmp_path, {}, "title: X\n" + text)
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    assert any(message in line and "site.yaml:2: error:" in line for line in caught.value.messages), caught.value


def page(site: Path, path: str):
    return parse_html((site / path).read_text("utf-8"))


def test_topic_pages_list_papers_newest_first_with_counts_in_each_language(demo_output):
    zh = page(demo_output, "topics/state-space-models/index.html")
    assert zh.find("h1").text() == "状态空间模型"
    assert zh.find("p", class_="meta").text().startswith("共 3 篇论文")
    cards = zh.find("ol", class_="card-list").find_all("article")
    links = [c.find("a").attrs["href"] for c in cards]
    assert links == ["../../papers/2405.21060/", "../../papers/2403.19887/", "../../papers/2402.10644/"]
    assert cards[1].find("h2").text() == "Jamba：混合 Transformer-Mamba 语言模型"  # the interface's language first
    en = page(demo_output, "en/topics/state-space-models/index.html")
    assert en.find("h1").text() == "State Space Models"
    assert en.find("article").find("h2").text().startswith("Transformers are SSMs")
    index = page(demo_output, "en/topics/index.html")
    entries = [li.text() for li in index.find("ul", class_="topic-index").find_all("li")]
    assert entries[0] == "Diffusion Models 8 papers"  # the most papers first
    assert "State Space Models 3 papers" in entries and len(entries) >= 40


def test_paper_pages_link_their_topics_and_papers_json_carries_them(demo_output):
    chips = page(demo_output, "papers/2403.19887/index.html").find("ul", class_="topic-list").find_all("a")
    assert [(a.text(), a.attrs["href"]) for a in chips] == [
        ("混合专家", "../../topics/mixture-of-experts/"),
        ("状态空间模型", "../../topics/state-space-models/"),
    ]
    data = json.loads((demo_output / "papers.json").read_text("utf-8"))
    jamba = next(p for p in data["papers"] if p["arxiv_id"] == "2403.19887")
    assert jamba["topics"] == ["mixture-of-experts", "state-space-models"]
    assert jamba["topic_matches"][0] == {
        "topic": "mixture-of-experts",
        "field": "summary",
        "words": ["混合专家", "MoE"],
    }
    moe = next(t for t in data["topics"] if t["slug"] == "mixture-of-experts")
    assert moe == {"slug": "mixture-of-experts", "name": {"zh": "混合专家", "en": "Mixture of Experts"},
                   "category": False, "papers": 2, "url": "topics/mixture-of-experts/"}  # fmt: skip


def test_each_topic_has_an_atom_feed_per_language(demo_output):
    feed = feedparser.parse((demo_output / "en" / "topics" / "mixture-of-experts" / "feed.xml").read_bytes())
    assert not feed.bozo
    assert feed.feed.title == "Mixture of Experts · AI Paper Digest"
    assert feed.feed.link == "https://example.github.io/digestsite/en/topics/mixture-of-experts/"
    assert [e.link.rsplit("/", 2)[-2] for e in feed.entries] == ["2406.02539", "2403.19887"]
    zh = feedparser.parse((demo_output / "topics" / "mixture-of-experts" / "feed.xml").read_bytes())
    assert zh.feed.title == "混合专家 · AI 论文速递" and len(zh.entries) == 2
    head = page(demo_output, "en/topics/mixture-of-experts/index.html").find("head")
    feeds = [link.attrs["href"] for link in head.find_all("link", type="application/atom+xml")]
    assert feeds == ["../../feed.xml", "feed.xml"]  # the site's, then the topic's
    for path in demo_output.glob("**/topics/*/feed.xml"):  # every topic's, in both languages
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo and parsed.entries, path
    assert len(list(demo_output.glob("**/topics/*/feed.xml"))) == 2 * 44  # the 44 topics with papers
    sitemap = (demo_output / "sitemap.xml").read_text("utf-8")
    assert "<loc>https://example.github.io/digestsite/en/topics/mixture-of-experts/</loc>" in sitemap


def test_a_large_topic_is_split_into_pages(tmp_path, monkeypatch):
    monkeypatch.setattr(pages, "TOPIC_PAGE_SIZE", 2)
    entries = "".join(
        f"# Agents {n}\n[智能体 {n}](https://arxiv.org/abs/2401.0000{n})\n\n摘要。\n\n" for n in range(1, 6)
    )
    config = load_config(write_site(tmp_path, {"a.md": entries}))
    site = load_site(config)
    planned = [p for p in pages.plan_pages(site, "") if p.kind == "topic" and p.lang == "zh"]
    assert [p.path for p in planned] == ["topics/agents/index.html", "topics/agents/2/index.html",
                                         "topics/agents/3/index.html"]  # fmt: skip
    assert [len(p.data["entries"]) for p in planned] == [2, 2, 1]
    assert planned[1].title == "智能体 · 第 2 页"

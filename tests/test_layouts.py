"""Digest layouts beyond the seed format: each fixture in tests/fixtures/layouts/ against its expected records.

`NAME.md` is a small digest in one or more real-world layouts; `NAME.expected.json` lists, per paper in
file order, the ID, both titles, how the summary starts and the metadata fields, then every diagnostic
(severity, line, part of the message) and text that must not leak into any summary.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digestsite.content.explain import explain
from digestsite.content.model import Severity
from digestsite.content.parse import parse_digest

FIXTURES = Path(__file__).parent / "fixtures" / "layouts"
CASES = sorted(p.stem for p in FIXTURES.glob("*.md"))
FIELDS = ("authors", "published", "categories", "keywords", "code_url", "votes", "summary_lang")


def load(name: str):
    text = (FIXTURES / f"{name}.md").read_bytes()
    expected = json.loads((FIXTURES / f"{name}.expected.json").read_text("utf-8"))
    return text, expected


def test_the_corpus_is_large_enough_and_every_file_has_expectations():
    assert len(CASES) >= 30
    assert all((FIXTURES / f"{name}.expected.json").is_file() for name in CASES)


@pytest.mark.parametrize("name", CASES)
def test_layout_yields_the_expected_papers(name):
    data, expected = load(name)
    result = parse_digest(data, f"{name}.md")
    papers = list(result.batch.papers) if result.batch else []
    assert [p.arxiv_id for p in papers] == [e["id"] for e in expected["papers"]]
    for paper, want in zip(papers, expected["papers"], strict=True):
        assert (paper.title, paper.title_zh) == (want["title"], want["title_zh"]), paper.arxiv_id
        assert paper.summary.startswith(want["summary_start"]), (paper.arxiv_id, paper.summary[:120])
        fields = dict(want.get("fields", {}))
        abstract_start = fields.pop("abstract_start", None)
        if abstract_start is None:
            assert paper.abstract_en == "" or "abstract_start" in want.get("fields", {})
        else:
            assert paper.abstract_en.startswith(abstract_start), paper.abstract_en[:80]
        for key in FIELDS:
            if key in fields:
                value = getattr(paper, key)
                assert (list(value) if isinstance(value, tuple) else value) == fields[key], (paper.arxiv_id, key)
        for text in expected["summary_excludes"]:
            assert text not in paper.summary, (paper.arxiv_id, text)


@pytest.mark.parametrize("name", CASES)
def test_layout_reports_exactly_the_expected_diagnostics(name):
    data, expected = load(name)
    result = parse_digest(data, f"{name}.md")
    got = [(d.severity.value, d.line, d.message) for d in result.diagnostics]
    assert len(got) == len(expected["diagnostics"]), got
    for (severity, line, message), (want_severity, want_line, want_part) in zip(
        got, expected["diagnostics"], strict=True
    ):
        assert (severity, line) == (want_severity, want_line), got
        assert want_part in message, got


@pytest.mark.parametrize("name", CASES)
def test_explain_names_every_paper_and_every_skipped_entry(name):
    data, expected = load(name)
    report = explain(data, f"{name}.md")
    for want in expected["papers"]:
        assert want["id"] in report
    skipped = [d for d in expected["diagnostics"] if "skipped" in d[2]]
    assert report.count("skipped:") >= len([d for d in skipped if d[2] != "no entries"])


def test_structure_headings_are_never_errors():
    text = "# 日报\n\n## 今日论文统计\n\n共 0 篇。\n\n## 参考文献\n\n- 无\n\n## 订阅\n\n扫码关注。\n"
    result = parse_digest(text.encode(), "s.md")
    assert result.batch is None
    assert [d.severity for d in result.diagnostics] == [Severity.WARNING]


def test_one_warning_per_skipped_entry_not_per_heading():
    entry = "## Paper {n}\n[论文 {n}](https://arxiv.org/abs/2401.0000{n})\n\n"
    entry += "### 背景\n\n摘要 {n}。\n\n### 方法\n\n方法 {n}。\n\n"
    news = "## 新闻 {n}\n\n一条新闻 {n}。\n\n### 细节\n\n细节。\n\n"
    text = "".join(entry.format(n=n) + news.format(n=n) for n in range(1, 4))
    result = parse_digest(text.encode(), "mixed.md")
    assert [p.arxiv_id for p in result.batch.papers] == ["2401.00001", "2401.00002", "2401.00003"]
    assert [d.message for d in result.diagnostics] == [
        f"entry '新闻 {n}' has no link line to an arXiv or Hugging Face paper; skipped" for n in range(1, 4)
    ]
    assert all("新闻" not in p.summary and "方法" in p.summary for p in result.batch.papers)


def test_sub_headings_stay_in_the_entry_demoted_below_the_paper():
    text = "# Title\n[标题](https://arxiv.org/abs/2401.00001)\n\n## 背景\n\n背景文字。\n\n### 细节\n\n细节文字。\n"
    (paper,) = parse_digest(text.encode(), "d.md").batch.papers
    assert paper.summary == "### 背景\n\n背景文字。\n\n#### 细节\n\n细节文字。"


def test_english_abstract_opens_the_english_page_and_is_collapsed_on_the_chinese_one(tmp_path):
    from helpers import run, write_site
    from htmldom import parse_html

    data, _ = load("20-details-abstract")
    write_site(tmp_path, {"a.md": data.decode("utf-8")})
    assert run(tmp_path, "build").returncode == 0
    en = parse_html((tmp_path / "_site/en/papers/2608.02001/index.html").read_text("utf-8"))
    zh = parse_html((tmp_path / "_site/papers/2608.02001/index.html").read_text("utf-8"))
    assert en.find("section", class_="abstract-section").text().count("Humanoid motion tracking evaluation") == 1
    assert zh.find_all("section", class_="abstract-section") == []
    collapsed = zh.find("section", class_="summary-section").find("details", class_="abstract-en")
    assert "open" not in collapsed.attrs and "Humanoid motion tracking evaluation" in collapsed.text()


def test_code_link_is_shown_on_paper_pages(tmp_path):
    from helpers import run, write_site

    data, _ = load("10-link-row-pipes")
    write_site(tmp_path, {"a.md": data.decode("utf-8")})
    assert run(tmp_path, "build").returncode == 0
    for page in ("papers/2403.01001/index.html", "en/papers/2403.01001/index.html"):
        assert 'href="https://github.com/example/moda"' in (tmp_path / "_site" / page).read_text("utf-8")


# Property: whatever mix of layout pieces a file is made of, parsing never raises and every paper is sound.
PIECES = st.sampled_from(
    [
        "# Title",
        "## 1. [English Title](https://arxiv.org/abs/2401.00001)",
        "### 2. **[Bracket Title]** (https://huggingface.co/papers/2401.00002)",
        "#### 中文标题 / 不是英文",
        "## English / 中文",
        "[中文标题](https://arxiv.org/abs/2401.00003v2)",
        "[]()",
        "- **论文链接：** https://arxiv.org/abs/2401.00004",
        "**ArXiv ID**: [2401.00005](https://arxiv.org/abs/2401.00005)",
        "[📄 论文](https://arxiv.org/abs/2401.00006) | [💻 代码](https://github.com/x/y)",
        "<a href='https://arxiv.org/abs/2401.00007'>原文</a>",
        '<div data-arxiv-id="2401.00008"></div>',
        "https://arxiv.org/abs/2413.00009",
        "**摘要：**",
        "- **作者**: A, B",
        "**原文标题：** Wrapped",
        "  Title Continues",
        "<details>",
        "<summary>Abstract</summary>",
        "</details>",
        "> quoted",
        "---",
        "+++",
        "title: x",
        "layout: post",
        "```",
        "![img](x.png)",
        "数据来源：x",
        "- [返回目录](./index.md)",
        "摘要正文。",
        "English prose line.",
        "",
    ]
)
LAYOUT = st.lists(st.one_of(PIECES, st.text(max_size=30)), max_size=40).map("\n".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LAYOUT)
def test_any_mix_of_layout_pieces_parses_without_raising(text):
    result = parse_digest(text.encode("utf-8", "surrogatepass"), "p.md")
    line_count = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    for diagnostic in result.diagnostics:
        assert 1 <= diagnostic.line <= line_count
    seen = set()
    for paper in result.batch.papers if result.batch else ():
        assert paper.arxiv_id not in seen
        seen.add(paper.arxiv_id)
        assert paper.summary == paper.summary.strip()
        if not paper.summary:  # kept, but said
            assert any("has no summary" in d.message for d in result.diagnostics)
        assert paper.title
        assert 1 <= paper.source.line <= line_count
    explain(text.encode("utf-8", "surrogatepass"), "p.md")


def test_check_explain_prints_the_report_and_exits_by_the_file_alone(tmp_path):
    from helpers import run

    digest = tmp_path / "digest.md"
    digest.write_bytes((FIXTURES / "22-news-and-empty-link.md").read_bytes())
    result = run(tmp_path, "check", "--explain", str(digest))
    assert result.returncode == 0, result.stderr
    assert "paper 2311.02201" in result.stdout and "zh: 重新审视 Flash 解码" in result.stdout
    assert "skipped: has an empty link: '某公司发布新一代推理芯片'" in result.stdout
    assert f"{digest}:11: warning: entry '开源社区一周动态'" in result.stdout
    broken = tmp_path / "broken.md"
    broken.write_bytes((FIXTURES / "30-malformed-id.md").read_bytes())
    failed = run(tmp_path, "check", "--explain", str(broken))
    assert failed.returncode == 1 and "has a malformed arXiv ID" in failed.stdout

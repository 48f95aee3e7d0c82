"""The digest parser: every quirk of the bundled seeds, and every diagnostic."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from digestsite.content.blocks import scan_blocks
from digestsite.content.model import Severity
from digestsite.content.parse import parse_digest
from helpers import SEEDS

JAMBA = next(SEEDS.glob("000_*"))
FEB_A = next(SEEDS.glob("001_*"))
FEB_B = next(SEEDS.glob("002_*"))
JUNE = next(SEEDS.glob("003_*"))


def parse_file(path):
    return parse_digest(path.read_bytes(), path.name)


def parse_text(text: str, name: str = "d.md"):
    return parse_digest(text.encode("utf-8"), name)


def by_id(result, arxiv_id):
    return next(p for p in result.batch.papers if p.arxiv_id == arxiv_id)


def messages(result, severity):
    return [(d.line, d.message) for d in result.diagnostics if d.severity == severity]


ENTRY = "# Title {n}\n[中文标题 {n}](https://arxiv.org/abs/2403.1000{n})\n\n摘要 {n}。\n"


def test_hash_and_double_hash_headings_both_start_entries():
    one, two = parse_file(JAMBA), parse_file(FEB_A)
    assert len(one.batch.papers) == 15 and len(two.batch.papers) == 16
    assert by_id(two, "2402.10644").title.startswith("Linear Transformers with Learnable Kernel")
    assert not messages(one, Severity.ERROR) and not messages(two, Severity.ERROR)


def test_heading_right_after_summary_without_blank_line_starts_a_new_entry():
    result = parse_file(JAMBA)
    mod, var = by_id(result, "2404.02258"), by_id(result, "2404.02905")
    assert var.title == "Visual Autoregressive Modeling: Scalable Image Generation via Next-Scale Prediction"
    assert "Visual Autoregressive" not in mod.summary
    assert mod.summary.endswith("50% 以上。")
    assert var.source.line == 50


def test_blank_line_between_heading_and_link():
    griffin = by_id(parse_file(FEB_B), "2402.19427")
    assert griffin.title_zh.startswith("Griffin: 结合门控线性递归")
    assert griffin.summary.startswith("循环神经网络")


def test_bare_url_link_line_keeps_paper_with_empty_chinese_title_and_warns():
    result = parse_file(JUNE)
    parrot = by_id(result, "2406.02539")
    assert parrot.title == "Parrot: Multilingual Visual Instruction Tuning"
    assert parrot.title_zh == ""
    assert parrot.summary.startswith("多模态大语言模型")
    warnings = messages(result, Severity.WARNING)
    assert any(line == 27 and "no Chinese title" in text for line, text in warnings)


def test_closing_source_line_is_batch_attribution_not_summary():
    result = parse_file(FEB_A)
    assert result.batch.attribution == "数据来源：https://huggingface.co/papers"
    last = result.batch.papers[-1]
    assert last.arxiv_id == "2402.14083"
    assert "数据来源" not in last.summary
    assert last.summary.endswith("都有所改进。")


def test_summary_cut_with_ellipsis_is_flagged_truncated_with_a_warning():
    result = parse_file(JUNE)
    assert by_id(result, "2406.04325").truncated is True
    assert sum(p.truncated for p in result.batch.papers) == 1
    assert any("cut short" in text for _, text in messages(result, Severity.WARNING))


def test_file_without_trailing_newline_keeps_last_summary_whole():
    assert not JUNE.read_bytes().endswith(b"\n")
    last = parse_file(JUNE).batch.papers[-1]
    assert last.summary.endswith("https://rockeycoss.github.io/spo.github.io/")


def test_date_is_inferred_from_newest_arxiv_id_and_names_a_batch_with_a_hashed_file_name():
    batch = parse_file(JUNE).batch
    assert batch.date == dt.date(2024, 6, 1)
    assert batch.date_inferred
    assert batch.slug == "2024-06"  # the file name is a hash: the month of its newest paper names it


def test_paper_record_fields():
    jamba = by_id(parse_file(JAMBA), "2403.19887")
    assert jamba.title == "Jamba: A Hybrid Transformer-Mamba Language Model"
    assert jamba.title_zh == "Jamba：混合 Transformer-Mamba 语言模型"
    assert jamba.abs_url == "https://arxiv.org/abs/2403.19887"
    assert jamba.pdf_url == "https://arxiv.org/pdf/2403.19887"
    assert jamba.summary_lang == "zh"
    assert jamba.batch == "2024-04"
    assert jamba.source.line == 1 and jamba.truncated is False


@pytest.mark.parametrize(
    "url",
    [
        "https://arxiv.org/pdf/2403.10001",
        "https://arxiv.org/pdf/2403.10001v2",
        "https://arxiv.org/pdf/2403.10001.pdf",
        "http://www.arxiv.org/abs/2403.10001v3",
        "https://arxiv.org/html/2403.10001v1",
    ],
)
def test_pdf_and_versioned_links_normalise_to_the_bare_id(url):
    result = parse_text(f"# T\n[标题]({url})\n\n摘要。\n")
    assert result.batch.papers[0].arxiv_id == "2403.10001"


def test_front_matter_sets_title_date_slug_and_lang_and_shifts_lines():
    text = "---\ntitle: 特别一期\ndate: 2024-05-20\nslug: Special Issue\nlang: en\n---\n" + ENTRY.format(n=1)
    result = parse_text(text)
    batch = result.batch
    assert batch.title == {"*": "特别一期"}
    assert batch.date == dt.date(2024, 5, 20) and not batch.date_inferred
    assert batch.slug == "special-issue"
    assert batch.papers[0].summary_lang == "en"
    assert batch.papers[0].source.line == 7


def test_front_matter_problems_are_located_warnings_not_errors():
    result = parse_text("---\ndate: 20 May\ncolour: red\nlayout: post\n---\n" + ENTRY.format(n=1))
    assert messages(result, Severity.ERROR) == []
    warnings = messages(result, Severity.WARNING)
    assert (2, "front matter 'date' must be a date written YYYY-MM-DD, not '20 May'; ignored") in warnings
    assert any(line == 3 and "front matter keys ignored: colour, layout" in text for line, text in warnings)
    assert result.batch.papers[0].arxiv_id == "2403.10001" and result.batch.date_inferred


def test_entry_without_link_is_skipped_with_one_warning_at_its_heading():
    result = parse_text(ENTRY.format(n=1) + "\n# No Link Here\n\n只有摘要。\n")
    assert messages(result, Severity.ERROR) == []
    assert messages(result, Severity.WARNING) == [
        (6, "entry 'No Link Here' has no link line to an arXiv or Hugging Face paper; skipped")
    ]
    assert [p.arxiv_id for p in result.batch.papers] == ["2403.10001"]
    assert "只有摘要" not in result.batch.papers[0].summary


def test_an_entry_without_summary_is_still_a_paper_with_a_warning():
    result = parse_text("# Lonely\n[标题](https://arxiv.org/abs/2403.10001)\n\n" + ENTRY.format(n=2))
    assert messages(result, Severity.ERROR) == []
    assert messages(result, Severity.WARNING) == [(1, "entry 'Lonely' has no summary")]
    bare, full = result.batch.papers
    assert (bare.arxiv_id, bare.title_zh, bare.summary) == ("2403.10001", "标题", "")
    assert full.arxiv_id == "2403.10002"


def test_duplicate_arxiv_id_in_one_file_is_an_error_naming_both_lines():
    other = "# Another Title\n[另一个标题](https://arxiv.org/abs/2403.10001)\n\n另一段摘要。\n"
    result = parse_text(ENTRY.format(n=1) + "\n" + other)
    assert messages(result, Severity.ERROR) == [(6, "arXiv 2403.10001 appears twice in this file (first at line 1)")]


def test_the_same_paper_given_again_is_one_paper_with_its_fullest_write_up():
    again = ENTRY.format(n=1).replace("摘要 1。", "摘要 1，这一次写得更长一些。")
    result = parse_text(ENTRY.format(n=1) + "\n" + again + "\n" + ENTRY.format(n=2))
    assert messages(result, Severity.ERROR) == []
    assert [p.arxiv_id for p in result.batch.papers] == ["2403.10001", "2403.10002"]
    first = result.batch.papers[0]
    assert (first.summary, first.source.line) == ("摘要 1，这一次写得更长一些。", 1)


def test_invalid_utf8_names_the_first_bad_line():
    data = ENTRY.format(n=1).encode("utf-8") + "\n# 标题\n".encode("gbk")
    result = parse_digest(data, "gbk.md")
    assert result.batch is None
    assert [(d.path, d.line, d.severity) for d in result.diagnostics] == [("gbk.md", 6, Severity.ERROR)]
    assert "UTF-8" in result.diagnostics[0].message


def test_third_and_fourth_level_headings_are_entries_without_a_warning():
    for marks in ("###", "####"):
        result = parse_text(f"{marks} Deep\n[标题](https://arxiv.org/abs/2403.10001)\n\n摘要。\n")
        assert [p.title for p in result.batch.papers] == ["Deep"]
        assert result.diagnostics == []


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<b>x</b>", "ftp://arxiv.org/abs/2403.10001"])
def test_link_with_a_non_http_scheme_is_no_paper(url):
    result = parse_text(f"# T\n[标题]({url})\n\n摘要。\n")
    assert result.batch is None
    assert messages(result, Severity.ERROR) == []
    ((line, text),) = messages(result, Severity.WARNING)
    assert line == 1 and text.startswith("no entries")


def test_non_arxiv_link_among_papers_is_a_skipped_entry():
    result = parse_text(ENTRY.format(n=1) + "\n# T\n[标题](https://example.com/paper)\n\n摘要。\n")
    assert messages(result, Severity.ERROR) == []
    assert messages(result, Severity.WARNING) == [
        (6, "entry 'T' has no link line to an arXiv or Hugging Face paper; skipped")
    ]


@pytest.mark.parametrize(
    "url",
    ["https://arxiv.org/abs/2413.00001", "https://arxiv.org/pdf/24031.0001", "https://huggingface.co/papers/2401.x"],
)
def test_malformed_arxiv_id_in_a_paper_link_is_an_error_at_the_link(url):
    result = parse_text(ENTRY.format(n=1) + f"\n## Broken\n- **论文链接**: {url}\n\n摘要。\n")
    assert messages(result, Severity.ERROR) == [(7, f"link '{url}' has a malformed arXiv ID")]
    assert [p.arxiv_id for p in result.batch.papers] == ["2403.10001"]


def test_link_line_directly_followed_by_summary_lines():
    result = parse_text("# T\n[标题](https://arxiv.org/abs/2403.10001)\n摘要紧跟在链接后。\n")
    assert result.batch.papers[0].summary == "摘要紧跟在链接后。"


def test_bom_and_crlf_parse_exactly_like_plain_lf():
    plain = JAMBA.read_bytes()
    crlf = b"\xef\xbb\xbf" + plain.replace(b"\n", b"\r\n")
    assert parse_digest(crlf, "x.md") == parse_digest(plain, "x.md")


def test_empty_file_or_no_entries_is_a_warning_and_yields_no_batch():
    for text in ("", "\n\n", "只是一些文字。\n"):
        result = parse_text(text)
        assert result.batch is None
        assert [d.severity for d in result.diagnostics] == [Severity.WARNING]


def test_multi_paragraph_summary_keeps_markdown_source():
    result = parse_text("# T\n[标题](https://arxiv.org/abs/2403.10001)\n\n第一段。\n\n- 要点\n- 要点二\n")
    assert result.batch.papers[0].summary == "第一段。\n\n- 要点\n- 要点二"


# The line scanner in content/blocks.py is CommonMark's block structure restricted to headings, fences,
# thematic breaks and paragraphs: it must agree with markdown-it run with only those rules.
_REFERENCE = MarkdownIt("commonmark", {"html": False}).disable(
    ["inline", "list", "blockquote", "lheading", "code", "reference", "html_block"]
)
_BLOCK_LINES = st.sampled_from(
    [
        "#",
        "# ",
        "#a",
        "## x ##",
        "## ##",
        "### x #",
        "   # x",
        "    # x",
        "####### x",
        "# x\\#",
        "\t# x",
        "```",
        "```py",
        "``` a`b",
        "~~~",
        "~~~~",
        "````",
        "  ```",
        "    ```",
        "---",
        "***",
        "_ _ _",
        "- - -",
        "-- ",
        "- item",
        "1. item",
        "> quote",
        ">",
        "",
        " ",
        "\t",
        "text",
        "  text",
        "[链接](https://arxiv.org/abs/2401.00001)",
    ]
)


def _reference_blocks(source: str) -> list[tuple[str, int, int, int, str]]:
    tokens = _REFERENCE.parse(source)
    found = []
    for index, token in enumerate(tokens):
        if token.level != 0 or token.nesting == -1 or token.map is None:
            continue
        start, end = token.map
        if token.type == "heading_open":
            found.append(("heading", start, end, int(token.tag[1]), tokens[index + 1].content.strip()))
        else:
            found.append((token.type.removesuffix("_open"), start, end, 0, ""))
    return found


def _indent_at_most_three(line: str) -> str:
    """markdown-it without its indented-code rule ignores indentation; CommonMark (and the scanner) do
    not take a line indented four columns for a heading, fence or break. Compare below that."""
    body = line.lstrip(" \t")
    return " " * min(3, len(line) - len(body)) + body


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(_BLOCK_LINES, st.text(max_size=12)).map(_indent_at_most_three), max_size=25).map("\n".join))
def test_block_scanner_agrees_with_markdown_it(source):
    source = source.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")  # as decode() and markdown-it do
    ours = [
        (b.kind if b.kind in ("heading", "fence", "hr") else "paragraph", b.start, b.end, b.level, b.text)
        for b in scan_blocks(source)
    ]
    assert ours == _reference_blocks(source)


def test_lines_indented_four_columns_are_never_headings_fences_or_breaks():
    for line in ("    # x", "\t# x", "    ```", "    ---"):
        assert [b.kind for b in scan_blocks(f"{line}\nnext")] == ["paragraph"]


# Property: any file in the seed layout parses exactly as the seed parser always read it: the heading is
# the English title, the link text the Chinese title, the rest the summary, with no diagnostic.
_WORD = st.sampled_from(["Sparse", "Mixture", "LLMs", "A*", "(Almost)", "3D", "Scaling:", "Long-Context", "of", "via"])
_HAN = st.sampled_from(["稀疏", "混合专家", "长上下文", "：", "模型", "Transformer", "（MoE）", "推理", "3D"])
_SENTENCE = st.lists(_HAN, min_size=2, max_size=12).map(lambda parts: "".join(parts) + "。")


@st.composite
def _seed_entry(draw, number: int):
    title = " ".join(draw(st.lists(_WORD, min_size=2, max_size=8)))
    title_zh = draw(st.sampled_from(["稀疏", "长上下文", "推理"])) + "".join(draw(st.lists(_HAN, max_size=5)))
    arxiv_id = f"24{draw(st.integers(1, 12)):02d}.{10000 + number:05d}"
    url = draw(st.sampled_from(["https://arxiv.org/abs/{}", "https://arxiv.org/pdf/{}", "http://arxiv.org/abs/{}v2"]))
    paragraphs = draw(st.lists(st.lists(_SENTENCE, min_size=1, max_size=3).map("".join), min_size=1, max_size=3))
    marks = draw(st.sampled_from(["#", "##"]))
    gap = draw(st.sampled_from(["", "\n"]))
    text = f"{marks} {title}\n{gap}[{title_zh}]({url.format(arxiv_id)})\n\n" + "\n\n".join(paragraphs) + "\n"
    return text, (arxiv_id, title, title_zh, "\n\n".join(paragraphs))


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 6).flatmap(lambda n: st.tuples(*[_seed_entry(i) for i in range(n)])))
def test_any_seed_layout_file_parses_exactly_as_the_seed_parser_read_it(entries):
    text = "\n".join(chunk for chunk, _ in entries)
    result = parse_text(text)
    assert result.diagnostics == []
    got = [(p.arxiv_id, p.title, p.title_zh, p.summary) for p in result.batch.papers]
    assert got == [want for _, want in entries]
    lines = text.split("\n")
    assert all(lines[p.source.line - 1].startswith("#") for p in result.batch.papers)
    assert all(p.summary_lang == "zh" and not p.truncated and p.code_url == "" for p in result.batch.papers)


def test_a_code_fence_that_names_a_paper_stays_code():
    text = (
        ENTRY.format(n=1)
        + "\n```\n# 复现：https://arxiv.org/abs/2403.10001\nurl = 'https://arxiv.org/abs/2403.10001'\n"
        + "model = load(url)\nprint(model)\n```\n"
    )
    paper = by_id(parse_text(text), "2403.10001")
    assert "```\n# 复现" in paper.summary


def test_an_entry_written_in_a_bare_fence_is_read_as_text():
    text = (
        "# 本周论文\n\n```\n[1] Fenced Title One\n链接：https://arxiv.org/abs/2403.10001\n\n简单介绍：第一篇的介绍。\n```\n\n"
        "```\n[2] Fenced Title Two\n链接：https://arxiv.org/abs/2403.10002\n\n简单介绍：第二篇的介绍。\n```\n"
    )
    result = parse_text(text)
    assert [p.title for p in result.batch.papers] == ["Fenced Title One", "Fenced Title Two"]
    assert by_id(result, "2403.10002").summary == "简单介绍：第二篇的介绍。"

"""Summary rendering: URLs glued to Chinese text are linked; raw HTML never survives."""

from __future__ import annotations

import pytest

from digestsite.content.markdown import render_summary, strip_control_characters
from htmldom import parse_html


def links(html: str) -> list[tuple[str, str]]:
    return [(a.attrs["href"], a.text()) for a in parse_html(html).find_all("a")]


@pytest.mark.parametrize(
    ("source", "url"),
    [
        ("代码仓库地址：https://github.com/whlzy/FiT。", "https://github.com/whlzy/FiT"),
        ("可在https://github.com/OpenRLHF/OpenRLHF获取", "https://github.com/OpenRLHF/OpenRLHF"),
        (
            "演示可见：https://junzhan2000.github.io/AnyGPT.github.io/。",
            "https://junzhan2000.github.io/AnyGPT.github.io/",
        ),
        ("see https://example.org/a.", "https://example.org/a"),
        ("（https://example.org/x_(y)）", "https://example.org/x_(y)"),
        ("(https://example.org/z)", "https://example.org/z"),
    ],
)
def test_urls_glued_to_cjk_text_or_punctuation_are_linked_up_to_the_boundary(source, url):
    assert links(render_summary(source)) == [(url, url)]


def test_explicit_markdown_links_are_kept_and_not_double_linked():
    html = render_summary("见 [代码](https://github.com/a/b) 与 <https://c.org/d>")
    assert links(html) == [("https://github.com/a/b", "代码"), ("https://c.org/d", "https://c.org/d")]


def test_raw_html_is_text_and_less_than_is_escaped():
    html = render_summary('少量（<10）的演示 <script>alert(1)</script> <img src=x onerror="alert(1)">')
    assert "<script" not in html and "<img" not in html
    assert "（&lt;10）" in html
    assert parse_html(html).find("p").text().startswith("少量（<10）的演示 <script>")


def test_unsafe_link_schemes_are_not_linked():
    html = render_summary("[点我](javascript:alert(1)) [数据](data:text/html,x)")
    assert links(html) == []


def test_remote_images_render_as_links_to_them():
    html = render_summary("![像素](https://evil.example/t.png) ![](//cdn.example/a.gif) ![x](HTTP://E.example/b.png)")
    assert "<img" not in html
    assert links(html) == [
        ("https://evil.example/t.png", "像素"),
        ("//cdn.example/a.gif", "//cdn.example/a.gif"),
        ("HTTP://E.example/b.png", "x"),
    ]


def test_a_remote_image_inside_a_link_leaves_only_the_link():
    html = render_summary("[![badge](https://img.example/b.svg)](https://github.com/a/b)")
    assert "<img" not in html and links(html) == [("https://github.com/a/b", "badge")]


def test_local_and_data_images_stay_images_and_remote_ones_can_be_allowed():
    html = render_summary("![图](figures/a.png) ![点](data:image/png;base64,AAAA)")
    assert [n.attrs["src"] for n in parse_html(html).find_all("img")] == ["figures/a.png", "data:image/png;base64,AAAA"]
    allowed = render_summary("![图](https://cdn.example/a.png)", allow_remote_images=True)
    assert [n.attrs["src"] for n in parse_html(allowed).find_all("img")] == ["https://cdn.example/a.png"]


def test_strip_control_characters_keeps_tab_newline_and_text():
    assert strip_control_characters("a\x00b\x01\tc\nd\x1b[1m\x7f\x85\ufffe中") == "ab\tc\nd[1m中"

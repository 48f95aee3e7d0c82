"""Summary markdown → safe HTML, linking URLs even when glued to Chinese text or punctuation.

The built site makes no request to another host, so an image from elsewhere (`![alt](https://…)`)
becomes a plain link to it unless the site opts in with `allow_remote_images`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

# A URL runs until whitespace, markup delimiters or the first CJK character (ideographs, kana, hangul,
# CJK and full-width punctuation): `地址：https://github.com/whlzy/FiT。` links just the URL.
_URL = re.compile(
    r"https?://[^\s<>\"'`"
    r"\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    r"\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]+"
)
_TRAILING = ".,;:!?*_~"


def _trim(url: str) -> str:
    """Drops sentence punctuation and an unbalanced closing bracket from the end of a URL."""
    while url:
        last = url[-1]
        if last in _TRAILING or (last == ")" and url.count(")") > url.count("(")):
            url = url[:-1]
        else:
            break
    return url


def _split_text(token: Token, md: MarkdownIt) -> list[Token]:
    text = token.content
    pieces: list[Token] = []
    position = 0
    for match in _URL.finditer(text):
        url = _trim(match.group())
        if len(url) <= len("https://") or not md.validateLink(url):
            continue
        start, end = match.start(), match.start() + len(url)
        if start > position:
            pieces.append(_text(text[position:start]))
        link_open = Token("link_open", "a", 1)
        link_open.attrs = {"href": md.normalizeLink(url)}
        pieces.extend([link_open, _text(url), Token("link_close", "a", -1)])
        position = end
    if not pieces:
        return [token]
    if position < len(text):
        pieces.append(_text(text[position:]))
    return pieces


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _linkify_rule(state: StateCore) -> None:
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        depth = 0
        for token in block.children:
            depth += token.type == "link_open"
            depth -= token.type == "link_close"
            if token.type == "text" and depth == 0 and "://" in token.content:
                children.extend(_split_text(token, state.md))
            else:
                children.append(token)
        block.children = children


def is_remote(url: str) -> bool:
    """Whether loading `url` would ask another host: it names a host or a scheme (data: URLs do not)."""
    parts = urlsplit(url.strip())
    return bool(parts.netloc) or parts.scheme.lower() not in ("", "data")


def _image_or_link(renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """Remote images as a link (text: the alt text, else the URL); inside a link, as its text alone."""
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    if not is_remote(src):
        return renderer.image(tokens, idx, options, env)
    text = escapeHtml(renderer.renderInlineAsText(token.children or [], options, env) or src)
    depth = sum((t.type == "link_open") - (t.type == "link_close") for t in tokens[:idx])
    return text if depth > 0 else f'<a href="{escapeHtml(src)}">{text}</a>'


def create_markdown(allow_remote_images: bool = False) -> MarkdownIt:
    """CommonMark with raw HTML off (it renders as text) and CJK-aware URL linking."""
    md = MarkdownIt("commonmark", {"html": False})
    md.core.ruler.push("cjk_linkify", _linkify_rule)
    if not allow_remote_images:
        md.add_render_rule("image", _image_or_link)
    return md


_MD = create_markdown()
_MD_REMOTE_IMAGES = create_markdown(allow_remote_images=True)


def render_summary(source: str, allow_remote_images: bool = False) -> str:
    return (_MD_REMOTE_IMAGES if allow_remote_images else _MD).render(source)


def render_inline(source: str, allow_remote_images: bool = False) -> str:
    """One line of markdown without the surrounding paragraph (attribution lines)."""
    return (_MD_REMOTE_IMAGES if allow_remote_images else _MD).renderInline(source)


# Characters XML 1.0 forbids or HTML reports as parse errors: C0 controls but tab and newline, DEL, C1
# controls, lone surrogates and noncharacters. A heading with \x01 would make feed.xml unreadable.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")


def strip_control_characters(text: str) -> str:
    """`text` without the characters no XML or HTML output may hold (tab and newline are kept)."""
    return _CONTROL.sub("", text) if _CONTROL.search(text) else text


_MARKUP = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|[*_`#>]+|\s+")


def plain_text(markdown: str) -> str:
    """Markdown as one line of plain text: link texts kept, emphasis and heading marks dropped."""
    return _MARKUP.sub(lambda m: m.group(1) if m.group(1) is not None else " ", markdown).strip()

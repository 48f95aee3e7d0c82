"""Papers shown as HTML cards: `<div class="paper-card">` holding a title link, a short note and an
arXiv link, as blog themes and generated daily pages write them.

A card starts at a line opening an element whose class names a card or item (`paper-card`,
`paper-item`, `entry`), and ends where the next one starts or the HTML stops. It is a paper when it
names exactly one arXiv paper and has a title; its note is the element whose class says summary
(`card-tldr`, `summary`, `abstract`), else its longest Chinese text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from digestsite.content import references
from digestsite.content.tables import Row
from digestsite.content.titles import clean_title, has_cjk, is_latin, plain

_CLASS = re.compile(r"""<(?:div|article|li|section)\b[^>]*\bclass\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
_CARD_CLASSES = frozenset({"paper-card", "paper-item", "card", "entry", "paper"})
_TITLED = re.compile(
    r"""<(\w+)\b[^>]*\bclass\s*=\s*["'][^"']*title[^"']*["'][^>]*>(.*?)</\1\s*>""", re.IGNORECASE | re.DOTALL
)
_NOTE = re.compile(
    r"""<(\w+)\b[^>]*\bclass\s*=\s*["'][^"']*(?:tldr|summary|abstract|desc)[^"']*["'][^>]*>(.*?)</\1\s*>""",
    re.IGNORECASE | re.DOTALL,
)
_TAG = re.compile(r"<[^<>]{0,400}>")
_MIN_NOTE = 8


def cards(body: Sequence[str], start: int, end: int) -> list[Row]:
    """The paper cards among body lines `start`…`end`, in order."""
    found: list[Row] = []
    opened = -1
    for index in range(start, end + 1):
        line = body[index] if index < end else ""
        opens = index < end and _opens_card(line)
        closes = opened >= 0 and (index == end or opens or not line.lstrip().startswith("<"))
        if closes:
            row = _card(opened, "\n".join(body[opened:index]))
            if row is not None:
                found.append(row)
            opened = -1
        if opens:
            opened = index
    return found


def _opens_card(line: str) -> bool:
    match = _CLASS.search(line) if "class" in line else None
    return match is not None and not _CARD_CLASSES.isdisjoint(match.group(1).lower().split())


def _card(line: int, html: str) -> Row | None:
    if "arxiv" not in html.lower():
        return None
    papers = {ref.arxiv_id for ref in references.refs_in(html.replace("\n", " ")) if ref.arxiv_id}
    if len(papers) != 1:
        return None
    titled = _TITLED.search(html)
    title = clean_title(_TAG.sub(" ", titled.group(2)))[0] if titled else ""
    if not title:
        return None
    noted = _NOTE.search(html)
    note = plain(_TAG.sub(" ", noted.group(2))) if noted else ""
    if not note:
        texts = [plain(text) for text in _TAG.sub("\n", html).split("\n")]
        note = max((text for text in texts if has_cjk(text) and len(text) >= _MIN_NOTE), key=len, default="")
    title_en, title_zh = (title, "") if is_latin(title) else ("", title)
    return Row(line, papers.pop(), title_en, title_zh, note, ())

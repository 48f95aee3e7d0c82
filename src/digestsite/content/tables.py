"""Papers listed as table rows: `| 4 | [Title](https://arxiv.org/abs/…) | 推荐理由… |`, or an HTML
`<tr>` whose cells hold the title and a note and whose markup carries the ID (`data-arxiv-id`).

Digests often close with a table of further papers, and some generated indexes are nothing but such
tables: one row each, with the title and a short Chinese note in other cells. Such a row is a paper when
it has both; a row naming a paper that already has its own entry (an index or statistics table) is left
alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from digestsite.content import references
from digestsite.content.extract import generic_link_text
from digestsite.content.titles import clean_title, has_cjk, is_latin, plain

_DELIMITER = re.compile(r"\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*")
_CODE_SPAN = re.compile(r"`([^`\n]*)`")
_CATEGORY = re.compile(r"\b[a-z][a-z-]*\.[A-Za-z][A-Za-z-]*\b")
_MIN_NOTE = 8
_CELL = re.compile(r"<td\b[^>]*>(.*?)</td>", re.IGNORECASE | re.DOTALL)
_ANCHOR = re.compile(r"<a\b[^>]*>(.*?)</a>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^<>]{0,400}>")


@dataclass(frozen=True, slots=True)
class Row:
    """A table row read as a paper."""

    line: int  # 0-based body line
    arxiv_id: str
    title_en: str
    title_zh: str
    summary: str
    categories: tuple[str, ...]


def rows(body: list[str], start: int, end: int) -> list[Row]:
    """Paper rows of the tables between body lines `start` and `end`."""
    found: list[Row] = []
    in_table = False
    html_row = -1
    for index in range(start, end):
        line = body[index].strip()
        if html_row >= 0 or line.startswith("<tr"):
            html_row = index if html_row < 0 else html_row
            if "</tr>" in line:
                row = _html_row(html_row, " ".join(body[html_row : index + 1]))
                if row is not None:
                    found.append(row)
                html_row = -1
            continue
        if not line.startswith("|"):
            in_table = False
            continue
        if _DELIMITER.fullmatch(line):
            in_table = True
            continue
        if in_table:
            row = _row(index, line)
            if row is not None:
                found.append(row)
    return found


def _html_row(index: int, text: str) -> Row | None:
    if not references.might_refer(text):
        return None
    refs = [ref for ref in references.refs_in(text) if ref.arxiv_id]
    if not refs:
        return None
    title_en = title_zh = ""
    notes = []
    for cell in _CELL.findall(text):
        anchor = _ANCHOR.search(cell)
        shown = plain(_TAG.sub(" ", cell))
        if anchor and not title_en and not title_zh and not generic_link_text(anchor.group(1)):
            title = clean_title(_TAG.sub(" ", anchor.group(1)))[0]
            title_en, title_zh = (title, "") if is_latin(title) else ("", title)
        elif has_cjk(shown) and len(shown) >= _MIN_NOTE:
            notes.append(shown)
    if not notes or not (title_en or title_zh):
        return None
    return Row(index, refs[0].arxiv_id or "", title_en, title_zh, max(notes, key=len), ())


def _row(index: int, line: str) -> Row | None:
    if not references.might_refer(line):
        return None
    cells = [cell.strip() for cell in line.strip("|").split("|")]
    link_cell = next((c for c in cells if references.refs_in(c)), None)
    if link_cell is None:
        return None
    ref = references.refs_in(link_cell)[0]
    if ref.arxiv_id is None:
        return None
    title_en = title_zh = ""
    found = references.links(link_cell)
    if found and not generic_link_text(found[0].text):
        title = clean_title(_CODE_SPAN.sub("", found[0].text))[0]
        title_en, title_zh = (title, "") if is_latin(title) else ("", title)
    notes = []
    for cell in cells:
        if cell is link_cell:
            continue
        text = plain(_CODE_SPAN.sub("", cell))
        if not title_en and is_latin(text) and len(text) > _MIN_NOTE:
            title_en = text
        elif has_cjk(text) and len(text) >= _MIN_NOTE:
            notes.append(cell)
    if not notes or not (title_en or title_zh):
        return None
    categories = tuple(m.group() for code in _CODE_SPAN.findall(line) for m in _CATEGORY.finditer(code))
    return Row(index, ref.arxiv_id, title_en, title_zh, max(notes, key=len), categories)

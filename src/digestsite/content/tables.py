"""Papers listed as table rows: `| 4 | [Title](https://arxiv.org/abs/…) | 推荐理由… |`, or an HTML
`<tr>` whose cells hold the title and a note and whose markup carries the ID (`data-arxiv-id`).

Digests often close with a table of further papers, and some generated indexes are nothing but such
tables: one row each, with the title and a short Chinese note in other cells. Such a row is a paper when
it has both; a row naming a paper that already has its own entry (an index or statistics table) is left
alone. A column headed as the summary (`关键贡献`, `摘要`, `Summary`) is the note when it has one; a cell
split by `<br>` may hold a bold title, metadata lines (`机构: …`) and the note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from digestsite.content import arxiv, references
from digestsite.content.fields import parse_fields
from digestsite.content.lines import generic_link_text
from digestsite.content.titles import clean_title, has_cjk, is_latin, plain

_DELIMITER = re.compile(r"\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*")
_CODE_SPAN = re.compile(r"`([^`\n]*)`")
_CATEGORY = re.compile(r"\b[a-z][a-z-]*\.[A-Za-z][A-Za-z-]*\b")
_MIN_NOTE = 8
_MIN_ENGLISH_NOTE = 12  # words: an English note must be a sentence or two, not a label
_CELL = re.compile(r"<td\b[^>]*>(.*?)</td>", re.IGNORECASE | re.DOTALL)
_ANCHOR = re.compile(r"<a\b[^>]*>(.*?)</a>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^<>]{0,400}>")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_SUMMARY_HEADER = re.compile(
    r"(?<!英文)(?:摘要|总结|總結|贡献|貢獻|简介|簡介|要点|要點|概述|解读|解讀|发现|發現)|summary|contribution|finding|tl;?dr",
    re.IGNORECASE,
)
_ABSTRACT_HEADER = re.compile(r"abstract|英文摘要", re.IGNORECASE)
_OTHER_HEADER = re.compile(
    r"关键词|關鍵詞|标签|標籤|方向|领域|評分|评分|分数|排名|日期|时间|年份|作者|机构|keyword|tag|score|date|year|author|rank",
    re.IGNORECASE,
)
_ID_CELL = re.compile(r"(?:arxiv\s*[:：]?\s*)?(?P<id>\d{4}\.\d{4,5})(?:v\d+)?", re.IGNORECASE)
_TITLED_ID = re.compile(
    r"(?P<title>.+?)\s*[(（]\s*(?:arxiv\s*[:：]?\s*)?(?P<id>\d{4}\.\d{4,5})(?:v\d+)?\s*[)）]", re.IGNORECASE
)
_ID_IN_ROW = re.compile(r"[|(（]\s*(?:arxiv\s*[:：]?\s*)?\d{4}\.\d{4,5}(?:v\d+)?\s*[|)）]", re.IGNORECASE)
_HEADER_CELL = re.compile(r"<th\b[^>]*>(.*?)</th>", re.IGNORECASE | re.DOTALL)
_HTML_ROW = re.compile(r"<tr\b.*?</tr>", re.IGNORECASE | re.DOTALL)
_DISCLOSURE = re.compile(r"<summary\b[^>]*>.*?</summary\s*>", re.IGNORECASE | re.DOTALL)


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
    note_column: int | None = None
    ignored: frozenset[int] = frozenset()
    html_columns: int | None = None
    for index in range(start, end):
        line = body[index].strip()
        if "<th" in line:
            html_columns = _note_column([_TAG.sub(" ", cell) for cell in _HEADER_CELL.findall(line)])
        if html_row < 0 and line.count("<tr") > 1 and "</tr>" in line:  # a whole table on one line
            for match in _HTML_ROW.finditer(line):
                row = _html_row(index, match.group(), html_columns)
                if row is not None:
                    found.append(row)
            continue
        if html_row >= 0 or line.startswith("<tr"):
            html_row = index if html_row < 0 else html_row
            if "</tr>" in line:
                row = _html_row(html_row, " ".join(body[html_row : index + 1]), html_columns)
                if row is not None:
                    found.append(row)
                html_row = -1
            continue
        if not line.startswith("|"):
            in_table = False
            continue
        if _DELIMITER.fullmatch(line):
            in_table = True
            header = body[index - 1].strip() if index > start else ""
            names = header.strip("|").split("|") if header.startswith("|") else []
            note_column, ignored = _note_column(names), _ignored_columns(names)
            continue
        if in_table:
            row = _row(index, line, note_column, ignored)
            if row is not None:
                found.append(row)
    return found


def _html_row(index: int, text: str, note_column: int | None = None) -> Row | None:
    if not references.might_refer(text):
        return None
    refs = [ref for ref in references.refs_in(text) if ref.arxiv_id]
    if not refs:
        return None
    title_en = title_zh = ""
    notes: dict[int, str] = {}
    for number, cell in enumerate(_CELL.findall(text)):
        anchor = _ANCHOR.search(cell)
        shown = plain(_TAG.sub(" ", _DISCLOSURE.sub(" ", cell)))  # `<summary>展开</summary>` names a toggle
        if anchor and not title_en and not title_zh and not generic_link_text(anchor.group(1)):
            title = clean_title(_TAG.sub(" ", anchor.group(1)))[0]
            title_en, title_zh = (title, "") if is_latin(title) else ("", title)
        elif (has_cjk(shown) and len(shown) >= _MIN_NOTE) or len(shown.split()) >= _MIN_ENGLISH_NOTE:
            notes[number] = shown
    if not notes or not (title_en or title_zh):
        return None
    note = notes.get(note_column, "") if note_column is not None else ""
    return Row(index, refs[0].arxiv_id or "", title_en, title_zh, note or max(notes.values(), key=len), ())


def _ignored_columns(cells: list[str]) -> frozenset[int]:
    """Columns a table's header names as keywords, scores or dates: never a paper's summary."""
    names = [plain(_TAG.sub(" ", cell)) for cell in cells]
    return frozenset(number for number, name in enumerate(names) if _OTHER_HEADER.search(name))


def _note_column(cells: list[str]) -> int | None:
    """The column a table's header names as the summary, if one does (`abstract` only when none does)."""
    names = [plain(_TAG.sub(" ", cell)) for cell in cells]
    for pattern in (_SUMMARY_HEADER, _ABSTRACT_HEADER):
        found = next((number for number, name in enumerate(names) if pattern.search(name)), None)
        if found is not None:
            return found
    return None


def _row(index: int, line: str, note_column: int | None = None, ignored: frozenset[int] = frozenset()) -> Row | None:
    if not references.might_refer(line) and not _ID_IN_ROW.search(line):
        return None
    cells = [cell.strip() for cell in line.strip("|").split("|")]
    link_cell = next((c for c in cells if references.refs_in(c)), None)
    if link_cell is not None:
        ref = references.refs_in(link_cell)[0]
    else:  # `| Title | 2609.03236 | …|` or `| Title (2602.00037) | …|`: IDs without links
        named = next(
            ((c, m) for c in cells if (m := _ID_CELL.fullmatch(plain(c)) or _TITLED_ID.fullmatch(plain(c)))), None
        )
        if named is None:
            return None
        link_cell, match = named
        arxiv_id = arxiv.normalise_id(match.group("id"))
        ref = references.Ref(arxiv_id, arxiv.abs_url(arxiv_id or ""), match.groupdict().get("title") or "", "id")
    if ref.arxiv_id is None:
        return None
    title_en = title_zh = ""
    found = references.links(link_cell)
    if ref.kind == "id" and ref.text:
        title = clean_title(ref.text)[0]
        title_en, title_zh = (title, "") if is_latin(title) else ("", title)
    elif found and not generic_link_text(found[0].text):
        title = clean_title(_CODE_SPAN.sub("", found[0].text))[0]
        title_en, title_zh = (title, "") if is_latin(title) else ("", title)
    notes: dict[int, str] = {}
    for number, cell in enumerate(cells):
        if cell is link_cell or number in ignored:
            continue
        bold, note = _cell_parts(cell)
        if bold and not (title_en or title_zh):
            title = clean_title(bold)[0]
            title_en, title_zh = (title, "") if is_latin(title) else ("", title)
        text = plain(_CODE_SPAN.sub("", note))
        if not title_en and not title_zh and is_latin(text) and len(text) > _MIN_NOTE:
            title_en = text
        elif (has_cjk(text) and len(text) >= _MIN_NOTE) or len(text.split()) >= _MIN_ENGLISH_NOTE:
            notes[number] = note
    if not (title_en or title_zh) or (not notes and not ignored):
        return None  # a row with no note is a paper only in a table whose header says what its columns are
    categories = tuple(m.group() for code in _CODE_SPAN.findall(line) for m in _CATEGORY.finditer(code))
    note = notes.get(note_column, "") if note_column is not None else ""
    return Row(index, ref.arxiv_id, title_en, title_zh, note or max(notes.values(), key=len, default=""), categories)


def _cell_parts(cell: str) -> tuple[str, str]:
    """(bold title, note) of a cell: `**Title**<br><sub>机构: …<br>说明…</sub>` keeps the title apart and
    drops the metadata lines; a plain cell is all note."""
    if "<" not in cell:
        return "", cell
    bold, kept = "", []
    for part in (_TAG.sub(" ", piece).strip() for piece in _BREAK.split(cell)):
        whole_bold = _BOLD.fullmatch(part)
        if whole_bold and not bold:
            bold = whole_bold.group(1)
        elif part and parse_fields(part) is None:
            kept.append(part)
    return bold, " ".join(kept)

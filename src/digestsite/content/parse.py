"""Digest text → a `Batch` of `Paper` records plus located diagnostics.

No configuration: the entries of a file are the headed sections that carry a paper reference
(`content/sections.py`), each read line by line (`content/extract.py`). Structure around them (titles,
section headings, preambles, statistics, footers) is never an error. Errors are kept for what an author
must fix: a malformed arXiv ID in a paper link, invalid UTF-8, one ID linked by two headed entries with
different titles. A paper given again (under another topic, in a closing recap) is one paper.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass, field, replace

from slugify import slugify

from digestsite.content import arxiv, tables
from digestsite.content.blocks import VERBATIM, Block, scan_blocks
from digestsite.content.cards import cards
from digestsite.content.extract import Draft, read_entry
from digestsite.content.fields import Field, label_kind, labelled
from digestsite.content.frontmatter import FRONT_MATTER_KEYS, FrontMatter, NotePaper, split_front_matter
from digestsite.content.lines import LineInfo, classify
from digestsite.content.model import Batch, Diagnostic, Paper, Severity, SourceRef
from digestsite.content.records import Record, RecordLines, split_records
from digestsite.content.references import Ref, heading_ids, might_refer, refs_in
from digestsite.content.sections import Outline, Section, outline
from digestsite.content.titles import clean_title, has_cjk, is_latin, looks_english, split_titles

__all__ = ["FRONT_MATTER_KEYS", "Analysis", "ParseResult", "analyse", "decode", "parse_digest"]

_ATTRIBUTION = re.compile(r"(数据来源|資料來源|来源|來源|source|data source)\s*[:：]\s*\S.*", re.IGNORECASE)
_EMPHASIS_WRAP = re.compile(r"^([*_]{1,3})(.+)\1$")
_FOOTER = re.compile(
    r"返回|上一篇|下一篇|上一期|下一期|目录|目錄|首页|首頁|订阅|訂閱|关注|關注|公众号|公眾號|扫码|掃碼|感谢阅读|感謝閱讀|"
    r"本文由|本报告由|自动生成|自動生成|生成于|生成时间|整理\s*[:：]|责编|責編|排版\s*[:：]|转载|轉載|"
    r"欢迎留言|歡迎留言|留言区|留言區|评论区|評論區|欢迎讨论|歡迎討論|欢迎在评论|歡迎在評論|"
    r"back to|subscribe|newsletter|unsubscribe|"
    r"generated (?:by|on|at)|powered by|table of contents",
    re.IGNORECASE,
)
_FOOTER_LINES = 3
_TAGS_ONLY = re.compile(r"(?:</?[A-Za-z][^<>]{0,200}>\s*)+")
_ROW = "table row: "  # how `check --explain` names a paper read from a table row or an HTML card
_TRUNCATION_MARKS = ("...", "…")
_DATE_PENDING = "\x00date"  # the slug of a batch named by its date, until its papers give the date
# A part of a file name that is a hash or a random ID: eight or more hex digits, with letters and digits.
_HASH_LIKE = re.compile(r"(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{8,}")


@dataclass
class ParseResult:
    """What one digest file yields: a batch (None when it has no entries) and its diagnostics."""

    batch: Batch | None
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass(frozen=True)
class Seen:
    """Where a file first gave a paper: its line, whether as an item of a list, and its titles."""

    line: int
    listed: bool
    titles: frozenset[str] = frozenset()


@dataclass
class Outcome:
    """One section as read: a paper, or why it is not one (for `check --explain`)."""

    line: int  # 1-based file line of the heading
    heading: str
    paper: Paper | None = None
    reason: str = ""
    repeat: bool = False  # the paper given again (a recap, another topic's list): one paper with the first


@dataclass
class Analysis:
    """Everything parsing one file found: the result plus each section's outcome."""

    result: ParseResult
    outcomes: list[Outcome] = field(default_factory=list)


class _Reporter:
    """Collects diagnostics for one file, translating body lines to file lines."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.offset = 0
        self.diagnostics: list[Diagnostic] = []

    def error(self, line: int, message: str) -> None:
        self.diagnostics.append(Diagnostic(self.path, line, Severity.ERROR, message))

    def warning(self, line: int, message: str) -> None:
        self.diagnostics.append(Diagnostic(self.path, line, Severity.WARNING, message))

    def body_line(self, index: int) -> int:
        """1-based file line of a 0-based body line index."""
        return self.offset + index + 1


def decode(data: bytes, path: str) -> tuple[str | None, Diagnostic | None]:
    """UTF-8 text with BOM and CR/CRLF line ends normalised, or an error naming the first bad line."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        message = f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
        return None, Diagnostic(path, line, Severity.ERROR, message)
    return text.replace("\r\n", "\n").replace("\r", "\n"), None


def parse_digest(data: bytes, path: str, default_lang: str = "zh") -> ParseResult:
    """Parse one digest file. Never raises on bad content: problems become diagnostics."""
    return analyse(data, path, default_lang).result


def analyse(data: bytes, path: str, default_lang: str = "zh") -> Analysis:
    """Parse one digest file and keep each section's outcome."""
    text, problem = decode(data, path)
    if text is None:
        return Analysis(ParseResult(None, [problem] if problem else []))
    report = _Reporter(path)
    lines = text.split("\n")
    front, body_start = split_front_matter(lines, report.warning)
    report.offset = body_start
    body = lines[body_start:]
    if "```" in text or "~~~" in text:
        body = _unfenced_entries(body)
    blocks = _bold_setext_headings(scan_blocks("\n".join(body)), body)
    doc = outline(blocks, body)
    lang = front.lang or default_lang
    attribution = _take_footer(doc, blocks, body)
    # A batch's URL: the front matter's slug, else a readable file name, else (below) the batch's date.
    slug = front.slug or readable_file_slug(path) or _DATE_PENDING
    _recurring_labels_as_fields(doc, body)
    outcomes = _read_entries(doc, blocks, body, front.lang, slug, report)
    if not doc.sections and (listed := split_records(body, 0, len(body))) is not None:
        outcomes = _listed(listed, body, 1, front.lang, slug, report, {})
    outcomes = _repeats_merged(_with_table_rows(outcomes, doc, body, front.lang, slug, report))
    papers = [o.paper for o in outcomes if o.paper is not None]
    if not papers and not doc.entries and (opening := _opening_reference(blocks, body)) is not None:
        outcomes = [_opening_note(opening, blocks, body, doc, front.lang, slug, report)]
        papers = [o.paper for o in outcomes if o.paper is not None]
    if front.paper is not None and all(paper.arxiv_id == front.paper.arxiv_id for paper in papers):
        outcomes = [_note(front, front.paper, blocks, body, doc, slug, report)]
        papers = [o.paper for o in outcomes if o.paper is not None]
    if len(papers) == 1:
        papers = [_titled_by_front_matter(papers[0], front, outcomes)]
    if not papers:
        if not doc.entries:
            what = "empty digest file" if not text.strip() else _no_entries(doc)
            report.warning(1, f"{what}; skipped")
        return Analysis(ParseResult(None, report.diagnostics), outcomes)
    date = front.date or max(arxiv.month_of(p.arxiv_id) for p in papers)
    from_date = slug == _DATE_PENDING
    if from_date:
        slug = date_slug(date, inferred=front.date is None)
        papers = _moved(papers, slug, outcomes)
    batch = replace(_batch(front, papers, slug, date, path, attribution, lang), slug_from_date=from_date)
    return Analysis(ParseResult(batch, report.diagnostics), outcomes)


_UNDERLINE = re.compile(r" {0,3}(?:-{3,}|={3,})[ \t]*")
_BOLD_WHOLE = re.compile(r"[ \t]*\*\*([^*\n]{1,40})\*\*[ \t]*")
_SENTENCE_END = ("。", "！", "？", ".", "!", "?", "；", ";")


def _bold_setext_headings(blocks: list[Block], body: list[str]) -> list[Block]:
    """`**二、心理健康领域大模型**` over a `-----` or `=====` line: a heading in setext form, as HTML-to-markdown
    converters write them, where a plain paragraph over a rule stays a paragraph and a rule."""
    out: list[Block] = []
    index = 0
    while index < len(blocks):
        block = blocks[index]
        title = _bold_whole(body[block.start]) if block.kind == "paragraph" else None
        lines = block.end - block.start
        under = body[block.start + 1] if title is not None and lines == 2 else ""
        if under.strip().startswith("=") and _UNDERLINE.fullmatch(under):  # `=====` joins the paragraph
            out.append(Block("heading", block.start, block.end, 1, title, atx=False))
            index += 1
            continue
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if (
            title is not None
            and lines == 1
            and following is not None
            and following.kind == "hr"
            and following.start == block.end
            and _UNDERLINE.fullmatch(body[block.end])
        ):
            out.append(Block("heading", block.start, following.end, 2, title, atx=False))
            index += 2
            continue
        out.append(block)
        index += 1
    return out


def _bold_whole(line: str) -> str | None:
    match = _BOLD_WHOLE.fullmatch(line)
    if match is None or match.group(1).strip().endswith(_SENTENCE_END):
        return None
    return match.group(1).strip()


_BARE_FENCE = re.compile(r"\s{0,3}(`{3,}|~{3,})\s*$")
_CODE_LIKE = re.compile(
    r"[{};]\s*$|^\s*(?:def|class|import|from|return|for|if|while|var|let|const|function|print)\b|=>|==|"
    r"^\s*[\w.\[\]'\"]+\s*[-+*/]?=\s*\S|^\s*[\w.]+\(.*\)\s*$"
)


def _unfenced_entries(body: list[str]) -> list[str]:
    """An entry written inside a bare ``` fence (`[1] Title`, `链接：https://arxiv.org/abs/…`, a Chinese
    summary) is text, not code: the fence lines go, so it is read like any other entry."""
    out = list(body)
    index = 0
    while index < len(out):
        opening = _BARE_FENCE.fullmatch(out[index])
        if opening is None:
            index += 1
            continue
        close = next((i for i in range(index + 1, len(out)) if out[i].strip().startswith(opening.group(1)[:3])), None)
        if close is None:
            break
        inside = out[index + 1 : close]
        if _reads_as_entry(inside):
            out[index] = out[close] = ""
        index = close + 1
    return out


def _reads_as_entry(lines: list[str]) -> bool:
    named = any("://" in line and (info := classify(line)).strong and info.refs for line in lines)
    code = sum(1 for line in lines if _CODE_LIKE.search(line))
    return named and any(has_cjk(line) for line in lines) and code * 5 < len(lines)


_RECURRING_SHARE = 0.6  # of a file's entries that must repeat an unfamiliar label for it to be metadata
_RECURRING_VALUE = 40  # characters of such a label's value


def _recurring_labels_as_fields(doc: Outline, body: list[str]) -> None:
    """A generated digest repeats its metadata lines in every entry. An unfamiliar label (`**推荐指数**:`)
    that most of the file's entries (three at least) give with a short value that is no sentence is a
    field of the file's own, not summary text: its lines are read as metadata. So is one that every
    entry gives, always short, after the entry's first label (`- **团队背景**：待确认。` below
    `- **核心亮点**：…`), even when its value is a short sentence."""
    if len(doc.entries) < 3:
        return
    seen: dict[str, list[tuple[int, str, str, bool]]] = {}
    for index, end in doc.entries.items():
        labels: dict[str, tuple[int, str, str, bool]] = {}
        first = True
        for line in range(doc.sections[index].block.end, end):
            text = body[line]
            if (":" not in text and "：" not in text) or (line in doc.info and doc.info[line].role != "prose"):
                continue
            found = labelled(text)
            if found is None:
                continue
            if found[0] not in labels and 0 < len(found[1]) <= _RECURRING_VALUE:
                labels[found[0]] = (line, found[0], found[1], first)
            first = False
        for label, item in labels.items():
            seen.setdefault(label, []).append(item)
    for label, items in seen.items():
        if label_kind(label) is not None:
            continue
        short = [item for item in items if _short_value(item[2])]
        trailing = len(items) == len(doc.entries) and not any(item[3] for item in items)
        if len(short) >= max(3, _RECURRING_SHARE * len(doc.entries)) or trailing:
            for line, name, value, _first in short if not trailing else items:
                doc.info[line] = LineInfo("fields", fields=[Field("meta", name, value)])


def _short_value(value: str) -> bool:
    return 0 < len(value) <= _RECURRING_VALUE and not any(mark in value for mark in "。，！？；")


def _moved(papers: list[Paper], slug: str, outcomes: list[Outcome]) -> list[Paper]:
    """The papers as parts of the batch `slug` (known only once the papers gave the batch its date)."""
    moved = {id(paper): replace(paper, batch=slug) for paper in papers}
    for outcome in outcomes:
        if outcome.paper is not None and id(outcome.paper) in moved:
            outcome.paper = moved[id(outcome.paper)]
    return [moved[id(paper)] for paper in papers]


def _titled_by_front_matter(paper: Paper, front: FrontMatter, outcomes: list[Outcome]) -> Paper:
    """A one-paper note whose front matter `title` is the paper's English title (`title: "DeepSeek LLM:
    …"` above `# DeepSeek LLM：中文标题`) lends it to the paper when the body has no English title; a
    Chinese one (`title: "【论文速读】| 中文标题"`) when the body has no Chinese title."""
    title = clean_title(front.title.get("*", ""))[0]
    untitled = paper.title == f"arXiv:{paper.arxiv_id}"  # a note titled only by its front matter
    if title and is_latin(title) and (untitled or not is_latin(paper.title)):
        better = replace(paper, title=title)
    elif title and has_cjk(title) and not paper.title_zh and is_latin(paper.title):
        better = replace(paper, title_zh=title)
    else:
        return paper
    for outcome in outcomes:
        if outcome.paper is paper:
            outcome.paper = better
    return better


def _note(
    front: FrontMatter,
    note: NotePaper,
    blocks: list[Block],
    body: list[str],
    doc: Outline,
    slug: str,
    report: _Reporter,
) -> Outcome:
    """A one-paper note: its front matter names the paper and its whole body is the entry.

    A first `#` heading, or any first heading when the front matter has no title, is the note's own
    title; every other heading is part of the text. Titles the body gives (the heading, `**论文标题**：`)
    come first, then the front matter's.
    """
    title = front.title.get("*") or next(iter(front.title.values()), "")
    blocks = blocks[: _trailing_footer(blocks, body)[0]]
    if blocks and blocks[0].kind == "heading" and (blocks[0].level == 1 or not title):
        heading, blocks = blocks[0], blocks[1:]
    else:
        heading = Block("heading", 0, 0, level=1, text="")
    draft = read_entry(heading, blocks, body, doc.info, "", [])
    draft.refs.append((0, heading.start, Ref(note.arxiv_id, arxiv.abs_url(note.arxiv_id), "", "id")))
    if not draft.title_en and not draft.title_zh:
        draft.title_en, draft.title_zh = split_titles(clean_title(title)[0])
    if not draft.title_zh and has_cjk(note.title_zh):
        draft.title_zh = clean_title(note.title_zh)[0]
    if is_latin(note.title_en) and (not draft.title_en or not is_latin(draft.title_en)):
        draft.title_en = clean_title(note.title_en)[0]  # `original_title: "Metis: …"` beside `title: "Metis：…"`
    draft.authors = draft.authors or note.authors
    outcome = _paper(draft, heading, front.lang, slug, report, {})
    if outcome.paper is not None:
        outcome.paper = replace(outcome.paper, source=SourceRef(report.path, note.line))
    return replace(outcome, line=note.line, heading=heading.text or title or f"arXiv:{note.arxiv_id}")


_ID_HINT = re.compile(r"\d{4}\.\d{4,5}")  # `【论文链接】：arXiv:2512.06201`: a field that names the paper by ID


def _opening_reference(blocks: list[Block], body: list[str]) -> int | None:
    """The body line that names the paper of a one-paper note written without a heading of its own:
    fields or a link line before the first heading (`* 论文名称：[Title](…)`, `**论文地址：…**`) name
    exactly one paper (the caller has found no entry that names another)."""
    found: dict[str, int] = {}
    for block in blocks:
        if block.kind == "heading":
            break
        if block.kind in VERBATIM:
            continue
        for index in range(block.start, block.end):
            line = body[index]
            info = classify(line) if might_refer(line) or _ID_HINT.search(line) else None
            if info is not None and info.strong:
                for ref in info.refs:
                    if ref.arxiv_id:
                        found.setdefault(ref.arxiv_id, index)
    if len(found) != 1:
        return None
    return next(iter(found.values()))


def _with_html_opening(
    doc: Outline, blocks: list[Block], body: list[str], section: Section, own: list[Block]
) -> list[Block]:
    """A one-paper note that opens with an HTML hero block (`<div class="paper-highlight">…一句话总结…`)
    above its `## 一、基本信息` section: the block is the entry's too, its first text."""
    if len(doc.entries) != 1 or section.index != 0 or section.kind != "sub":
        return own
    opening = [block for block in blocks if block.end <= section.block.start]
    if not opening or any(not body[block.start].lstrip().startswith("<") for block in opening):
        return own
    return [*opening, *(block for block in own if block.start != section.block.start)]


def _opening_note(
    line: int, blocks: list[Block], body: list[str], doc: Outline, lang: str, slug: str, report: _Reporter
) -> Outcome:
    """A one-paper note that opens with the paper's fields: its whole body is the entry, its headings
    (简介, 主要方法, Abstract) parts of the text."""
    heading = Block("heading", line, line, level=1, text="")
    draft = read_entry(heading, blocks[: _trailing_footer(blocks, body)[0]], body, doc.info, "", [])
    outcome = _paper(draft, heading, lang, slug, report, {}, titled=False)
    return replace(outcome, heading=outcome.paper.title if outcome.paper else "")


def _no_entries(doc: Outline) -> str:
    if not doc.sections:
        return "no entries (no heading carries a paper: expected '# English Title' and a paper link)"
    return f"no entries ({len(doc.sections)} headings, none with an arXiv or Hugging Face paper link)"


def _batch(
    front: FrontMatter, papers: list[Paper], slug: str, date: dt.date, path: str, attribution: str, lang: str
) -> Batch:
    return Batch(
        slug=slug,
        source_path=path,
        date=date,
        papers=tuple(papers),
        title=front.title,
        attribution=attribution,
        summary_lang=lang,
        date_inferred=front.date is None,
    )


def readable_file_slug(path: str) -> str:
    """The slug of a file name a reader can make sense of (`week-45`, `2024-05-02`, `issue-12`), or '' for one
    that holds a hash or a random ID (`003_001580e75e0c0255`, a UUID): such a batch is named by its date."""
    stem = path.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    slug = slugify(stem)
    if not slug or any(_HASH_LIKE.fullmatch(part) for part in slug.split("-")):
        return ""
    return slug


def date_slug(date: dt.date, inferred: bool) -> str:
    """`2024-04-07` for a batch dated in its front matter; `2024-04` when the date is only the month of its
    newest paper."""
    return f"{date:%Y-%m}" if inferred else date.isoformat()


def _entry_blocks(doc: Outline, blocks: list[Block], starts: list[int], section: Section) -> list[Block]:
    end = doc.entries[section.index]
    first = bisect.bisect_right(starts, section.block.start)
    last = bisect.bisect_left(starts, end)
    return blocks[first:last]


def _take_footer(doc: Outline, blocks: list[Block], body: list[str]) -> str:
    """The closing source line (`数据来源：…`) belongs to the batch and navigation or subscription lines
    to nobody: the last entry ends before them. Returns the attribution line, if any."""
    if not doc.entries:
        return ""
    last = max(doc.entries, key=lambda index: doc.entries[index])
    section = doc.sections[last]
    starts = [b.start for b in blocks]
    own = _entry_blocks(doc, blocks, starts, section)
    cut, attribution = _trailing_footer(own, body)
    if cut < len(own):
        doc.entries[last] = own[cut].start
    return attribution


def _trailing_footer(own: list[Block], body: list[str]) -> tuple[int, str]:
    """Where the footer at the end of these blocks starts (their count when there is none), and the
    attribution line among it."""
    attribution = ""
    cut = len(own)
    position = len(own) - 1
    while position > 0:
        block = own[position]
        text = "\n".join(body[block.start : block.end]).strip()
        if block.kind == "hr" or (block.kind == "paragraph" and _TAGS_ONLY.fullmatch(text)):
            pass  # a rule, or `<div align="center">` / `</div>` around a footer line
        elif block.kind == "paragraph" and _HASHTAG_LINE.fullmatch(text):
            pass  # `#AI #Agent #MachineLearning`: the post's tags
        elif block.kind == "paragraph" and _closing_note(own, position, text):
            pass  # `*数据源：…，共精选 15 条。*` below a rule: a note on the whole digest
        elif block.kind == "paragraph" and block.end - block.start == 1 and _is_attribution(text):
            if attribution:
                break
            attribution = text
        elif (
            block.end - block.start <= _FOOTER_LINES
            and block.kind in ("paragraph", "bullet_list")
            and (_FOOTER.search(text) and len(text) < 200)
        ):
            pass
        elif block.kind == "paragraph" and block.end - block.start == 1 and _is_scrap(text):
            position -= 1  # `97`, `大模型论文daily 46` below a footer: gone with it, else kept
            continue
        else:
            break
        position -= 1
        cut = position + 1
    return cut, attribution


_SCRAP = 24  # characters of a line of page furniture: a counter, a column name
_HASHTAG_LINE = re.compile(r"(?:#[^\s#]+[ \t]*){2,}")
_NOTE_LINES = 3


def _closing_note(own: list[Block], position: int, text: str) -> bool:
    """A short paragraph set wholly in italics right below a rule at the end of the last entry."""
    if position == 0 or own[position - 1].kind != "hr" or own[position].end - own[position].start > _NOTE_LINES:
        return False
    match = _EMPHASIS_WRAP.match(text)
    return match is not None and match.group(1) in ("*", "_") and "\n\n" not in text


def _is_scrap(text: str) -> bool:
    return len(text) <= _SCRAP and not any(mark in text for mark in "。！？.!?：:") and "://" not in text


def _is_attribution(line: str) -> bool:
    match = _EMPHASIS_WRAP.match(line)
    inner = match.group(2).strip() if match else line
    return (
        _ATTRIBUTION.search(inner) is not None
        and len(inner) < 200
        and (match is not None or _ATTRIBUTION.fullmatch(inner) is not None)
    )


def _read_entries(
    doc: Outline, blocks: list[Block], body: list[str], lang: str, slug: str, report: _Reporter
) -> list[Outcome]:
    starts = [b.start for b in blocks]
    outcomes: list[Outcome] = []
    first_seen: dict[str, Seen] = {}
    skipped = set(doc.skipped)
    lists = _lists_of_papers(doc, blocks, starts, body)
    split_before = False  # whether a section of this file was a list of papers
    for section in doc.sections:
        line = report.body_line(section.block.start)
        heading = section.block.text
        if section.index in skipped:
            reason = _skip_reason(section, body)
            report.warning(line, f"entry '{_short(heading)}' {reason}; skipped")
            outcomes.append(Outcome(line, heading, reason=reason))
            continue
        if section.index not in doc.entries:
            outcomes.append(Outcome(line, heading, reason=_structure_reason(section, doc, report)))
            continue
        end = doc.entries[section.index]
        own = _entry_blocks(doc, blocks, starts, section)
        carded = _carded(body, section, own, end, first_seen)
        if carded is not None:  # a section of HTML paper cards
            outcomes.append(Outcome(line, heading, reason=f"structure (a list of {len(carded)} paper cards)"))
            outcomes.extend(_row_paper(row, lang, slug, report) for row in carded)
            continue
        listed = lists.get(section.index)
        if section.index not in lists and lists and _named(section) == 1:
            # one paper under `## 方向B`, listed like the other sections' papers (`📄 Title`); under a
            # heading that may be its own title only when it is an item with its fields (`- Title`
            # over `  - 链接：…`) and no list came before
            stretch = next((b.start for b in own if b.kind == "heading"), end)  # up to a sub-heading
            titled = not split_before and is_latin(clean_title(heading)[0])
            listed = split_records(body, section.block.end, stretch, titled_only=not titled, items_only=titled)
        split_before = split_before or listed is not None
        if listed is not None:
            if listed[0].start != section.block.start:  # the heading is not itself the first record's
                outcomes.append(Outcome(line, heading, reason=f"structure (a list of {len(listed)} papers)"))
            outcomes.extend(_listed(listed, body, section.level + 1, lang, slug, report, first_seen))
            continue
        heading_refs = [ref for index, ref, _ in section.refs if index == section.block.start]
        own = _with_html_opening(doc, blocks, body, section, own)
        draft = read_entry(section.block, own, body, doc.info, section.kind, heading_refs)
        outcome = _paper(draft, section.block, lang, slug, report, first_seen, titled=not section.kind)
        outcomes.append(outcome)
    return outcomes


def _named(section: Section) -> int:
    return len({ref.arxiv_id for _, ref, strong in section.refs if strong and ref.arxiv_id})


def _lists_of_papers(doc: Outline, blocks: list[Block], starts: list[int], body: list[str]) -> dict[int, list[Record]]:
    """The entries that are lists of papers (`1. **Title**` items with their fields), by section index."""
    lists: dict[int, list[Record]] = {}
    for index, end in doc.entries.items():
        section = doc.sections[index]
        if index in doc.skipped or _named(section) < 2:
            continue
        own = _entry_blocks(doc, blocks, starts, section)
        stretch = next((b.start for b in own if b.kind == "heading"), end)  # up to a sub-heading
        listed = split_records(body, section.block.end, stretch, None if section.kind else section.block)
        if listed is not None:
            lists[index] = listed
    return lists


def _carded(
    body: list[str], section: Section, own: list[Block], end: int, first_seen: dict[str, Seen]
) -> list[tables.Row] | None:
    """The cards of a section whose papers all come in HTML cards (each paper once), else None."""
    stretch = next((b.start for b in own if b.kind == "heading"), end)
    if not any(body[index].lstrip().startswith("<") for index in range(section.block.end, stretch)):
        return None
    found = cards(body, section.block.end, stretch)
    named = {ref.arxiv_id for _, ref, strong in section.refs if strong and ref.arxiv_id}
    if not found or {row.arxiv_id for row in found} != named:
        return None
    fresh = []
    for row in found:
        if row.arxiv_id not in first_seen:
            first_seen[row.arxiv_id] = Seen(row.line, True)
            fresh.append(row)
    return fresh


def _listed(
    records: list[Record],
    body: list[str],
    level: int,
    lang: str,
    slug: str,
    report: _Reporter,
    first_seen: dict[str, Seen],
) -> list[Outcome]:
    """Each record of a list of papers, read as an entry headed by its first line."""
    outcomes = []
    for record in records:
        lines = RecordLines(body, record)
        heading = Block("heading", record.start, record.start + 1, level, record.heading)
        refs = refs_in(record.heading) or heading_ids(record.heading)
        if not refs and (first := classify(body[record.start])).strong and first.role == "prose":
            refs = first.refs  # `**Name** — 说明 [论文](…)`, `**Name**（arXiv:…）：说明`
        draft = read_entry(heading, lines.blocks(), lines, {}, "", refs)
        if record.lead:
            draft.summary = f"{record.lead}\n\n{draft.summary}".strip()
        outcomes.append(_paper(draft, heading, lang, slug, report, first_seen, listed=True))
    return outcomes


def _with_table_rows(
    outcomes: list[Outcome], doc: Outline, body: list[str], lang: str, slug: str, report: _Reporter
) -> list[Outcome]:
    """Papers listed as table rows outside every entry, in file order among the others."""
    known = {o.paper.arxiv_id: o for o in outcomes if o.paper is not None}
    extents = [(doc.sections[i].block.start, end) for i, end in doc.entries.items()]
    starts = [section.block.start for section in doc.sections] + [len(body)]
    spans = [(0, starts[0])] + [
        (section.block.end, starts[section.index + 1])
        for section in doc.sections
        if section.index not in doc.entries and not any(a <= section.block.start < b for a, b in extents)
    ]
    added: list[Outcome] = []
    for start, end in spans:
        for row in sorted([*tables.rows(body, start, end), *cards(body, start, end)], key=lambda row: row.line):
            if row.arxiv_id in known:
                earlier = known[row.arxiv_id]
                if earlier.heading.startswith(_ROW) and report.body_line(row.line) < earlier.line:
                    first = _row_paper(row, lang, slug, report)  # the first card of a paper counts
                    earlier.paper, earlier.line = first.paper, first.line
                else:
                    _full_title_from(row, earlier)
                continue
            added.append(_row_paper(row, lang, slug, report))
            known[row.arxiv_id] = added[-1]
    if not added:
        return outcomes
    return sorted(outcomes + added, key=lambda outcome: outcome.line)


def _row_paper(row: tables.Row, lang: str, slug: str, report: _Reporter) -> Outcome:
    """The paper of a table row or an HTML card."""
    line = report.body_line(row.line)
    paper = Paper(
        arxiv_id=row.arxiv_id,
        title=row.title_en or row.title_zh,
        title_zh=row.title_zh,
        summary=row.summary,
        summary_lang=lang or ("en" if looks_english(row.summary) else "zh"),
        abs_url=arxiv.abs_url(row.arxiv_id),
        pdf_url=arxiv.pdf_url(row.arxiv_id),
        truncated=False,
        source=SourceRef(report.path, line),
        batch=slug,
        categories=row.categories,
    )
    if not row.summary:
        report.warning(line, f"table row '{_short(paper.title)}' has no summary")
    return Outcome(line, f"{_ROW}{paper.title}", paper=paper)


def _full_title_from(row: tables.Row, outcome: Outcome) -> None:
    """An entry headed by a short name (`### 1. Speculative Macro Commit`) takes the full title that a
    table row of the same paper gives, when the name's words are the title's, in order."""
    paper = outcome.paper
    if paper is None or not row.title_en or len(row.title_en) <= len(paper.title):
        return
    words = iter(_bare_words(row.title_en))
    if all(word in words for word in _bare_words(paper.title)):
        outcome.paper = replace(paper, title=row.title_en)


def _bare_words(title: str) -> list[str]:
    """A title's words, lower-cased, without the punctuation that ends some (`Plans:` is `plans`)."""
    return [bare for word in title.lower().split() if (bare := re.sub(r"[^\w-]", "", word))]


def _skip_reason(section: Section, body: list[str]) -> str:
    lines = [section.block.text] + [body[i] for b in section.blocks for i in range(b.start, b.end)]
    if any("[]()" in line.replace(" ", "") or re.search(r"\]\(\s*\)", line) for line in lines):
        return "has an empty link"
    return "has no link line to an arXiv or Hugging Face paper"


def _structure_reason(section: Section, doc: Outline, report: _Reporter) -> str:
    if section.kind == "structure":
        return "structure (a section heading)"
    if section.kind == "digest":
        return "structure (the digest's title)"
    owner = _owner(section, doc)
    if owner is not None:
        return f"part of the entry at line {report.body_line(owner)}"
    return "structure (no paper link, not among entries)"


def _owner(section: Section, doc: Outline) -> int | None:
    for index, end in doc.entries.items():
        start = doc.sections[index].block.start
        if start < section.block.start < end:
            return start
    return None


def _paper(
    draft: Draft,
    block: Block,
    lang: str,
    slug: str,
    report: _Reporter,
    first_seen: dict[str, Seen],
    titled: bool = True,
    listed: bool = False,
) -> Outcome:
    """The paper of an entry; `titled` says whether its heading may stand in for a missing title
    (`## 论文链接` may not), `listed` whether the entry is an item of a list."""
    heading = block.text
    line = report.body_line(block.start)
    best = draft.best_ref()
    if best is None:
        reason = "has an empty link" if draft.empty_link else "has no link line to an arXiv or Hugging Face paper"
        report.warning(line, f"entry '{_short(heading)}' {reason}; skipped")
        return Outcome(line, heading, reason=reason)
    ref_line, ref = best
    if ref.arxiv_id is None:
        report.error(report.body_line(ref_line), f"link '{_short(ref.url)}' has a malformed arXiv ID")
        return Outcome(line, heading, reason=f"malformed arXiv ID in '{_short(ref.url)}'")
    arxiv_id = ref.arxiv_id
    if ref.kind in ("link", "bare", "html") and arxiv.footnote_in(ref.url, arxiv_id):
        message = f"link '{_short(ref.url)}' read as arXiv {arxiv_id} (the digits after it end a footnote mark)"
        report.warning(report.body_line(ref_line), message)
    fallback = clean_title(heading)[0] if titled else ""
    title = draft.title_en or draft.title_zh or fallback or f"arXiv:{arxiv_id}"
    if not draft.summary:  # a paper all the same: its titles and links are worth listing
        report.warning(line, f"entry '{_short(title)}' has no summary")
    titles = frozenset(t.lower() for t in (draft.title_en, draft.title_zh) if t)
    earlier = first_seen.get(arxiv_id)
    if earlier is not None and not (listed or earlier.listed or titles & earlier.titles):
        report.error(line, f"arXiv {arxiv_id} appears twice in this file (first at line {earlier.line})")
        return Outcome(line, heading, reason=f"arXiv {arxiv_id} already at line {earlier.line}")
    first_seen.setdefault(arxiv_id, Seen(line, listed, titles))
    if draft.bare_link_line is not None and not draft.title_zh:
        report.warning(report.body_line(draft.bare_link_line), f"'{title}' has no Chinese title (bare URL link line)")
    truncated = draft.summary.endswith(_TRUNCATION_MARKS)
    if truncated:
        report.warning(report.body_line(draft.summary_end - 1), f"summary of '{title}' is cut short with '...'")
    summary_lang = lang or ("en" if looks_english(draft.summary) else "zh")
    paper = Paper(
        arxiv_id=arxiv_id,
        title=title,
        title_zh=draft.title_zh,
        summary=draft.summary,
        summary_lang=summary_lang,
        abs_url=arxiv.abs_url(arxiv_id),
        pdf_url=arxiv.pdf_url(arxiv_id),
        truncated=truncated,
        source=SourceRef(report.path, line),
        batch=slug,
        authors=draft.authors,
        published=draft.published,
        categories=draft.categories,
        keywords=draft.keywords,
        code_url=draft.code_url,
        abstract_en=draft.abstract_en,
        votes=draft.votes,
    )
    return Outcome(line, heading, paper=paper, repeat=earlier is not None)


def _repeats_merged(outcomes: list[Outcome]) -> list[Outcome]:
    """A paper the file gives more than once (under two topics, or again in a closing recap) is one
    paper, where it first appears, with the fullest of its write-ups; the other places say so."""
    if not any(outcome.repeat for outcome in outcomes):
        return outcomes
    places: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        if outcome.paper is not None:
            places.setdefault(outcome.paper.arxiv_id, []).append(outcome)
    for arxiv_id, found in places.items():
        if len(found) < 2:
            continue
        best = max(found, key=lambda outcome: len(outcome.paper.summary) if outcome.paper else 0).paper
        assert best is not None
        first = found[0]
        best = replace(best, source=first.paper.source if first.paper else best.source)
        first.paper = best
        for later in found[1:]:
            later.paper = None
            later.reason = f"repeats arXiv {arxiv_id} (line {first.line})"
    return outcomes


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"

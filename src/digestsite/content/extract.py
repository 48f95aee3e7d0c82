"""One entry's lines → the paper's ID, titles, summary and metadata fields.

Lines that exist to carry something (the link line, labelled fields, a row of links, images, HTML
wrappers, separators) are taken out of the summary; everything else is the summary, in its own
markdown. An English abstract beside a Chinese summary (a `<details>` block, an `Abstract` label or
sub-heading) becomes its own field; alone, it is the summary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from digestsite.content import arxiv, references
from digestsite.content.blocks import VERBATIM, Block
from digestsite.content.fields import Field, label_kind, labelled, strip_prefix
from digestsite.content.lines import LineInfo, classify, generic_link_text
from digestsite.content.references import Ref
from digestsite.content.titles import (
    book_title,
    cjk_share,
    clean_title,
    has_cjk,
    is_latin,
    looks_english,
    plain,
    split_titles,
)

_CODE_LINK = re.compile(r"code|github|gitlab|代码|代碼|源码|源碼|repo|仓库|程式", re.IGNORECASE)
_CATEGORY = re.compile(r"\b[a-z][a-z-]*\.[A-Za-z][A-Za-z-]*\b")
_SPLIT_LIST = re.compile(r"\s*(?:[,，;；、]|\band\b)\s*")
_SPLIT_CATEGORIES = re.compile(r"\s*[,，;；、/]\s*")
_SPLIT_KEYWORDS = re.compile(r"\s*[,，;；、|]\s*|\s+(?=#)")
_ET_AL = re.compile(r"\s*(?:等\s*\d*\s*(?:位|名)?\s*(?:作者)?|et\s+al\.?|\.\.\.|…)\s*$", re.IGNORECASE)
_NUMBER = re.compile(r"\d+")
_HEADING_MARK = re.compile(r"^(\s{0,3})(#{1,6})(?=\s|$)")
_DETAILS_OPEN = re.compile(r"^\s*(?:>\s*)*<details\b", re.IGNORECASE)
_DETAILS_CLOSE = re.compile(r"</details\s*>", re.IGNORECASE)
_SUMMARY_TAG = re.compile(r"<summary\b[^>]*>.*?</summary\s*>", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][^<>]{0,200}>")
_MD_LINK = re.compile(r"(?<!!)\[([^\[\]\n]*)\]\([^)\n]*\)")
_ABSTRACT_CJK_SHARE = 0.15
_PARAGRAPHS = re.compile(r"\n\s*\n")
_ABSTRACT_WORDS = 12  # an English paragraph shorter than this is a note, not an abstract
_PROSE_MIN = 24  # characters: shorter text after a link label is a title or a note, not the abstract
_BIBTEX_FENCE = re.compile(r"\s{0,3}(?:`{3,}|~{3,})\s*(?:bibtex|bib|biblatex)\b", re.IGNORECASE)
_SHORT_TITLE = 160
_ECHO_MIN = 10  # characters of a title worth recognising when a heading repeats it


@dataclass
class Draft:
    """What an entry yields before it becomes a `Paper`."""

    heading_line: int
    refs: list[tuple[int, int, Ref]] = field(default_factory=list)  # (priority, body line, ref)
    title_en: str = ""
    title_zh: str = ""
    summary: str = ""
    summary_end: int = 0  # body line after the summary's last line
    abstract_en: str = ""
    authors: tuple[str, ...] = ()
    published: str = ""
    categories: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    code_url: str = ""
    votes: int | None = None
    bare_link_line: int | None = None  # body line of a bare-URL link line right under the heading
    heading_zh: str = ""  # the Chinese title as the heading gave it
    empty_link: bool = False

    def best_ref(self) -> tuple[int, Ref] | None:
        """(body line, reference) of the paper: the strongest, then the first."""
        if not self.refs:
            return None
        priority, line, ref = min(self.refs, key=lambda item: (item[0], item[1]))
        valid = [item for item in self.refs if not item[2].malformed and item[0] <= priority]
        if ref.malformed and valid:
            _, line, ref = min(valid, key=lambda item: (item[0], item[1]))
        return line, ref


class _Reader:
    """Walks the lines of one entry, filling a draft and keeping the summary lines."""

    def __init__(self, body: list[str], info: dict[int, LineInfo], draft: Draft) -> None:
        self.body = body
        self.info = info
        self.draft = draft
        self.kept: list[tuple[int, str | None]] = []  # (body line, text or None for a dropped line)
        self.abstract: list[str] = []
        self.headings: set[int] = set()
        self.pending_title = ""
        self.pending_abstract = False
        self.first_block = True
        self.in_details = False
        self.details: list[str] = []
        self.summary_at: int | None = None  # where in `kept` a label (`#### 摘要`, `**一句话总结**`) began the summary
        self.aside_level = 0  # level of the metadata or commentary sub-heading whose section is being read
        self.soft: list[tuple[int, int, str]] = []  # (position in `kept`, body line, text) set aside, not lost
        self.classified: dict[int, LineInfo] = {}  # lines classified here, so each is classified once
        self.pinned = False  # a one-line-summary label (`## 一句话摘要`, `### AI 摘要`) named the summary

    def has_text(self) -> bool:
        """Whether any text other than sub-headings is kept so far."""
        return any(text and text.strip() and index not in self.headings for index, text in self.kept)

    def summary_starts(self) -> bool:
        """The text from here on is what the entry labels as its summary. The first such label counts,
        unless all it labelled was English (`### 论文摘要` over the abstract, then `### AI 总结`): that
        text is the English abstract and the new label starts the summary. Says whether it did."""
        if self.summary_at is not None:
            since = [text for _, text in self.kept[self.summary_at :] if text and text.strip()]
            if not since or any(has_cjk(text) for text in since):
                return False
            self.abstract.extend([*since, ""])
            self.kept[self.summary_at :] = [(index, None) for index, _ in self.kept[self.summary_at :]]
        self.summary_at = len(self.kept)
        return True

    def info_of(self, index: int) -> LineInfo:
        known = self.info.get(index)
        if known is None:
            known = self.classified.get(index)
            if known is None:
                known = self.classified[index] = classify(self.body[index])
        return known

    def drop(self, index: int) -> None:
        self.kept.append((index, None))

    def set_aside(self, index: int, text: str) -> None:
        """A line that is metadata or commentary by its place, not by its words: out of the summary,
        unless the entry turns out to have nothing else to say."""
        self.soft.append((len(self.kept), index, text))
        self.kept.append((index, None))

    def keep(self, index: int, text: str) -> None:
        self.kept.append((index, text))


def read_entry(
    heading: Block, blocks: list[Block], body: list[str], info: dict[int, LineInfo], kind: str, refs: list[Ref]
) -> Draft:
    """The draft of the entry under `heading` made of `blocks` (sub-headings included); `refs` are the
    heading's own references."""
    draft = Draft(heading.start)
    reader = _Reader(body, info, draft)
    heading_text = heading.text
    first_line = blocks[0].start if blocks and blocks[0].kind == "paragraph" else None
    if first_line is not None and _wraps(heading_text, body[first_line]):
        heading_text = f"{heading_text} {body[first_line].strip()}"
        refs = references.refs_in(heading_text)
        info = dict(info)
        info[first_line] = LineInfo("image")  # consumed by the heading
        reader.info = info
    _read_heading(heading_text, heading.start, kind, draft, refs)
    abstract_level = 0
    authors_next = False
    previous_end = heading.end
    for position, block in enumerate(blocks):
        for index in range(previous_end, block.start):  # blank lines between blocks
            if reader.in_details:
                reader.details.append("")
            elif index == heading.start:  # the heading, after an opening block read before it
                reader.drop(index)
            else:
                reader.keep(index, body[index])
        previous_end = block.end
        if block.kind == "heading" and reader.in_details:  # a heading of a folded AI summary
            reader.drop(block.start)
            reader.details.append(body[block.start])
            continue
        if block.kind == "heading" and block.level == heading.level == 1 and _second_title(draft, block.text):
            reader.drop(block.start)  # `# 中文标题 论文详细解读` after `# English Title`: the other title
            continue
        if block.kind == "heading":
            label_kind = _heading_label(block.text)
            if reader.aside_level and (block.level <= reader.aside_level or label_kind in _SUMMARY_LABELS):
                reader.aside_level = 0
            if reader.aside_level or _aside_heading(block.text):
                reader.aside_level = reader.aside_level or block.level
                reader.set_aside(block.start, body[block.start])
                continue
            if label_kind == "abstract":
                abstract_level = block.level
                reader.drop(block.start)
                continue
            if label_kind == "authors" and not draft.authors:
                authors_next = True
                reader.drop(block.start)
                continue
            pinned = label_kind == "summary" and _ONE_LINER.search(block.text) is not None
            reader.pinned = reader.pinned or (pinned and reader.summary_at is None)
            if (
                label_kind == "summary"
                and reader.summary_at is None
                and not pinned
                and _english_follows(blocks, position, body)
            ):
                abstract_level = block.level  # `#### 摘要` over the English abstract: not the summary
                reader.drop(block.start)
                continue
            if (
                label_kind == "summary" or (label_kind == "recap" and not reader.has_text())
            ) and reader.summary_starts():
                abstract_level = 0  # `### Abstract` then `### 摘要（中文）`: the abstract has ended
                reader.drop(block.start)
                continue
            if label_kind == "summary" and _english_follows(blocks, position, body):
                abstract_level = block.level  # a second `### 论文摘要`, in English: the abstract
                reader.drop(block.start)
                continue
            if abstract_level and block.level > abstract_level:
                reader.abstract.append(body[block.start])
                continue
            abstract_level = 0
            reader.headings.add(block.start)
            reader.keep(block.start, body[block.start])
            continue
        if abstract_level and _ends_abstract(body[block.start : block.end]):
            abstract_level = 0  # Chinese text, or a `<details>` block, after the English abstract
        if abstract_level:
            reader.abstract.extend(body[block.start : block.end])
            reader.abstract.append("")
            continue
        if authors_next:
            authors_next = False
            if block.kind == "paragraph":
                draft.authors = _split_people(" ".join(body[block.start : block.end]))
                for index in range(block.start, block.end):
                    reader.drop(index)
                continue
        if block.kind in VERBATIM and reader.aside_level:
            for index in range(block.start, block.end):
                reader.set_aside(index, body[index])
            continue
        if body[block.start].lstrip().startswith("<") and (
            said := _html_summary("\n".join(body[block.start : block.end]))
        ):
            reader.summary_starts()  # `<strong>一句话总结</strong><p>…</p>`: the summary, as text
            reader.keep(block.start, said)
            for index in range(block.start + 1, block.end):
                reader.drop(index)
            reader.first_block = False
            continue
        if block.kind in VERBATIM:
            citation = _BIBTEX_FENCE.match(body[block.start]) is not None  # the site makes its own BibTeX
            for index in range(block.start, block.end):
                if citation:
                    reader.drop(index)
                else:
                    reader.keep(index, body[index])
            reader.first_block = False
            continue
        if block.kind == "hr":
            reader.drop(block.start)
            continue
        if block.kind == "blockquote" and _quoted_title(reader, block):
            reader.drop(block.start)
            continue
        if position == 0 and block.kind == "paragraph" and _bold_title(reader, block):
            reader.drop(block.start)
            continue
        if block.kind == "paragraph" and _plain_title(reader, block, blocks[position + 1 :]):
            reader.drop(block.start)
            continue
        _read_block(reader, block, position == 0)
    if reader.details:
        _take_details(reader, reader.details)
    _finish(reader)
    return draft


_WRITE_UP = re.compile(r"\s*(?:中文)?(?:文献|论文)?(?:详细|深度|全文)?(?:解读|详解|笔记|精读|导读|解析|阅读笔记)$")


def _second_title(draft: Draft, text: str) -> bool:
    """A heading at the paper's own level, later in its note, giving the Chinese title the note lacks."""
    title = _WRITE_UP.sub("", clean_title(text)[0]).strip()
    if draft.title_zh or not draft.title_en or not has_cjk(title) or not _title_like(title):
        return False
    draft.title_zh = title
    return True


def _ends_abstract(lines: list[str]) -> bool:
    text = "\n".join(lines)
    return _DETAILS_OPEN.match(lines[0]) is not None or cjk_share(text) >= _ABSTRACT_CJK_SHARE


def _english_follows(blocks: list[Block], position: int, body: list[str]) -> bool:
    """Whether the text under the heading at `position` (up to the next heading) is English."""
    text = []
    for block in blocks[position + 1 :]:
        if block.kind == "heading":
            break
        text.extend(body[block.start : block.end])
    joined = " ".join(text)
    return bool(joined.strip()) and cjk_share(joined) < _ABSTRACT_CJK_SHARE


def _wraps(heading_text: str, next_line: str) -> bool:
    """`## 1. [English title that wraps` + `onto the next line](url)`."""
    opened = heading_text.rfind("[")
    return (
        opened >= 0 and "](" not in heading_text[opened:] and "](" in next_line and "[" not in next_line.split("](")[0]
    )


_SUMMARY_LABELS = ("summary", "abstract", "recap")
# `## 一句话摘要`, `### TL;DR`: the digest's own summary, never the paper's abstract, in whatever language.
_ONE_LINER = re.compile(r"一句话|一句話|一两句话|tl;?dr|太长不看|\bai\s*(?:摘要|总结|總結|summary)", re.IGNORECASE)
_LINK_WORDS = re.compile(r"链接|鏈接|連結|地址|网址|页面|link|url|page")
_FIGURE_HEADING = re.compile(r"(?:figure|fig\.|table|图|表)\s*\d", re.IGNORECASE)  # `### Figure 1 (p.2)`
_ASIDE_KINDS = ("meta", "paper", "pdf", "code", "project", "comment")


def _aside_heading(text: str) -> bool:
    """A sub-heading over metadata (`## 📋 基本信息`, `## 🔗 链接`), over the digest's own commentary
    (`#### ☠️ 毒舌点评`, `### 对你的启发`) or over one figure's analysis (`### Figure 1 (p.2)`): what its
    section says is not the paper's summary."""
    cleaned, _ = clean_title(text)
    kind = label_kind(cleaned)
    if kind == "paper":  # `## 🔗 链接`, `## 原始链接`, but not `## 论文`, which may hold the write-up
        return _LINK_WORDS.search(cleaned.lower()) is not None
    if _SETUP_HEADING.fullmatch(cleaned.lower()):  # `## 快速开始` in a README-style note: how to run the code
        return True
    if _REFERENCES_HEADING.fullmatch(cleaned.lower()):  # `## 参考`: the papers the note cites, not its text
        return True
    return kind in _ASIDE_KINDS or _FIGURE_HEADING.match(cleaned) is not None


_REFERENCES_HEADING = re.compile(r"(?:参考|参考文献|参考资料|參考文獻|references?|bibliography)")
_SETUP_HEADING = re.compile(
    r"(?:快速开始|快速上手|安装|安装说明|环境配置|环境安装|使用示例|使用方法|代码结构|代码结构说明|"
    r"quick ?start|installation|install|usage|getting started)"
)


def _heading_label(text: str) -> str | None:
    """`### Abstract`, `### Authors`, `#### 摘要`: a sub-heading that labels what follows it. A recap
    (`### 总结`) labels the summary only when nothing was written before it."""
    cleaned, _ = clean_title(text)
    kind = label_kind(cleaned)
    return kind if kind in ("abstract", "authors", "summary", "recap") else None


def _read_heading(text: str, line: int, kind: str, draft: Draft, refs: list[Ref]) -> None:
    for ref in refs:
        draft.refs.append((0, line, ref))
    if "[]()" in text.replace(" ", ""):
        draft.empty_link = True
    if kind:  # 基本信息, 论文速览, 每日论文: not a title
        return
    title, votes = clean_title(_without_generic_links(text))
    if votes is not None:
        draft.votes = votes
    english, chinese = split_titles(title)
    draft.title_en, draft.title_zh = english, chinese
    draft.heading_zh = chinese


def _without_generic_links(text: str) -> str:
    """A heading without the links that only name themselves (`Title [PDF](…), [HTML](…)`), unless
    nothing else would be left."""
    if "](" not in text:
        return text
    kept = _MD_LINK.sub(lambda m: "" if generic_link_text(m.group(1)) else m.group(0), text)
    return kept if plain(kept).strip(" ,，|·-") else text


def _quoted_title(reader: _Reader, block: Block) -> bool:
    """`> 中文标题` under the heading, before any summary text: the title the heading lacks."""
    if block.end - block.start != 1 or any(text and text.strip() for _, text in reader.kept):
        return False
    if reader.abstract or reader.headings or reader.summary_at is not None:
        return False  # a note after the entry's sections (`> ⏳ 深度解读尚未完成`), not its title
    if reader.info_of(block.start).role != "prose":
        return False
    text = plain(strip_prefix(reader.body[block.start])[1])
    if not _title_like(text) or text.endswith(("。", ".", "!", "?", "！", "？", ":", "：")):
        return False
    draft = reader.draft
    if has_cjk(text) and not draft.title_zh:
        draft.title_zh = clean_title(text)[0]
        return True
    if is_latin(text) and not draft.title_en:
        draft.title_en = clean_title(text)[0]
        return True
    return False


_BOLD_TITLE_MIN = 8  # characters
_BOLD_WHOLE = re.compile(r"\s*\*\*([^*\n]+)\*\*\s*")


def _bold_title(reader: _Reader, block: Block) -> bool:
    """`**中文标题**` alone on the line under an English heading: the Chinese title, not summary text."""
    draft = reader.draft
    if block.end - block.start != 1 or draft.title_zh or not draft.title_en:
        return False
    match = _BOLD_WHOLE.fullmatch(reader.body[block.start])
    if match is None:
        return False
    text = plain(match.group(1))
    if not has_cjk(text) or not _title_like(text) or text.endswith(("。", "！", "？", ":", "：")):
        return False
    if len(text) < _BOLD_TITLE_MIN or text[0].isdigit() or label_kind(text) is not None:
        return False  # `**1. 主要工作**`, `**摘要**`: a label over what follows
    draft.title_zh = clean_title(text)[0]
    return True


_PLAIN_TITLE_MIN, _PLAIN_TITLE_MAX = 8, 40  # characters
_SENTENCE_OPENERS = (
    "本文",
    "该文",
    "该论文",
    "这篇",
    "此文",
    "作者",
    "我们",
    "提出",
    "研究",
    "通过",
    "论文",
    "文章",
    "针对",
    "为了",
)
_TITLE_BREAKS = ("。", "！", "？", "；", "，", "：", ":", "!", "?")


def _plain_title(reader: _Reader, block: Block, rest: list[Block]) -> bool:
    """A short Chinese line standing alone after the paper's links and fields, before any text
    (`作为高效 PRP 重排序器的主动学习器`): the Chinese title the entry lacks."""
    draft = reader.draft
    if draft.title_zh or block.end - block.start != 1 or not rest or reader.abstract:
        return False
    line = reader.body[block.start]
    if not _PLAIN_TITLE_MIN <= len(line) <= 2 * _PLAIN_TITLE_MAX or line[:1].isspace() or line[:1] in "#>*-|[!<":
        return False
    text = plain(line)
    if not _PLAIN_TITLE_MIN <= len(text) <= _PLAIN_TITLE_MAX or any(mark in text for mark in _TITLE_BREAKS):
        return False
    if text.startswith(_SENTENCE_OPENERS) or cjk_share(text) < 0.5 or not _title_like(text):  # `本文提出…`
        return False
    if label_kind(text) is not None or reader.has_text() or reader.info_of(block.start).role != "prose":
        return False
    draft.title_zh = clean_title(text)[0]
    return True


_HTML_LABELLED = re.compile(
    r"<(strong|b|h[1-6]|span|div)\b[^<>]*>\s*([^<>]{1,24}?)\s*</\1>\s*<p\b[^<>]*>(.*?)</p>", re.DOTALL | re.IGNORECASE
)
_TAG = re.compile(r"<[^<>]*>")


def _html_summary(html: str) -> str:
    """The text an HTML block labels as the summary (`<strong>一句话总结</strong><p>…</p>`), or ''."""
    match = _HTML_LABELLED.search(html)
    if match is None or label_kind(match.group(2)) != "summary":
        return ""
    return " ".join(_TAG.sub(" ", match.group(3)).split())


def _read_block(reader: _Reader, block: Block, first: bool) -> None:
    body = reader.body
    aside = _unknown_fields_among_known(reader, block)
    for index in range(block.start, block.end):
        line = body[index]
        if index in aside and not reader.in_details:
            reader.set_aside(index, line)
            continue
        if reader.in_details or _DETAILS_OPEN.match(line):
            reader.in_details = True
            reader.drop(index)
            reader.details.append(_SUMMARY_TAG.sub("", line))
            if _DETAILS_CLOSE.search(line):
                reader.in_details = False
                _take_details(reader, reader.details)
                reader.details = []
            continue
        line_info = reader.info_of(index)
        _read_line(reader, index, line, line_info, first and index == block.start)
    reader.first_block = False


_META_VALUE = 120  # characters of a metadata value under an unknown label
_FIELD_CARD = 4  # known field lines that make a list a card of metadata
_SENTENCE_MARKS = ("。", "，", "！", "？", "；")
_BARE_ITEM = re.compile(r"\s{0,3}[-*+][ \t]+[^:：。，！？；\n]{1,40}")  # a short list item with no label


def _unknown_fields_among_known(reader: _Reader, block: Block) -> set[int]:
    """Lines shaped like fields whose labels this reader does not know (`- **匹配关键词**: VLA`,
    `- 团队：…`, `> 🏷️ 板块: …`), in a block that also holds known fields (`- **作者**: …`): metadata
    too, when their values are short and no sentence; in a list made mostly of known fields (a `基本信息`
    card), whatever their values."""
    if block.end - block.start < 2:  # one line: no run of fields to stand among
        return set()
    known, short, long, bare = 0, [], [], []
    for index in range(block.start, block.end):
        info = reader.info_of(index)
        if info.role == "fields":
            known += 1
        elif info.role == "prose" and _has_colon(line := reader.body[index]) and (value := _labelled_value(line)):
            is_short = 0 < len(value) <= _META_VALUE and not any(mark in value for mark in _SENTENCE_MARKS)
            (short if is_short else long).append(index)
        elif info.role == "prose" and _BARE_ITEM.fullmatch(line) and not line.rstrip().endswith(_SENTENCE_MARKS):
            bare.append(index)  # `- CVPR18 Oral Paper` among `- 作者：…`, `- 机构：…`: a note on the paper
    aside = set(short) if known and known + len(short) >= 2 else set()
    if known >= _FIELD_CARD and known >= 3 * len(long):
        aside.update(long)
        aside.update(bare if known >= 2 * len(bare) else ())
    return aside


def _has_colon(line: str) -> bool:
    return ":" in line or "：" in line


def _labelled_value(line: str) -> str | None:
    """The value after a short label (`**Label**: value`, `Label：value`), or None for other lines."""
    found = labelled(line)
    return plain(found[1]) if found is not None else None


def _take_details(reader: _Reader, lines: list[str]) -> None:
    """A `<details>` block, paragraph by paragraph: English ones are the abstract, the others summary
    text (`Abstract / 摘要` blocks hold both, one after the other)."""
    text = "\n".join(_TAG.sub("", line) for line in lines).strip()
    summary = []
    for paragraph in _PARAGRAPHS.split(text):
        if not paragraph.strip():
            continue
        if cjk_share(paragraph) < _ABSTRACT_CJK_SHARE:
            reader.abstract.extend([paragraph.strip(), ""])
        else:
            summary.append(paragraph.strip())
    if summary:
        reader.kept.append((-1, "\n\n".join(summary)))


def _read_line(reader: _Reader, index: int, line: str, info: LineInfo, link_line: bool) -> None:
    draft = reader.draft
    role = info.role
    if role == "blank":
        reader.keep(index, "")
        return
    if reader.pending_title and role == "prose":
        _set_title(draft, reader.pending_title, strip_prefix(line)[1])
        reader.pending_title = ""
        reader.drop(index)
        return
    if reader.pending_abstract and (role in ("label", "fields") or cjk_share(line) >= _ABSTRACT_CJK_SHARE):
        reader.pending_abstract = False  # `**中文摘要**：` after the English one: the abstract has ended
    if reader.pending_abstract and role in ("prose",):
        reader.abstract.append(strip_prefix(line)[1] if line.lstrip().startswith(">") else line)
        reader.drop(index)
        return
    if role in ("image", "html"):
        for ref in info.refs:
            draft.refs.append((1, index, ref))
        reader.drop(index)
        return
    if role == "fields":
        for item in info.fields:
            _read_field(reader, index, item)
        for ref in info.refs:  # an ID named in another field (`时间：…（arXiv:2510.21614v3）`), below links
            draft.refs.append((3, index, ref))
        if not any(item.kind == "summary" and item.value for item in info.fields):
            reader.drop(index)
        return
    if role == "label":
        reader.drop(index)
        if info.label == "abstract":
            reader.pending_abstract = True
        elif info.label == "summary" or (
            info.label == "recap" and (not reader.has_text() or reader.summary_at is not None)
        ):
            reader.summary_starts()
        elif info.label in ("title_en", "title_zh", "title", "en", "cn"):
            reader.pending_title = info.label
        return
    if role == "links":
        _read_links(reader, index, line, info, link_line)
        reader.drop(index)
        return
    for ref in info.refs:
        draft.refs.append((2 if info.cited else 3, index, ref))  # a citing link: below link lines and fields
    if info.cited is not None:  # `… 描述 [论文](url)`: the text, without the citation of its paper
        rest = strip_prefix(line)[1].strip()
        line = line.replace(rest[info.cited.start : info.cited.end], "").rstrip()
    if _title_continuation(reader, index, line):
        reader.drop(index)
        return
    if reader.first_block and not draft.authors and (people := _italic_people(line)):
        draft.authors = people  # `*Ada Li, Bo Wang*` under the heading: a byline, not the summary
        reader.drop(index)
        return
    if reader.aside_level:
        reader.set_aside(index, line)
        return
    reader.keep(index, line)


_ITALIC_LINE = re.compile(r"^\s*(?:\*(?!\*)|_(?!_))([^*_]+?)(?:\*|_)\s*$")


def _italic_people(line: str) -> tuple[str, ...]:
    """A whole-line italic list of names (at least two, none a sentence): the authors of a paper."""
    match = _ITALIC_LINE.match(line)
    if match is None:
        return ()
    names = [name.strip() for name in re.split(r"[,，、;；]| and ", match.group(1)) if name.strip()]
    if len(names) < 2 or any(len(name.split()) > 5 or name.endswith(("。", ".", "!", "?")) for name in names):
        return ()
    return _split_people(match.group(1))


def _title_continuation(reader: _Reader, index: int, line: str) -> bool:
    """A title field hard-wrapped onto an indented next line."""
    previous = reader.kept[-1] if reader.kept else None
    if previous is None or previous[1] is not None or previous[0] != index - 1:
        return False
    info = reader.info.get(index - 1)
    if info is None or info.role != "fields" or not line.startswith((" ", "\t")):
        return False
    last = info.fields[-1]
    if last.kind not in ("title_en", "title_zh", "title", "en", "cn"):
        return False
    _set_title(reader.draft, last.kind, f"{last.value} {line.strip()}", replace=True)
    return True


def _read_field(reader: _Reader, index: int, item: Field) -> None:
    draft = reader.draft
    kind, value = item.kind, item.value
    if kind in ("paper", "pdf"):
        refs = references.refs_in(value) or _bare_ids(value)
        for ref in refs:
            draft.refs.append((1 if kind == "paper" else 2, index, ref))
        if kind == "paper" and len(refs) == 1:
            _field_link_title(draft, refs[0])
        text = plain(value)
        cited = _CITED_TITLE.search(value) if not refs and kind == "paper" else None
        if cited and is_latin(cited.group(1)) and len(cited.group(1).split()) >= 3:
            _set_title(draft, "title_en", cited.group(1), only_missing=True)  # `论文：A. Lyu 等，*Title*`
            return
        if not refs and kind == "paper" and _is_prose(text):  # `**abs**: 本文提出…`: the abstract, written out
            reader.summary_starts()
            reader.keep(index, value)
            return
        if not refs and kind == "paper" and _title_like(text) and not _NUMBER.fullmatch(text):
            _set_title(draft, "title", value, only_missing=True)  # `原文: English Title`
        if value.replace(" ", "") in ("[]()", "()"):
            draft.empty_link = True
    elif kind == "code":
        url = _first_url(value)
        if url and not draft.code_url:
            draft.code_url = url
    elif kind in ("title_en", "title_zh", "title"):
        if value:
            _set_title(draft, kind, value)
        else:
            reader.pending_title = kind
    elif kind in ("en", "cn"):
        text = plain(value)
        if not value:
            reader.pending_title = kind
        elif len(text) <= _SHORT_TITLE and not text.endswith(("。", ".")):
            _set_title(draft, "title_en" if kind == "en" else "title_zh", value)
        elif kind == "en":
            reader.abstract.append(value)
        else:
            reader.keep(index, value)
    elif kind == "summary" or kind == "recap":
        if value:
            if kind == "summary" or not reader.has_text() or reader.summary_at is not None:
                reader.summary_starts()  # a recap after an English `摘要`: the summary (see summary_starts)
            reader.keep(index, value)
    elif kind == "abstract":
        if value:
            reader.abstract.append(value)
        else:
            reader.pending_abstract = True
    elif kind == "authors" and not draft.authors:
        draft.authors = _split_people(value)
    elif kind == "published" and not draft.published:
        draft.published = plain(value)
    elif kind == "categories" and not draft.categories:
        draft.categories = tuple(x for x in (plain(p) for p in _SPLIT_CATEGORIES.split(value)) if x)
    elif kind == "keywords" and not draft.keywords:
        words = (plain(p).lstrip("#").strip() for p in _SPLIT_KEYWORDS.split(value))
        draft.keywords = tuple(w for w in words if w)
    elif kind == "votes" and draft.votes is None:
        number = _NUMBER.search(value.replace(",", ""))
        if number:
            draft.votes = int(number.group())


def _field_link_title(draft: Draft, ref: Ref) -> None:
    """`**论文**: [English Title](abs url)` under a heading that holds no English title (`### 1. WebChain:
    最大规模人类标注数据集`): the link text is the paper's English title."""
    shown = plain(ref.text)
    if ref.kind != "link" or not is_latin(shown) or len(shown.split()) < _TITLE_WORDS or generic_link_text(ref.text):
        return
    if not draft.title_en or has_cjk(draft.title_en):
        draft.title_en = clean_title(ref.text)[0]


_TITLE_WORDS = 3  # words of a link text that make it a title rather than a name (`[KARL](…)`)


def _read_links(reader: _Reader, index: int, line: str, info: LineInfo, link_line: bool) -> None:
    """A link line (`[中文标题](url)`, a bare URL) or a row of links (`[📄 论文](…) | [💻 代码](…)`)."""
    draft = reader.draft
    for ref in info.refs:
        draft.refs.append((1, index, ref))
    paper_urls = {ref.url for ref in info.refs}
    for link in info.links:
        if link.url not in paper_urls and _is_code_link(link.text, link.url) and not draft.code_url:
            draft.code_url = link.url
    if not info.links and info.refs and "://" in line:
        bare = references.BARE_URL.findall(line)
        for url in bare:
            url = references.trim_url(url)
            if references.is_code_url(url) and not draft.code_url:
                draft.code_url = url
    if info.codes and not draft.categories:
        found = tuple(m.group() for code in info.codes for m in _CATEGORY.finditer(code))
        draft.categories = found
    if any(link.url.strip() == "" for link in info.links):
        draft.empty_link = True
    paper_links = [link for link in info.links if link.url in paper_urls]
    if link_line and len(paper_links) == 1 and len(info.links) == 1:
        _link_line_title(draft, paper_links[0].text.strip())
        return
    for link in paper_links:
        text = link.text.strip()
        if text and not generic_link_text(text):
            cleaned, _ = clean_title(text)
            if has_cjk(cleaned):
                draft.title_zh = draft.title_zh or cleaned
            else:
                draft.title_en = draft.title_en or cleaned
    if not info.links and link_line and len(info.refs) == 1:
        draft.bare_link_line = index


def _link_line_title(draft: Draft, text: str) -> None:
    """The link right under the heading (`[中文标题](url)`) carries the other title: Chinese under an
    English heading, English under a Chinese one."""
    shown = plain(text)
    if not text or generic_link_text(text) or shown == draft.title_en:
        return
    if not has_cjk(shown) and draft.title_zh and not draft.title_en:
        draft.title_en = clean_title(text)[0]
        return
    draft.title_zh = shown


_CITED_TITLE = re.compile(r"(?<![*\w])\*([^*\n]{8,200})\*(?!\*)|《([^《》\n]{8,200})》")


def _is_prose(text: str) -> bool:
    """Sentences rather than a title or a link: Chinese punctuation inside, or a sentence's end."""
    if "://" in text or len(text) < _PROSE_MIN:
        return False
    return "。" in text or "，" in text or text.endswith((".", "！", "？", "!", "?"))


def _title_like(text: str) -> bool:
    """Short, one sentence at most, no URL: a title rather than a remark."""
    return 0 < len(text) <= _SHORT_TITLE and "://" not in text and "。" not in text.rstrip("。")


def _set_title(draft: Draft, kind: str, value: str, replace: bool = False, only_missing: bool = False) -> None:
    cleaned, _ = clean_title(value)
    if not cleaned:
        return
    if kind == "title":
        kind = "title_zh" if has_cjk(cleaned) and cjk_share(cleaned) > 0.3 else "title_en"
    if only_missing and (draft.title_zh if kind == "title_zh" else draft.title_en):
        return
    if kind in ("title_en", "en"):
        if replace or not draft.title_en or has_cjk(draft.title_en) or _fields_win(draft.title_en, cleaned):
            if has_cjk(cleaned) and not draft.title_zh:
                draft.title_zh = cleaned
            else:
                draft.title_en = cleaned
    else:
        draft.title_zh = cleaned


def _fields_win(current: str, labelled: str) -> bool:
    """A labelled full title wins over the short name a heading may carry (`SFCo-Nav`), and over the
    heading `NFD: Full Title` that puts that name before it."""
    if len(labelled) > len(current):
        return True
    return current.endswith(labelled) and current[: -len(labelled)].rstrip().endswith((":", "："))


def _finish(reader: _Reader) -> None:
    draft = reader.draft
    if reader.soft and not any(text and text.strip() for _, text in reader.kept):
        for position, index, text in reader.soft:  # nothing else to say: what was set aside is the text
            reader.kept[position] = (index, text)
    _labelled_summary_first(reader)
    lines = _without_preamble(_assemble(reader))
    if lines and lines[0].lstrip().startswith("#"):
        lines = _without_title_echo("\n".join(lines).split("\n"), draft)
    if not reader.abstract and not reader.pinned:  # `## 一句话摘要` over English: the summary all the same
        lines = _english_lead_to_abstract(lines, reader)
    abstract = "\n".join(reader.abstract).strip()
    summary = "\n".join(lines).strip()
    if abstract and summary and has_cjk(summary):
        draft.abstract_en = _unquote(abstract)
    elif abstract and not summary:
        summary = _unquote(abstract)
    elif abstract:
        summary = f"{summary}\n\n{_unquote(abstract)}"
    draft.summary = _unquote(summary) if summary.startswith(">") else summary
    kept = [index for index, text in reader.kept if text is not None and text.strip() and index >= 0]
    draft.summary_end = max(kept) + 1 if kept else draft.heading_line + 1
    if draft.title_en and not is_latin(draft.title_en) and not draft.title_zh:
        draft.title_zh, draft.title_en = draft.title_en, ""
    quoted = book_title(draft.title_zh) if "《" in draft.title_zh else ""
    if quoted and (not draft.title_en or draft.title_en == quoted):
        draft.title_en = quoted
        if _WRITE_UP.fullmatch(draft.title_zh.replace(f"《{quoted}》", "")):
            draft.title_zh = ""  # `《English Title》中文文献解读`: the heading names the write-up
    if draft.title_zh and draft.title_zh == draft.heading_zh and _names_a_part(draft.title_zh, draft.title_en):
        draft.title_zh = ""  # `## 1. Paper Snapshot（元数据）` over `- **标题**: English Title`


# `作为计算机视觉专家，我对这篇论文的摘要进行了深度解析。`, `好的，以下是这篇论文的总结：`: what a model
# said before the summary it was asked for, pasted with it.
_PREAMBLE = re.compile(
    r"(?:作为(?:一名|一位|一个)?[^，,。\n]{1,20}(?:专家|研究员|学者|助手|工程师|分析师)[，,]\s*我|好的[，,。！!]|"
    r"以下是|下面是|下面我|我将|我会|我来)[^\n]{0,80}[。：:]"
)
_PREAMBLE_LINE = 100  # characters


def _without_preamble(lines: list[str]) -> list[str]:
    """A summary without the one sentence of chatter a generated write-up may open with."""
    if not lines or len(lines[0]) > _PREAMBLE_LINE or not _PREAMBLE.fullmatch(lines[0].strip()):
        return lines
    rest = lines[1:]
    while rest and not rest[0].strip():
        rest.pop(0)
    return rest if rest else lines


def _without_title_echo(lines: list[str], draft: Draft) -> list[str]:
    """A summary that opens with a heading repeating the paper's title (`# 论文总结：<title>`) starts
    after it: the page shows the title already."""
    title = draft.title_en or draft.title_zh
    if not lines or not _HEADING_MARK.match(lines[0]) or len(title) < _ECHO_MIN:
        return lines
    heading = plain(_HEADING_MARK.sub("", lines[0])).lower()
    named = re.split(r"[:：]", heading, maxsplit=1)[-1].strip()  # `论文总结：Title`
    if title.lower() not in heading and not (len(named) >= _ECHO_MIN and named in title.lower()):
        return lines
    rest = lines[1:]
    while rest and not rest[0].strip():
        rest.pop(0)
    return rest


def _names_a_part(heading: str, title_en: str) -> bool:
    """A heading in mostly Latin letters sharing no word with the English title a field gives: it names a
    part of the write-up, not the paper."""
    if not title_en or cjk_share(heading) >= 0.5:
        return False
    words = {w for w in re.findall(r"[a-z]{3,}", heading.lower())}
    return bool(words) and words.isdisjoint(re.findall(r"[a-z]{3,}", title_en.lower()))


def _english_lead_to_abstract(lines: list[str], reader: _Reader) -> list[str]:
    """English paragraphs that open an entry whose later text is Chinese are its English abstract: a
    Chinese digest's summary is the Chinese text (`Abstract…` then `**中文摘要**：…`)."""
    paragraphs = _PARAGRAPHS.split("\n".join(lines))
    lead = 0
    while lead < len(paragraphs) and _english_prose(paragraphs[lead]):
        lead += 1
    rest = "\n\n".join(paragraphs[lead:])
    if not lead or cjk_share(rest) < _ABSTRACT_CJK_SHARE:
        return lines
    reader.abstract.extend(paragraphs[:lead])
    return rest.split("\n")


def _english_prose(paragraph: str) -> bool:
    text = paragraph.strip()
    return bool(text) and text[0] not in "#|<`-*>" and looks_english(text) and len(text.split()) >= _ABSTRACT_WORDS


def _labelled_summary_first(reader: _Reader) -> None:
    """What the entry labels as its summary leads; text before the label (why it was picked, a score,
    notes) follows it, so nothing is lost and the summary starts where the author said it does."""
    at = reader.summary_at
    if not at or not any(text and text.strip() for _, text in reader.kept[:at]):
        return
    labelled = [text for index, text in reader.kept[at:] if text and text.strip() and index not in reader.headings]
    english = labelled and not any(has_cjk(text) for text in labelled)  # `### 论文摘要` over the abstract
    if english and any(has_cjk(text) for _, text in reader.kept[:at] if text):
        reader.abstract.extend([*labelled, ""])
        reader.kept[at:] = [(index, None) for index, _ in reader.kept[at:]]
        return
    reader.kept = [*reader.kept[at:], (-1, ""), *reader.kept[:at]]


def _assemble(reader: _Reader) -> list[str]:
    """Kept lines in order: blank lines around a dropped line collapse to one, so a summary reads as it
    was written without its metadata; sub-headings are demoted below the paper's own heading."""
    out: list[str] = []
    gap = False  # a dropped line lies between out[-1] and the next kept line
    for index, text in reader.kept:
        if text is None:
            gap = True
            continue
        if index in reader.headings:
            text = _demote(text, reader)
        if not text.strip():
            if not (gap and out and not out[-1].strip()):
                out.append(text)
            continue
        if gap and out and out[-1].strip() and out[-1].lstrip().startswith(">") != text.lstrip().startswith(">"):
            out.append("")
        gap = False
        out.append(text)
    while out and not out[-1].strip():
        out.pop()
    while out and not out[0].strip():
        out.pop(0)
    return _drop_empty_headings(out) if reader.headings else out


def _drop_empty_headings(lines: list[str]) -> list[str]:
    """A sub-heading whose section was all metadata (`## 基本信息`) goes with it."""
    out: list[str] = []
    for line in reversed(lines):
        match = _HEADING_MARK.match(line)
        if match:
            following = next((item for item in reversed(out) if item.strip()), None)
            next_match = _HEADING_MARK.match(following) if following is not None else None
            if following is None or (next_match and len(next_match.group(2)) <= len(match.group(2))):
                while out and not out[-1].strip():
                    out.pop()
                continue
        out.append(line)
    out.reverse()
    while out and not out[0].strip():
        out.pop(0)
    return out


def _demote(line: str, reader: _Reader) -> str:
    levels = [len(m.group(2)) for i in reader.headings if (m := _HEADING_MARK.match(reader.body[i]))]
    match = _HEADING_MARK.match(line)
    if not match or not levels:
        return line
    shift = 3 - min(levels)
    level = min(6, len(match.group(2)) + shift)
    return f"{match.group(1)}{'#' * level}{line[match.end() :]}"


def _unquote(text: str) -> str:
    """A summary given as one blockquote loses its quote marks."""
    lines = text.split("\n")
    if not all(line.lstrip().startswith(">") or not line.strip() for line in lines):
        return text
    return "\n".join(re.sub(r"^\s*>\s?", "", line) for line in lines).strip()


def _bare_ids(value: str) -> list[Ref]:
    return [Ref(i, arxiv.abs_url(i), "", "id") for i in references.ids_in(plain(value))[:1]]


def _first_url(value: str) -> str:
    found = references.links(value)
    if found and found[0].url.startswith(("http://", "https://")):
        return found[0].url
    match = references.BARE_URL.search(value)
    return references.trim_url(match.group()) if match else ""


def _is_code_link(text: str, url: str) -> bool:
    """`[💻 代码](…)`, `[GitHub](…)` or any link to a code host (the caller has ruled out paper links)."""
    if not url.startswith(("http://", "https://")):
        return False
    return references.is_code_url(url) or (len(plain(text)) <= 12 and _CODE_LINK.search(text) is not None)


def _split_people(value: str) -> tuple[str, ...]:
    text = _ET_AL.sub("", plain(value))
    return tuple(name for name in (p.strip() for p in _SPLIT_LIST.split(text)) if name)

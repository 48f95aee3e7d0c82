"""Which headed sections of a digest are paper entries, and where each entry ends.

An entry is the section, at whichever level from `#` to `####`, that carries a paper reference. A
reference found under a sub-heading (`### 4. 评价`, `## 基本信息`) belongs to the section above it when
that section holds no other paper. Headings without a reference are structure (document title, section
headings, footers) unless they sit among entries as their siblings: a sub-heading repeated in every
entry or named like one (研究背景, Abstract…) joins the entry before it; anything else there is an entry
that is not a paper (a news item), skipped with a warning.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from digestsite.content.blocks import VERBATIM, Block
from digestsite.content.fields import label_kind
from digestsite.content.lines import LineInfo, classify, field_rows
from digestsite.content.references import Ref, heading_ids, refs_in
from digestsite.content.titles import clean_title, has_cjk

MAX_ENTRY_LEVEL = 5  # `##### Title` under `## 会议` / `### 主题` / `#### 子主题` in a study-notes page


def _words(text: str) -> tuple[frozenset[str], re.Pattern[str]]:
    """English words to match as whole words, and a pattern for the others: Chinese words, and English
    phrases written with `_` (`further_reading` must not make every title with "reading" a section)."""
    words = text.split()
    phrases = [w.replace("_", " ") for w in words if w.isascii() and "_" in w]
    others = sorted([w for w in words if not w.isascii()] + phrases, key=len, reverse=True)
    single = frozenset(w for w in words if w.isascii() and "_" not in w)
    return single, re.compile("|".join(map(re.escape, others)) or "(?!)")


_SUB_WORDS = _words(
    "背景 动机 方法 贡献 创新 实验 结果 结论 意义 亮点 摘要 简介 介绍 概述 问题 局限 不足 展望 评价 评分 "
    "打分 关键词 核心 主要工作 技术 思路 框架 细节 启发 点评 解读 要点 "
    "分析 基本信息 论文信息 信息 提示 方案 优势 应用 影响 相关工作 速览 原文 阅读 笔记 结论 贡献 總結 背景 "
    "動機 創新 實驗 結果 結論 評價 要點 簡介 亮點 思考 讨论 推荐理由 推荐 "
    "元数据 一句话 tl;dr tldr abstract method methods results result conclusion conclusions background contribution "
    "snapshot 资源 链接 "
    "contributions overview motivation experiments experiment limitations highlights takeaways summary "
    "insights discussion approach introduction details key idea problem analysis evaluation notes "
)
_STRUCTURE_WORDS = _words(
    "统计 概览 目录 参考 参考文献 参考资料 引用 总结 今日总结 结语 写在最后 往期 订阅 关注 致谢 附录 索引 导航 "
    "论文列表 论文详情 深入解析 重点论文 趋势 说明 免责声明 更新日志 排名 推荐阅读 "
    "相关链接 数据来源 来源 目錄 參考文獻 統計 訂閱 references reference contents toc statistics stats about "
    "appendix "
    "subscribe disclaimer changelog further_reading related_links footer index "
)
_DIGEST_WORDS = _words("日报 周报 月报 速递 精选 汇总 每日 每周 daily weekly digest newsletter 論文精選 日報 週報 ")
_TOKEN = re.compile(r"[a-z][a-z;]*")
_SHORT_CJK = 14
_SHORT_LATIN_WORDS = 5
_COUNT_SUFFIX = re.compile(r"[(（]\s*\d+\s*篇?\s*[)）]\s*$|\d+\s*篇\s*[)）]?\s*$")


@dataclass(slots=True)
class Section:
    """A heading and the blocks up to the next heading of any level."""

    index: int  # position among the file's sections
    block: Block
    blocks: list[Block] = field(default_factory=list)
    parent: int | None = None
    children: list[int] = field(default_factory=list)
    kind: str = ""  # "sub", "structure", "digest" or "" (a heading that may be a title)
    key: str = ""  # the heading as compared with other headings
    refs: list[tuple[int, Ref, bool]] = field(default_factory=list)  # (body line, ref, strong)

    @property
    def level(self) -> int:
        return self.block.level

    def ids(self) -> set[str]:
        """The papers this section names: by its strong references, or by the weak ones (a URL inside a
        sentence) when it has no strong one and its heading may be a title."""
        strong = {ref.arxiv_id or ref.url for _, ref, is_strong in self.refs if is_strong}
        if strong or self.kind:
            return strong
        weak = {ref.arxiv_id or ref.url for _, ref, _ in self.refs}
        return weak if len(weak) == 1 else set()  # sentences citing several papers: a reading list


@dataclass(slots=True)
class Outline:
    """The file's sections, which are entries (with their last block, exclusive), which are skipped
    entries, and each line's classification (computed once, shared with the entry reader)."""

    sections: list[Section]
    entries: dict[int, int]  # section index → end line (exclusive) of the entry
    skipped: list[int]  # section indexes of entries that are not papers
    info: dict[int, LineInfo]


def _kind(text: str, key: str) -> str:
    """Whether a heading (`text`, cleaned and lower-cased as `key`) names a sub-section of an entry, a
    structural section, the digest itself, or none of these (it may then be a title). A heading that
    links a paper is a title, whatever its words (`## [Reading Long Tables](…)`)."""
    if ("](" in text and refs_in(text)) or heading_ids(text):
        return ""
    return _kind_of(key)


def _kind_of(lowered: str) -> str:
    if not lowered:  # `### 109`: no words, but its section may still hold a paper
        return ""
    short = len(lowered) <= _SHORT_CJK if has_cjk(lowered) else len(lowered.split()) <= _SHORT_LATIN_WORDS
    if _COUNT_SUFFIX.search(lowered):
        return "structure"
    tokens = set(_TOKEN.findall(lowered))
    label = label_kind(lowered) if short else None
    if label not in (None, "recap"):
        return "sub"  # headings that are field labels (`## 论文链接`, `### 作者`, `## 一句话总结`)
    if short and _mentions(lowered, tokens, _STRUCTURE_WORDS):
        return "structure"
    if short and (_mentions(lowered, tokens, _SUB_WORDS) or label is not None):
        return "sub"  # `## 背景`
    if _mentions(lowered, tokens, _DIGEST_WORDS):
        return "digest"
    return ""


def _mentions(text: str, tokens: set[str], words: tuple[frozenset[str], re.Pattern[str]]) -> bool:
    """English words match whole words (`key` is not in `monkey`); Chinese words match anywhere."""
    ascii_words, others = words
    return not ascii_words.isdisjoint(tokens) or others.search(text) is not None


def outline(blocks: list[Block], body: list[str]) -> Outline:
    """Sections of the body and which of them are entries."""
    sections = _sections(blocks, body)
    info: dict[int, LineInfo] = {}
    for section in sections:
        _collect_refs(section, body, info)
    counts: dict[str, int] = {}
    for section in sections:
        counts[section.key] = counts.get(section.key, 0) + 1
    entry_of = _choose_entries(sections)
    entries = _extents(sections, entry_of, counts, len(body))
    entries = _one_note_to_the_end(sections, entries, len(body))
    skipped = _skipped(sections, entries)
    return Outline(sections, entries, skipped, info)


def _one_note_to_the_end(sections: list[Section], entries: dict[int, int], length: int) -> dict[int, int]:
    """A one-paper note in `#` parts (`# English Title` with its link and abstract, then `# 中文标题
    论文详细解读`): when no later section names a paper, the note's entry runs to the end of the file."""
    if len(entries) != 1:
        return entries
    index, end = next(iter(entries.items()))
    if sections[index].level != 1 or end >= length:
        return entries
    later = [section for section in sections if section.block.start >= end]
    if not any(section.level == 1 for section in later) or any(section.ids() for section in later):
        return entries
    if any(section.kind in ("structure", "digest") for section in later):
        return entries
    first_part = next(section for section in later if section.level == 1)
    if not has_cjk(first_part.block.text) or has_cjk(sections[index].block.text):
        return entries  # the Chinese part of a note headed by the English title, not another entry
    return {index: length}


def _sections(blocks: list[Block], body: list[str]) -> list[Section]:
    sections: list[Section] = []
    stack: list[int] = []
    folded = _folded_lines(blocks, body)
    for block in blocks:
        if block.kind == "heading" and block.start not in folded:
            while stack and sections[stack[-1]].level >= block.level:
                stack.pop()
            section = Section(len(sections), block, parent=stack[-1] if stack else None)
            section.key = clean_title(block.text)[0].lower()
            section.kind = _kind(block.text, section.key)
            if section.parent is not None:
                sections[section.parent].children.append(section.index)
            sections.append(section)
            stack.append(section.index)
        elif sections:
            sections[-1].blocks.append(block)
    return sections


_DETAILS_OPEN = re.compile(r"\s*<details\b", re.IGNORECASE)
_DETAILS_CLOSE = re.compile(r"</details\s*>", re.IGNORECASE)


def _folded_lines(blocks: list[Block], body: list[str]) -> set[int]:
    """Heading lines inside a `<details>` block (an AI summary written with its own `#` headings): part
    of the entry the block sits in, not sections of the file."""
    if "<details" not in "\n".join(body):
        return set()
    headings = {block.start for block in blocks if block.kind == "heading"}
    folded: set[int] = set()
    depth = 0
    for index, line in enumerate(body):
        if depth and index in headings:
            folded.add(index)
        if "<" in line and "details" in line:
            depth = max(depth + len(_DETAILS_OPEN.findall(line)) - len(_DETAILS_CLOSE.findall(line)), 0)
    return folded


def _collect_refs(section: Section, body: list[str], info: dict[int, LineInfo]) -> None:
    heading_line = section.block.start
    for ref in refs_in(section.block.text) or heading_ids(section.block.text):
        section.refs.append((heading_line, ref, True))
    in_table = False  # an HTML table: its rows are read as table rows (content/tables.py), not here
    for block in section.blocks:
        if block.kind in VERBATIM:
            continue
        if body[block.start].lstrip().startswith("|"):
            rows = field_rows(body[block.start : block.end])
            for index, line_info in enumerate(rows or (), start=block.start):
                info[index] = line_info
                section.refs.extend((index, ref, True) for ref in line_info.refs)
            if rows is not None:
                continue
        for index in range(block.start, block.end):
            line = body[index]
            if not line:
                continue
            if "<table" in line or in_table:
                in_table = "</table>" not in line
                continue
            if line.lstrip().startswith("|"):
                if index > block.start and not body[index - 1].lstrip().startswith("|"):
                    _read_field_table(section, body, info, index, block.end)  # `**综合评价**` then its table
                continue
            line_info = classify(line)
            info[index] = line_info
            for ref in line_info.refs:
                section.refs.append((index, ref, line_info.strong))


def _read_field_table(section: Section, body: list[str], info: dict[int, LineInfo], start: int, end: int) -> None:
    """A two-column table of fields that starts inside a paragraph, below its label line."""
    stop = start
    while stop < end and body[stop].lstrip().startswith("|"):
        stop += 1
    for index, line_info in enumerate(field_rows(body[start:stop]) or (), start=start):
        info[index] = line_info
        section.refs.extend((index, ref, True) for ref in line_info.refs)


def _subtree_ids(sections: list[Section], index: int, memo: dict[int, set[str]]) -> set[str]:
    if index not in memo:
        ids = set(sections[index].ids())
        for child in sections[index].children:
            ids |= _subtree_ids(sections, child, memo)
        memo[index] = ids
    return memo[index]


def _choose_entries(sections: list[Section]) -> dict[int, int]:
    """Section index of each section carrying a reference → index of the entry it belongs to."""
    entry_of: dict[int, int] = {}
    memo: dict[int, set[str]] = {}
    for section in sections:
        if section.kind == "structure":
            continue
        ids = section.ids()
        if not ids:
            continue
        target = section.index
        while True:
            current = sections[target]
            parent = current.parent
            needs_climb = current.kind in ("sub", "digest") or current.level > MAX_ENTRY_LEVEL
            if not needs_climb or parent is None:
                break
            above = sections[parent]
            if above.kind in ("structure", "digest") and current.level <= MAX_ENTRY_LEVEL:
                break
            if _subtree_ids(sections, parent, memo) != ids:
                break
            target = parent
        if sections[target].kind == "sub" and len(ids) < 2:  # a sub-heading of one entry names one paper
            target = _titled_sibling(sections, target, memo)
        if sections[target].level <= MAX_ENTRY_LEVEL:
            entry_of[section.index] = target
    return _repeats_joined(sections, entry_of)


def _repeats_joined(sections: list[Section], entry_of: dict[int, int]) -> dict[int, int]:
    """A section that names only the paper its parent's entry names already (`### 相关资源` under the
    paper's own sections) is part of that entry, not a second entry for the same paper."""
    named: dict[int, set[str]] = {}
    for index, target in entry_of.items():
        named.setdefault(target, set()).update(sections[index].ids())
    for index, target in list(entry_of.items()):
        parent = sections[target].parent
        if target == index and parent in named and parent != index and sections[index].ids() <= named[parent]:
            entry_of[index] = parent
    return entry_of


def _titled_sibling(sections: list[Section], index: int, memo: dict[int, set[str]]) -> int:
    """`# MemoRAG：…` and then `# 摘要` holding the link: the sub-heading continues the titled section
    just before it, when that section names no paper of its own."""
    current = sections[index]
    before = next((s for s in reversed(sections[:index]) if s.level <= current.level), None)
    if before is None or before.level != current.level or before.parent != current.parent or before.kind:
        return index
    return index if _subtree_ids(sections, before.index, memo) else before.index


def _attachable(section: Section, counts: dict[str, int]) -> bool:
    """A reference-less heading beside an entry that continues it: a sub-heading."""
    repeated = bool(section.key) and counts.get(section.key, 0) > 1 and section.kind == ""
    return not section.ids() and (section.kind == "sub" or repeated)


def _extents(sections: list[Section], entry_of: dict[int, int], counts: dict[str, int], size: int) -> dict[int, int]:
    entry_sections = sorted(set(entry_of.values()))
    entries: dict[int, int] = {}
    is_entry = set(entry_sections)
    for index in entry_sections:
        level = sections[index].level
        end = size
        for later in sections[index + 1 :]:
            if later.index in is_entry:
                end = later.block.start
                break
            if later.level > level or entry_of.get(later.index) == index:
                continue
            if later.level == level and _attachable(later, counts):
                continue
            if later.level < level and _misleveled(sections, later, is_entry, level, counts):
                continue
            end = later.block.start
            break
        entries[index] = end
    return entries


def _misleveled(
    sections: list[Section], heading: Section, is_entry: set[int], level: int, counts: dict[str, int]
) -> bool:
    """`# 论文总结` inside `## 3. Title`, over the `## 核心痛点` the other entries have: a heading of the
    write-up set one level too high. It names no paper, the next entry is at the entry's own level, and
    the headings up to it are the sub-headings entries repeat."""
    if heading.kind == "digest" or heading.ids():
        return False
    between = []
    for later in sections[heading.index + 1 :]:
        if later.index in is_entry:
            return later.level == level and any(_attachable(s, counts) for s in between)
        if later.ids() or later.level <= heading.level:
            return False
        between.append(later)
    return False


def _skipped(sections: list[Section], entries: dict[int, int]) -> list[int]:
    """Sections that stand among entries as siblings but carry no paper: news items, empty links."""
    covered = sorted((sections[i].block.start, end) for i, end in entries.items())
    starts = [start for start, _ in covered]
    sibling_slots = {(sections[i].parent, sections[i].level) for i in entries}
    skipped = []
    first_entry = min(entries, default=0)
    for section in sections:
        if section.index in entries or section.kind in ("structure", "digest"):
            continue
        if section.index == 0 < first_entry:  # the file's first heading, above every entry: its title
            continue
        position = bisect.bisect_right(starts, section.block.start) - 1
        if position >= 0 and section.block.start < covered[position][1]:
            continue
        if (section.parent, section.level) not in sibling_slots or section.level > MAX_ENTRY_LEVEL:
            continue
        if section.kind == "sub" or not (section.blocks or section.children):
            continue
        skipped.append(section.index)
    return skipped

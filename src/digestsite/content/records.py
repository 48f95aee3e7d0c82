"""Papers listed without headings of their own: the items of a list, or paragraphs led by a title.

`1. **Title**` with indented `- 链接：…` and `- 摘要：…` lines, or `论文：Title`, `论文链接：…`, `论文介绍：…`
paragraphs, all under one heading (or under none): each record is read like an entry whose heading
is its first line. A stretch is split only when no record names two papers, at least two name one,
and nothing before the first record names any, so an entry that merely cites other papers stays one
entry. A record that names no paper (a talk with only a code link) is an entry that is not a paper.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from digestsite.content.blocks import Block, scan_blocks
from digestsite.content.fields import bare_label, parse_fields
from digestsite.content.lines import classify, trailing_citation
from digestsite.content.references import LINK, links

_ITEM = re.compile(r"(?:[-*+]|\d{1,3}[.)])[ \t]+")
_BRACKET_NUMBER = re.compile(r"\[\d{1,3}\][ \t]+(?=\S)")  # `[1] Title`, at the margin
_NUMBERED = re.compile(r"\d{1,3}[.．、][ \t]*(?=\S)")
_NUMBERED_TITLE = 60  # characters of a numbered title line (`1.首次！AI 生成论文通过同行评审`)
# `**ClawBench：…** — HF 热度 244，…`: a bold name, a dash or colon, then what the item says about it.
_BOLD_LEAD = re.compile(
    r"\*\*([^*\n]+)\*\*\s*(?P<note>[（(][^（）()\n]{1,40}[）)]\s*)?(?:[—–]{1,2}|-{1,2}|[:：])\s*(?P<lead>\S.*)"
)  # `**Title**（arXiv:2608.02556）：说明`: the note in brackets goes with the title
_DASH_LEAD = re.compile(r"(?P<head>[^—\n]+?)\s*——\s*(?P<lead>\S.*)")
# `（Xu et al.）`, `（Fazliani & Udell）`: the authors after a title, in Latin letters.
_AUTHORS_TAIL = re.compile(
    r"\s*[（(][A-Z][^（）()\u4e00-\u9fff]{0,60}?(?:et al\.?|&| and |,)[^（）()\u4e00-\u9fff]{0,40}[)）]\s*$"
)
_ID = re.compile(r"\d{4}\.\d{4,5}")
_LEAD_MIN = 20  # characters: a shorter tail is part of the title line (`**Title** — 8/10`)
_BOLD_LINE = re.compile(r"\*\*([^*\n]+)\*\*\s*")
_FENCE = ("```", "~~~")
_BADGE_TITLE = re.compile(r"[\U0001f300-\U0001faff\u2600-\u27bf]\ufe0f?[ \t]*([^\s|].{3,200})")
_SENTENCE_ENDS = ("。", "！", "？", "；", "：", ":")
_TITLE_FIELDS = ("title", "title_en", "title_zh")


Search = Callable[[Sequence[str], int, int], list[tuple[int, str]]]


@dataclass(frozen=True, slots=True)
class Record:
    """One listed paper: its first line (read as a heading, marker or label removed), its other lines."""

    start: int  # body line of the first line
    end: int  # body line after the last line
    heading: str
    lead: str = ""  # what the first line says after the title: the start of the summary


def split_records(
    body: Sequence[str],
    start: int,
    end: int,
    heading: Block | None = None,
    titled_only: bool = False,
    items_only: bool = False,
) -> list[Record] | None:
    """The records of body lines `start`…`end`, or None when they are not a list of papers.

    With the `heading` these lines follow, the text before the first record may be a record of its
    own, headed by it (`# 1. Title` and its paper, then `**2. Title**` and the next).
    """
    ids = _strong_ids(body, start, end)
    least = 1 if titled_only or items_only else 2
    named = len(set().union(*ids.values()) if ids else ())
    linked: list[int] = []
    if named == 1 and least == 2:  # news items with a `原文链接：` each, one of them to a paper
        linked = _link_fields(body, start, end)
        least = 1 if len(linked) >= _LINKED_ITEMS else 2
    if named < least:
        return None
    best: list[Record] | None = None
    best_share = 0.0
    if items_only:  # one paper in a file whose other sections list theirs as items
        searches: tuple[Search, ...] = (_headed_item_starts, _bold_item_starts)
    elif titled_only:
        searches = (_bracketed_starts, _titled_starts, _headed_item_starts, _bold_item_starts, _lead_line_starts)
        searches += (_numbered_starts,)
    else:
        searches = (_bracketed_starts, _item_starts, _titled_starts, _lead_line_starts, _numbered_starts)
    for search in searches:
        starts = search(body, start, end)
        if not starts:
            continue
        before = set().union(*(found for line, found in ids.items() if line < starts[0][0]))
        if len(before) == 1 and heading is not None:
            starts = [(heading.start, heading.text), *starts]
        elif before:
            continue
        records = _records(body, starts, end, ids, least)
        if records is None or (linked and not _each_linked(records, linked)):
            continue
        # The way of splitting whose records most often name a paper: `📄 Title` lines over the
        # field bullets under each of them.
        share = len(ids) / len(records)
        if share > best_share:
            best, best_share = records, share
        if share >= 1:
            break
    return best


_LINKED_ITEMS = 3  # items of one shape, each with a link field, that make a list even with one paper


def _link_fields(body: Sequence[str], start: int, end: int) -> list[int]:
    """Lines that are a link field (`原文链接：https://…`), whatever the link leads to."""
    found = []
    for index in range(start, end):
        if "://" in body[index] and (fields := parse_fields(body[index])) and fields[0].kind == "paper":
            found.append(index)
    return found


def _each_linked(records: list[Record], linked: list[int]) -> bool:
    """Whether the records are items of one shape: all but one of them, three at least, hold a link field."""
    holding = sum(1 for record in records if any(record.start <= line < record.end for line in linked))
    return holding >= max(_LINKED_ITEMS, len(records) - 1)


class RecordLines(Sequence[str]):
    """The body as one record's reader sees it: the record's lines without their common indentation."""

    def __init__(self, body: Sequence[str], record: Record) -> None:
        self.body = body
        self.record = record
        rest = [body[i] for i in range(record.start + 1, record.end) if body[i].strip()]
        self.indent = min((len(line) - len(line.lstrip(" ")) for line in rest), default=0)

    def __len__(self) -> int:
        return len(self.body)

    def __getitem__(self, index):  # type: ignore[no-untyped-def,override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        line = self.body[index]
        if self.record.start < index < self.record.end:
            return line[self.indent :] if line[: self.indent].strip() == "" else line.lstrip(" ")
        return line

    def blocks(self) -> list[Block]:
        """The record's blocks after its first line, at their body lines."""
        first = self.record.start + 1
        lines = [self[i] for i in range(first, self.record.end)]
        shifted = []
        for block in scan_blocks("\n".join(lines) + "\n"):
            shifted.append(Block(block.kind, block.start + first, block.end + first, block.level, block.text))
        return shifted


def _strong_ids(body: Sequence[str], start: int, end: int) -> dict[int, set[str]]:
    """Line → the papers it names as a field, link line or row (not inside a sentence)."""
    found: dict[int, set[str]] = {}
    fenced = False
    for index in range(start, end):
        line = body[index]
        if line.lstrip().startswith(_FENCE):
            fenced = not fenced
        if fenced or ("://" not in line and "arxiv" not in line.lower() and "[" not in line):
            continue
        info = classify(line)
        papers = {ref.arxiv_id for ref in info.refs if ref.arxiv_id} if info.strong else set()
        if papers:
            found[index] = papers
    return found


def _item_starts(body: Sequence[str], start: int, end: int) -> list[tuple[int, str]]:
    starts = []
    for index in range(start, end):
        match = _ITEM.match(body[index])
        if match:
            starts.append((index, body[index][match.end() :].strip()))
    return starts


def _uncited(lead: str) -> str:
    """What an item's first line says after its title, without the link citing the item's paper."""
    cited = trailing_citation(lead, links(lead))
    return lead[: cited.start].rstrip() if cited is not None else lead


def _headed_item_starts(body: Sequence[str], start: int, end: int) -> list[tuple[int, str]]:
    """Items at the margin that give a title, not a field, with the item's fields indented below it
    (`- English Title` over `  - 原文链接：…`)."""
    starts = []
    for index in range(start, end - 1):
        line = body[index]
        match = _ITEM.match(line)
        if match is None or not body[index + 1][:1].isspace() or not body[index + 1].strip():
            continue
        text = line[match.end() :].strip()
        if text and "://" not in text and parse_fields(text) is None and bare_label(text) is None:
            starts.append((index, text))
    return starts


def _lead_line_starts(body: Sequence[str], start: int, end: int) -> list[tuple[int, str]]:
    """Lines at the margin that head a list of fields right below them (`[读后感：《Title》](blog)` over
    `- **论文地址**：…`): the line names the paper, the list gives its fields."""
    starts = []
    for index in range(start, end - 1):
        line = body[index]
        if not line.strip() or line[0] in " \t#>|" or _ITEM.match(line) or _ITEM.match(body[index + 1]) is None:
            continue
        if parse_fields(line) is None and bare_label(line) is None and not line.rstrip().endswith(_SENTENCE_ENDS):
            starts.append((index, line.strip()))
    return starts


def _bold_item_starts(body: Sequence[str], start: int, end: int) -> list[tuple[int, str]]:
    """Items at the margin that open with a bold name, not a label (`- **Name：标题** — 说明 [论文](…)`)."""
    starts = []
    for index in range(start, end):
        line = body[index]
        match = _ITEM.match(line)
        if match is None or not line.startswith("**", match.end()):
            continue
        text = line[match.end() :].strip()
        bold = _BOLD_LINE.match(text)
        if bold and _bold_title(bold.group(1)) and not text[bold.end() :].startswith((":", "：")):
            starts.append((index, text))  # not `- **核心创新**：…`, a label over its text
    return starts


def _bracketed_starts(body: Sequence[str], start: int, end: int) -> list[tuple[int, str]]:
    """Lines at the margin that start with a bracketed number: `[1] Title`."""
    starts = []
    for index in range(start, end):
        match = _BRACKET_NUMBER.match(body[index])
        if match is not None and "://" not in body[index]:
            starts.append((index, body[index][match.end() :].strip()))
    return starts


def _numbered_starts(body: Sequence[str], start: int, end: int) -> list[tuple[int, str]]:
    """Lines at the margin that are a number and a short title, alone between blank lines
    (`1.首次！AI 生成论文通过同行评审`, as pasted from an article)."""
    starts = []
    for index in range(start, end):
        line = body[index]
        match = _NUMBERED.match(line)
        if (
            match is None
            or (index > start and body[index - 1].strip())
            or (index + 1 < end and body[index + 1].strip())
        ):
            continue
        title = line[match.end() :].strip()
        if 0 < len(title) <= _NUMBERED_TITLE and not title.endswith(("。", ".", "：", ":")) and "://" not in title:
            starts.append((index, title))
    return starts


def _titled_starts(body: Sequence[str], start: int, end: int) -> list[tuple[int, str]]:
    """Lines at the margin that give a title: `**Title**` alone, or `论文：Title` / `标题: Title`."""
    starts = []
    for index in range(start, end):
        line = body[index]
        if not line or line[0] in " \t":
            continue
        bold = _BOLD_LINE.fullmatch(line)
        if bold and _bold_title(bold.group(1)):
            starts.append((index, bold.group(1).strip()))
            continue
        fields = parse_fields(line)
        if fields and len(fields) == 1 and _names_a_title(fields[0].kind, fields[0].value):
            starts.append((index, fields[0].value))
            continue
        badge = _BADGE_TITLE.fullmatch(line)
        if badge and fields is None and not badge.group(1).rstrip().endswith(_SENTENCE_ENDS):
            starts.append((index, badge.group(1).strip()))  # `📄 English Title`, fields below it
    return starts


def _bold_title(text: str) -> bool:
    """`**Title**` or `**1. [Title: Subtitle](url)**` alone on a line, not a label (`**摘要:**`)."""
    if "](" in text:  # a linked title: its colons are the title's and the URL's
        return not LINK.sub(r"\g<text>", text).rstrip().endswith((":", "："))
    return ":" not in text and "：" not in text[-1:]


def _names_a_title(kind: str, value: str) -> bool:
    return bool(value) and (kind in _TITLE_FIELDS or (kind == "paper" and "://" not in value and " " in value))


def _records(
    body: Sequence[str], starts: list[tuple[int, str]], end: int, ids: dict[int, set[str]], least: int = 2
) -> list[Record] | None:
    if len(starts) < least:
        return None
    records, papers = [], 0
    for number, (line, heading) in enumerate(starts):
        stop = starts[number + 1][0] if number + 1 < len(starts) else end
        named = set().union(*(found for at, found in ids.items() if line <= at < stop))
        if len(named) > 1:
            return None
        papers += len(named)
        lead = _BOLD_LEAD.fullmatch(heading)
        dashed = _DASH_LEAD.fullmatch(heading)
        said = _uncited(lead.group("lead")) if lead else ""
        least_lead = 1 if lead and _ID.search(lead.group("note") or "") else _LEAD_MIN  # `**Title**（arXiv:…）：说明`
        if lead and len(said) >= least_lead and "](" not in said and "://" not in said:
            records.append(Record(line, stop, f"**{lead.group(1).strip()}**", said))
        elif dashed and len(dashed.group("lead")) >= _LEAD_MIN and "://" not in heading:
            head = _AUTHORS_TAIL.sub("", dashed.group("head"))  # `Title（Xu et al.）——说明`
            records.append(Record(line, stop, head, dashed.group("lead")))
        else:
            records.append(Record(line, stop, heading))
    return records if papers >= least else None

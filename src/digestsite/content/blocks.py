"""A digest body as top-level markdown blocks with their line ranges.

The blocks that matter for finding entries are ATX headings, fenced code (whose `#` lines are not
headings), thematic breaks and paragraphs (runs of non-blank lines); a paragraph's kind comes from its
first line (`>` quote, `-` or `1.` list). This is CommonMark's block structure restricted to those four
rules, as markdown-it computes it with the others switched off (`tests/test_parse.py` checks the two
agree), read line by line because digests are long and markdown-it's general machinery was most of the
parse time. Lines are 0-based indexes into the body; `end` is exclusive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Block kinds whose lines are never read as fields, links or titles.
VERBATIM = frozenset({"fence", "code_block", "html_block"})

_ATX = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*")
_FENCE = re.compile(r"( {0,3})(`{3,}|~{3,})(.*)")
_HR = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*")
_LIST_ITEM = re.compile(r" {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_STARTS = frozenset("#`~-*_")  # first non-space characters of a heading, fence or break


@dataclass(slots=True)
class Block:
    """One top-level block: `kind` is heading, paragraph, blockquote, bullet_list, ordered_list, fence
    or hr; headings carry level and text."""

    kind: str
    start: int
    end: int
    level: int = 0
    text: str = ""
    atx: bool = True


def scan_blocks(source: str) -> list[Block]:
    """The top-level blocks of `source`, in order."""
    lines = source.split("\n")
    open_end = not source.endswith("\n")
    if not open_end:  # a final line break ends the last line; it does not start another
        lines.pop()
    blocks: list[Block] = []
    index, count = 0, len(lines)
    paragraph = -1  # first line of the open paragraph
    while index < count:
        line = lines[index]
        stripped = line.lstrip(" ")
        if not stripped.strip(" \t"):
            if paragraph >= 0:
                blocks.append(Block(_paragraph_kind(lines[paragraph]), paragraph, index))
                paragraph = -1
            index += 1
            continue
        special = stripped[0] in _STARTS and len(line) - len(stripped) < 4
        if special:
            block = _special(lines, index, stripped, open_end)
            if block is not None:
                if paragraph >= 0:
                    blocks.append(Block(_paragraph_kind(lines[paragraph]), paragraph, index))
                    paragraph = -1
                blocks.append(block)
                index = block.end
                continue
        if paragraph < 0:
            paragraph = index
        index += 1
    if paragraph >= 0:
        blocks.append(Block(_paragraph_kind(lines[paragraph]), paragraph, count))
    return blocks


def _special(lines: list[str], index: int, stripped: str, open_end: bool) -> Block | None:
    """A heading, fence or thematic break starting at `index`, or None."""
    line = lines[index]
    first = stripped[0]
    if first == "#":
        match = _ATX.fullmatch(line)
        if match:
            text = (match.group(2) or "").strip()
            if text and set(text) == {"#"}:  # `## ##`: the closing sequence alone
                text = ""
            return Block("heading", index, index + 1, len(match.group(1)), text)
        return None
    if first in "`~":
        match = _FENCE.fullmatch(line)
        if match and not (first == "`" and "`" in match.group(3)):
            return Block("fence", index, _fence_end(lines, index, match.group(2), open_end))
        return None
    if _HR.fullmatch(line):
        return Block("hr", index, index + 1)
    return None


def _fence_end(lines: list[str], index: int, marker: str, open_end: bool) -> int:
    """The line after the closing fence. `open_end`: the source does not end with a line break, and
    then (as markdown-it does) a last line of spaces ends the fence before it."""
    last = len(lines) - 1
    for later in range(index + 1, len(lines)):
        if open_end and later == last and not lines[later].strip(" \t") and lines[later]:
            return later
        stripped = lines[later].lstrip(" ")
        if len(lines[later]) - len(stripped) < 4 and stripped.startswith(marker):
            rest = stripped.rstrip(" \t")
            if len(rest) >= len(marker) and set(rest) == {marker[0]}:
                return later + 1
    return len(lines)  # never closed: runs to the end of the document


def _paragraph_kind(first: str) -> str:
    stripped = first.lstrip(" ")
    if stripped.startswith(">") and len(first) - len(stripped) < 4:
        return "blockquote"
    if _LIST_ITEM.match(first):
        return "bullet_list" if stripped[:1] in "-*+" else "ordered_list"
    return "paragraph"

"""A digest body as top-level markdown blocks with their line ranges.

markdown-it's block pass (inline parsing off, raw HTML off as in the summaries) decides where headings,
paragraphs, lists, quotes and code fences begin and end, so a `#` inside a code fence or a list item is
never taken for a heading. Lines are 0-based indexes into the body; `end` is exclusive.
"""

from __future__ import annotations

from dataclasses import dataclass

from markdown_it import MarkdownIt

_BLOCKS = MarkdownIt("commonmark", {"html": False}).disable("inline")

# Block kinds whose lines are never read as fields, links or titles.
VERBATIM = frozenset({"fence", "code_block", "html_block"})


@dataclass(slots=True)
class Block:
    """One top-level block: `kind` is markdown-it's token type without `_open` (heading, paragraph,
    bullet_list, ordered_list, blockquote, fence, code_block, hr); headings carry level and text."""

    kind: str
    start: int
    end: int
    level: int = 0
    text: str = ""
    atx: bool = True


def scan_blocks(source: str) -> list[Block]:
    """The top-level blocks of `source`, in order."""
    tokens = _BLOCKS.parse(source)
    blocks: list[Block] = []
    for index, token in enumerate(tokens):
        if token.level != 0 or token.nesting == -1 or token.map is None:
            continue
        start, end = token.map
        if token.type == "heading_open":
            text = tokens[index + 1].content.strip()
            blocks.append(Block("heading", start, end, int(token.tag[1]), text, token.markup.startswith("#")))
        else:
            blocks.append(Block(token.type.removesuffix("_open"), start, end))
    return blocks

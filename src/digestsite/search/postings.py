"""Postings: which papers hold each token, written as compact text and filed in chunks by token.

Papers are numbered oldest first, so a new batch only adds numbers and an edit keeps them. A list of
paper numbers is written as its gaps, five bits to a character with a sixth saying "more follows",
or as a bitmap of six papers to a character after `~`, whichever is shorter (a token in most papers
costs a bit per paper). A chunk maps each of its tokens to its list, or to [list, head list] when
some papers hold the token in a title or among the authors.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence

DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
BITMAP = "~"
_VALUE = {char: value for value, char in enumerate(DIGITS)}
_TO_DIGITS = DIGITS.encode() + bytes(256 - len(DIGITS))

Entry = str | list[str]  # a token's papers, or [its papers, the papers with it in a title or author]


def encode_docs(docs: Sequence[int]) -> str:
    """Ascending paper numbers as text, as gaps or as a bitmap, whichever is shorter."""
    bitmap_length = docs[-1] // 6 + 2
    if len(docs) < bitmap_length:
        out = []
        previous = -1
        for doc in docs:
            gap = doc - previous - 1
            previous = doc
            while gap >= 32:
                out.append(DIGITS[32 | gap & 31])
                gap >>= 5
            out.append(DIGITS[gap])
        if len(out) <= bitmap_length:
            return "".join(out)
    bits = bytearray(bitmap_length - 1)
    for doc in docs:
        bits[doc // 6] |= 1 << doc % 6
    return BITMAP + bits.translate(_TO_DIGITS).decode()


def decode_docs(text: str) -> list[int]:
    if text.startswith(BITMAP):
        return [6 * i + bit for i, char in enumerate(text[1:]) for bit in range(6) if _VALUE[char] >> bit & 1]
    docs = []
    doc = -1
    gap = shift = 0
    for char in text:
        value = _VALUE[char]
        gap |= (value & 31) << shift
        if value & 32:
            shift += 5
        else:
            doc += gap + 1
            docs.append(doc)
            gap = shift = 0
    return docs


def entry(docs: Sequence[int], head: Sequence[int]) -> Entry:
    return [encode_docs(docs), encode_docs(head)] if head else encode_docs(docs)


def entry_docs(value: Entry) -> tuple[list[int], list[int]]:
    """(papers, head papers) of a chunk entry."""
    if isinstance(value, str):
        return decode_docs(value), []
    return decode_docs(value[0]), decode_docs(value[1])


def chunk_json(entries: Mapping[str, Entry]) -> str:
    """A chunk's entries as JSON with sorted keys: the same postings always give the same bytes."""
    return json.dumps(entries, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def patched(entries: dict[str, Entry], changes: Mapping[str, Iterable[tuple[int, bool, bool]]]) -> dict[str, Entry]:
    """`entries` with each token's papers changed: (paper, holds the token, holds it in its head)."""
    for token, edits in changes.items():
        docs, head = entry_docs(entries[token]) if token in entries else ([], [])
        all_set, head_set = set(docs), set(head)
        for doc, holds, in_head in edits:
            (all_set.add if holds else all_set.discard)(doc)
            (head_set.add if in_head else head_set.discard)(doc)
        if all_set:
            entries[token] = entry(sorted(all_set), sorted(head_set))
        else:
            entries.pop(token, None)
    return entries

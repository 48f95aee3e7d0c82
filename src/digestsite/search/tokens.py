"""Tokens: how the index cuts text, the same way static/search.js cuts a query.

Text is normalised (full-width letters and digits folded, lower case), then read as runs of CJK
characters and words of letters and digits. A CJK run gives its characters, its bigrams and its
trigrams ("多模态": 多 模 态, 多模 模态, 多模态); a word gives itself, and a word after another word (with
no CJK run between) gives the pair too ("Transformer-Mamba": transformer, mamba, "transformer mamba").
A query looks up its own n-grams of the same kinds, so no word segmenter stands between what a reader
types and what the index holds: a query of up to three CJK characters, or up to two words, matches
exactly the papers whose text contains it; longer ones are checked against the text of the results.
"""

from __future__ import annotations

import re
from operator import add

# Han (with extensions and compatibility forms), kana, hangul and bopomofo: scripts written without spaces.
# static/search.js reads this class from the index's meta file, so both sides cut text alike.
CJK = (
    "\u2e80-\u2fdf\u3005\u3007\u3021-\u3029\u3038-\u303b\u3040-\u30ff\u3100-\u312f\u3131-\u318e\u31a0-\u31bf"
    "\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
)
_PIECES = re.compile(f"([{CJK}]+)|([^\\W_{CJK}]+)")
_IS_CJK = re.compile(f"[{CJK}]")
_FULL_WIDTH = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")  # ０-９ Ａ-Ｚ ａ-ｚ
ID_PREFIX = "#"  # an arXiv ID's token: its digits are also words, but only this names the paper
PREFIX_LETTERS = 3  # words are filed by their first three letters, so a word's prefix finds it


def normalise(text: str) -> str:
    """What the index and the query compare: full-width letters and digits as ASCII, lower case."""
    return _FULL_WIDTH.sub(lambda m: chr(ord(m.group()) - 0xFEE0), text).lower()


def add_tokens(text: str, tokens: set[str]) -> set[str]:
    """Add the tokens of `text` to `tokens` (and return it)."""
    previous = ""
    for run, word in _PIECES.findall(normalise(text)):
        if run:
            tokens.update(run)
            bigrams = list(map(add, run, run[1:]))
            tokens.update(bigrams)
            tokens.update(map(add, bigrams, run[2:]))
            previous = ""
        else:
            tokens.add(word)
            if previous:
                tokens.add(f"{previous} {word}")
            previous = word
    return tokens


def id_token(arxiv_id: str) -> str:
    return ID_PREFIX + arxiv_id.lower()


def bucket(token: str) -> str:
    """What decides a token's chunk: a CJK n-gram or an ID itself, a word its first letters, a pair its
    first word and its second word's first letters (a query's last word may be a prefix)."""
    if token[0] == ID_PREFIX or _IS_CJK.match(token):
        return token
    first, _, second = token.partition(" ")
    return f"{first} {second[:PREFIX_LETTERS]}" if second else first[:PREFIX_LETTERS]


def chunk_of(token: str, chunks: int) -> int:
    """The chunk file holding `token`: FNV-1a over the bucket's code points (search.js computes the same)."""
    value = 0x811C9DC5
    for char in bucket(token):
        value = ((value ^ ord(char)) * 0x01000193) & 0xFFFFFFFF
    return value % chunks

"""Titles: told apart by script, cleaned of the decorations digests put around them.

A heading may carry `1. `, `0.`, `[1] ` or `1.2 `, a leading category code (`cs.AI - `), emoji badges,
star ratings, bold markers, an arXiv category `(cs.AI)`, a score `(评分: 7.5)` or `(8/10)`, or a vote
count `· 快照82票` around the title proper; arXiv line-wrapping leaves double spaces. What is left is
English when it has no CJK character, Chinese when it has; `English / 中文` holds both.
"""

from __future__ import annotations

import functools
import re

from digestsite.content.references import EDGE_ID

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_CJK_ANY = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
_EMOJI = (
    "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\ufe0f\u200d\u20e3\u3030\u303d\u3297\u3299"
    "\U000e0000-\U000e007f"
)
_BADGE = re.compile(rf"[{_EMOJI}]+(?:[\u4e00-\u9fff]{{1,4}}|[A-Za-z]{{1,8}})?(?=\s|$|[{_EMOJI}])")
_EMOJI_RUN = re.compile(rf"[{_EMOJI}]+")
_STARS = re.compile(r"[★☆✰⭐]+(?:\s*\d+(?:\.\d+)?(?:\s*/\s*\d+)?)?")
_NUMBERING = re.compile(
    r"^(?:\d{1,3}(?:[.)]|(?:\.\d{1,3})+[.)]?)\s+(?=\D)|\d{1,3}\s*[|｜]\s*|\d{1,3}[.)](?=[A-Z\u4e00-\u9fff])|\[\d{1,3}\]\s*|\d{1,3}\s*[、）:：]\s*|[(（]\d{1,3}[)）]\s*|\d{2}\s+|"
    r"[一二三四五六七八九十]{1,3}\s*[、.．]\s*|#\d{1,3}\s+|No\.\s*\d{1,3}\s*[:.]?\s*)"
)
_CATEGORY = r"[a-z][a-z-]*\.[A-Za-z][A-Za-z-]*"
_CATEGORY_PREFIX = re.compile(rf"^{_CATEGORY}\s+[-–—:：|]\s+")
_CATEGORY_SUFFIX = re.compile(rf"\s*[(（\[]\s*{_CATEGORY}(?:\s*[,，/;]\s*{_CATEGORY})*\s*[)）\]]\s*$")
_BRACKET_TAG = re.compile(r"^(?:【[^】]{1,12}】|\[[^\]]*[\u4e00-\u9fff][^\]]{0,10}\])\s*[|｜:：]?\s*(?=\S)")
_ORDINAL_PREFIX = re.compile(r"^(?:论文|論文|paper)\s*[\d一二三四五六七八九十]{1,3}\s*[:：.、]\s*", re.IGNORECASE)
_TRANSLATION = re.compile(r"(.+?)\s*[（(]([^()（）]{4,})[)）]")
# `LLM 论文分析：TRUST: A Framework …`: a Chinese label naming the post, then the English title.
_POST_LABEL = re.compile(
    r"^[^:：\n]{0,12}(?:论文|論文|解读|解讀|分析|笔记|筆記|速读|精读|导读|阅读)[^:：\n]{0,6}[:：]\s*(?=[A-Za-z])"
)
# `知识卡片：中文标题`, `论文笔记：中文标题`: a label naming the kind of note, before a Chinese title.
_NOTE_LABEL = re.compile(r"^[\u4e00-\u9fff]{0,4}(?:卡片|笔记|筆記|解读|解讀|速读|精读|导读)[:：]\s*(?=[\u4e00-\u9fff])")
_BOOK_TITLE = re.compile(r"《([^《》]+)》")
_SOURCE_PREFIX = re.compile(r"^(?:hf|hugging\s?face|arxiv)(?:\s+daily)?\s+papers?\s*[:：]\s*", re.IGNORECASE)
_BARE_SCORE_SUFFIX = re.compile(r"\s+\d{1,2}(?:\.\d)?\s*/\s*10$")
_SCORE_SUFFIX = re.compile(
    r"\s*[(（]\s*(?:(?:评分|總分|总分|得分|分数|score|rating|热度|熱度)\s*[:：]?\s*[\d.]+(?:\s*/\s*\d+)?\s*(?:分)?|"
    r"\d{1,3}(?:\.\d)?\s*/\s*(?:5|10|100))\s*[)）]\s*$",
    re.IGNORECASE,
)
_VOTES_SUFFIX = re.compile(
    r"\s*(?:[·•|｜]\s*)?[^\s·•|｜\d]{0,6}?(?P<n>\d+)\s*(?:票|votes?|upvotes?|赞|讚|👍)\s*$", re.IGNORECASE
)
_VOTE_MARKS = ("票", "vote", "赞", "讚", "👍")
_NUMBER_STARTS = frozenset("(（[一二三四五六七八九十#N")
_DECORATED = re.compile(rf"[★☆✰⭐{_EMOJI}]")
_VOTES_PREFIX = re.compile(r"^\s*(?:▲|👍)\s*(?P<n>\d+)\s*[·•|]?\s*")
_WIKILINK = re.compile(r"\[\[(?:[^\]|\n]*\|)?([^\]\n]+)\]\]")
_LINK = re.compile(r"(?<!!)\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\([^)\n]*\)")
_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)|!\[\[[^\]\n]*\]\]")
_URL = re.compile(r"\(?\s*<?https?://[^\s)>]+>?\s*\)?")
_EMPHASIS = re.compile(r"(?<![\w*_])([*_]{1,3})(?=\S)(.+?)(?<=\S)\1(?![\w*_])")
_SPACES = re.compile(r"\s+")
_LETTER = re.compile(r"[^\W\d_]")


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


def is_latin(text: str) -> bool:
    """English-looking: Latin letters and no CJK character."""
    return _CJK.search(text) is None and _LATIN.search(text) is not None


def looks_english(text: str) -> bool:
    """Latin letters and nothing Chinese or Japanese at all, not even full-width punctuation: a summary
    in English."""
    return _CJK_ANY.search(text) is None and _LATIN.search(text) is not None


def cjk_share(text: str) -> float:
    """The share of CJK characters among the letters of `text` (0 without letters)."""
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    return cjk / (cjk + latin / 4) if cjk or latin else 0.0


def plain(text: str) -> str:
    """Inline markdown as plain text: link and wikilink texts kept; images, emphasis and URLs dropped;
    whitespace collapsed. Raw HTML stays, as text."""
    if "[" in text:
        text = _IMAGE.sub(" ", text) if "![" in text else text
        text = _WIKILINK.sub(r"\1", text) if "[[" in text else text
        text = _LINK.sub(r"\1", text) if "](" in text else text
    text = _URL.sub(" ", text) if "://" in text else text
    text = text.replace("`", "")
    if "*" in text or "_" in text:
        for _ in range(3):
            text, changed = _EMPHASIS.subn(r"\2", text)
            if not changed:
                break
        text = text.replace("**", "")
    return _SPACES.sub(" ", text).strip()


_EMPTY_ANCHOR = re.compile(r"""<a\s+(?:id|name)\s*=\s*["'][^"'<>]*["']\s*>\s*</a>""", re.IGNORECASE)


@functools.lru_cache(maxsize=2048)
def clean_title(text: str) -> tuple[str, int | None]:
    """A heading or field value as a bare title, and the vote count it carried (None without)."""
    votes = None
    text = plain(text)
    if "</a>" in text:
        text = _EMPTY_ANCHOR.sub("", text).strip()  # `### <a id='item-0'></a>1. Title`: a jump target
    if text[:1] in ("▲", "👍"):
        match = _VOTES_PREFIX.match(text)
        if match:
            votes, text = int(match.group("n")), text[match.end() :]
    tail = text[-12:].lower()
    if any(mark in tail for mark in _VOTE_MARKS):
        match = _VOTES_SUFFIX.search(text, max(0, len(text) - 16))
        if match:
            votes, text = int(match.group("n")), text[: match.start()]
    if _DECORATED.search(text):
        text = _STARS.sub(" ", text)
        text = _BADGE.sub(" ", text)
        text = _EMOJI_RUN.sub(" ", text)
        text = _SPACES.sub(" ", text).strip()
    if text[:1] in "【[":
        text = _BRACKET_TAG.sub("", text, count=1)  # `【论文速读】| Title`, `[论文解读] Title`
    if text[:1] == "*" and text.count("*") == 1:  # a must-read marker, not emphasis
        text = text[1:].lstrip()
    if (text[:1].isdigit() or text[:1] in "[Aa论論Ii" or text[-1:] in "])）") and EDGE_ID.search(text):
        text = EDGE_ID.sub("", text)  # `2601.22607 - EigenData`
    if text[:1] in "HhAa" and (":" in text[:20] or "：" in text[:20]):
        text = _SOURCE_PREFIX.sub("", text, count=1)  # `HF daily paper: Title`
    if _CJK.search(text[:20]):
        text = _without_post_label(text)
    if text[:1] == "《" and text[-1:] == "》" and text.count("《") == 1:
        text = text[1:-1].strip()  # `《CBAM: Convolutional Block Attention Module》`
    if text[-3:] == "/10":
        text = _BARE_SCORE_SUFFIX.sub("", text)  # `Title 7.5/10`
    for _ in range(2):
        if text[:1].isdigit() or text[:1] in _NUMBER_STARTS:
            text = _NUMBERING.sub("", text, count=1).strip()
        if text[:1] in "论論Pp":
            text = _ORDINAL_PREFIX.sub("", text, count=1)  # `论文五：Title`
        if text[:1].islower():
            text = _CATEGORY_PREFIX.sub("", text, count=1)
        if text[-1:] in ")）]":
            text = _SCORE_SUFFIX.sub("", text)
            text = _CATEGORY_SUFFIX.sub("", text)
    text = text.lstrip(" -–—|·•:：").rstrip(" -–—|·•,，")
    if text.startswith("[") and text.endswith("]") and text.count("[") == 1:
        text = text[1:-1].strip()
    if not _LETTER.search(text):  # `109`, `---`: a number or a rule, not a title
        return "", votes
    return _SPACES.sub(" ", text), votes


def _without_post_label(text: str) -> str:
    """`LLM 论文分析：English Title` and `知识卡片：中文标题` without the label naming the kind of post."""
    label = _POST_LABEL.match(text)
    if label and is_latin(text[label.end() :]):
        return text[label.end() :]
    label = _NOTE_LABEL.match(text)
    return text[label.end() :] if label else text


def book_title(text: str) -> str:
    """The English title a Chinese text quotes in book-title marks (`论文阅读：《Sequence can Secretly Tell
    You What to Discard》，…`), or ''."""
    if "《" not in text:
        return ""
    quoted = [match.group(1).strip() for match in _BOOK_TITLE.finditer(text)]
    latin = [title for title in quoted if is_latin(title) and len(title.split()) >= 3]
    return latin[0] if len(latin) == 1 else ""


def split_titles(text: str) -> tuple[str, str]:
    """(English, Chinese) parts of a cleaned title: `English / 中文` split on the last ` / ` before the
    CJK text (or the reverse order); otherwise the whole text goes to the side its script says."""
    if " / " in text:
        parts = text.split(" / ")
        for cut in range(len(parts) - 1, 0, -1):
            left, right = " / ".join(parts[:cut]).strip(), " / ".join(parts[cut:]).strip()
            if not has_cjk(left) and has_cjk(right) and _LATIN.search(left):
                return left, right
            if has_cjk(left) and is_latin(right):
                return right, left
    translated = _TRANSLATION.fullmatch(text)
    if translated and is_latin(translated.group(1)) and has_cjk(translated.group(2)):
        return translated.group(1).strip(), translated.group(2).strip()  # `English Title（中文标题）`
    if has_cjk(text):
        return "", text
    return text, ""

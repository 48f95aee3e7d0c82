"""What one content line of an entry is: prose, a metadata field, a row of links, an image, a label.

Entries are found by their references and read by their lines; both ask this module, once per line.
A reference is *strong* when the line exists to give it (a field, a link line or row, an HTML anchor)
and *weak* when it sits inside a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from digestsite.content import arxiv, references
from digestsite.content.fields import Field, bare_label, label_kind, parse_fields, strip_prefix
from digestsite.content.references import Link, Ref
from digestsite.content.titles import plain

_IMAGE_ONLY = re.compile(r"(?:!\[[^\]\n]*\]\([^)\n]*\)|!\[\[[^\]\n]*\]\]|\s)+")
_TAGS_ONLY = re.compile(r"(?:<(?:!--.*?--|/?[A-Za-z][^<>]{0,400})>\s*)+")
_ANY_TAG = re.compile(r"<[^<>]{0,400}>")
_CODE_SPAN = re.compile(r"`[^`\n]*`")
_ITALIC_TAGS = re.compile(r"[*_]([^*_\n]+)[*_]")
_HASHTAGS_ONLY = re.compile(r"(?:#[^\s#]+[ \t]*){2,}")
# The byline a clipped WeChat article opens with: `Original`/`原创`, the account, the date it was posted.
_BYLINE = re.compile(
    r"(?:Original|原创|原創)[ \t]+[^\n]{1,40}?[ \t]*[*_]{0,2}\d{4}(?:年\d{1,2}月\d{1,2}日|-\d{1,2}-\d{1,2})[^\n]{0,16}"
)
_WRAPPED = re.compile(r"<([A-Za-z][A-Za-z0-9]*)\b[^<>]*>([^<>]+)</\1>")
_CODE_SPANS_ONLY = re.compile(r"(?:`[^`\n]+`[ \t]*)+")
_LETTERS = re.compile(r"[A-Za-z\u3400-\u4dbf\u4e00-\u9fff]")
_AUTHOR_EMOJI = ("👤", "👥", "✍️", "✍", "🧑‍🔬")
_ROW_LETTERS = 6  # letters allowed outside the links of a link row (`⭐8`, `等`, a badge word)
# MDX statements and Docusaurus admonition fences: markup of the page, not text of the digest.
_PAGE_MARKUP = re.compile(r"""(?:import|export)\s[^'"]*\sfrom\s+['"][^'"\n]+['"];?|:::\s*[A-Za-z]*(?:\s.*)?""")
_SCORE = re.compile(r"\d(?:\.\d+)?\s*/\s*(?:5|10|100)(?:\.0)?\b|\d+(?:\.\d+)?\s*分")
_SEPARATED = re.compile(r"\s+[|｜·•]\s+")
_BOLD_THEN_ID = re.compile(
    r"\*\*[^*\n]+\*\*\s*[（(]\s*(?:arxiv\s*[:：]?\s*)?(?P<id>\d{4}\.\d{4,5})(?:v\d+)?\s*[）)]", re.IGNORECASE
)
_CALLOUT = re.compile(r"\[!([A-Za-z-]+)\][+-]?[ \t]*(.*)")  # an Obsidian callout's first line
_SUMMARY_CALLOUTS = ("abstract", "summary", "tldr")
_META_ITEM = 64  # characters of one topic of a topic line
_META_ROW_ITEM = 100  # characters of one item of a metadata row (an author list may be one)
_MARKUP_LETTERS = 80  # letters in a line of markup that carries an ID: labels, not a sentence
_SENTENCE_ENDS = ("。", "！", "？", ".", "!", "?", "；")
# `Zhao-Yu Zhang, Qingying Chen, …, Zhouchen Lin`: an author list, however long, is one metadata item.
_NAME = r"[A-Z][\w'.-]*(?: [A-Za-z][\w'.-]*){0,3}"
_NAME_LIST = re.compile(rf"{_NAME}(?:, {_NAME}){{3,}}(?:,? (?:et al\.?|等))?")


@dataclass(slots=True)
class LineInfo:
    """One line's role (blank, prose, fields, links, image, html, label) and what it carries."""

    role: str
    refs: list[Ref] = field(default_factory=list)
    fields: list[Field] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    label: str | None = None
    codes: list[str] = field(default_factory=list)
    leading_id: bool = False  # `- [2608.00400] Title——…`: the item opens by naming its paper
    cited: Link | None = None  # `… 描述 [论文](url)`: the line ends by citing its paper

    @property
    def strong(self) -> bool:
        return self.role in ("fields", "links", "html") or self.leading_id or self.cited is not None


_BLANK = LineInfo("blank")

_GENERIC_WORDS = re.compile(
    r"(?:arxiv|hf|huggingface|paper|papers|pdf|abs|html|link|links|url|论文|論文|原文|链接|鏈接|連結|地址|主页|主頁|"
    r"项目|項目|project|page|homepage|website|code|github|代码|代碼|demo|alphaxiv|openreview|pwc|paperswithcode|"
    r"全文|下载|下載|页面|網頁|网页|详细|介绍|here|source|来源|摘要|abstract|view|read|more|details|全文链接)+"
)
_GENERIC_PHRASE = re.compile(r"查看|點擊|点击|详情|詳情|跳转|跳轉|前往|阅读原文|閱讀原文|click|see more|read more")
_ID_TEXT = re.compile(r"(?:arxiv|hf|huggingface|paper|pdf|abs|论文|原文)?\d{4}\.?\d{4,5}(?:v\d+)?")  # dots gone
_NOT_WORD = re.compile(r"[\W_]+")


def generic_link_text(text: str) -> bool:
    """Link texts that name the link, not the paper: `arXiv`, `📄 论文`, `到论文主页查看详情`, an ID."""
    key = _NOT_WORD.sub("", plain(text).lower())
    if not key:
        return True
    if _GENERIC_PHRASE.search(key) or _ID_TEXT.fullmatch(key):
        return True
    return len(key) <= 16 and _GENERIC_WORDS.fullmatch(key) is not None


def trailing_citation(rest: str, found: list[Link]) -> Link | None:
    """The link that ends a line of text and names its paper by a generic word (`… 描述 [论文](…)`,
    `— 说明 [来源-huggingface](…)`): the line's citation of the paper it is about."""
    if not found:
        return None
    last = found[-1]
    if rest[last.end :].strip(" 。.）)") or not generic_link_text(last.text):
        return None
    return last if references.refs_in(rest[last.start : last.end]) else None


def classify(line: str) -> LineInfo:
    """The role of one line of paragraph, list or quote text."""
    if not line.strip():
        return _BLANK
    _prefix, rest = strip_prefix(line)
    rest = rest.strip()
    if not rest:
        return _BLANK
    if rest[0] in "ie:" and _PAGE_MARKUP.fullmatch(rest):
        return LineInfo("html")
    if rest[0] == "!" and _IMAGE_ONLY.fullmatch(rest):
        return LineInfo("image")
    if rest[0] == "<" and _TAGS_ONLY.fullmatch(rest):
        return LineInfo("html", refs=references.refs_in(rest))
    if rest[0] == "<" and "arxiv" in rest.lower() and (named := _named_in_markup(rest)):
        return LineInfo("html", refs=named)
    if "<a " in rest and references.HREF.search(rest):
        refs = references.refs_in(rest)
        if refs and len(_LETTERS.findall(_ANY_TAG.sub(" ", rest))) <= _ROW_LETTERS:
            return LineInfo("html", refs=refs)
    fields = parse_fields(line)
    if fields is not None:
        refs = []
        for item in fields:
            if item.kind in ("paper", "pdf"):
                refs.extend(references.refs_in(item.value) or _id_refs(item.value))
            elif "arxiv" in item.value.lower() and len(item.value) <= _NAMED_FIELD:
                refs.extend(_named_refs(item.value))  # `**时间** | 2025年10月29日（arXiv:2510.21614v3）`
            elif "://" in item.value and _is_row(item.value, references.links(item.value)):
                refs.extend(references.refs_in(item.value))  # `🔗 **来源**: [url](url)`: the value is the link
        return LineInfo("fields", refs=refs, fields=fields)
    if rest[0] == "📝" and _is_title_line(rest[1:].strip()):  # `📝 English Title` in a `🔗 論文連結` block
        return LineInfo("fields", fields=[Field("title_en", "📝", rest[1:].strip())])
    if rest.startswith(_AUTHOR_EMOJI):
        value = _SEPARATED.split(rest.lstrip("".join(_AUTHOR_EMOJI)).strip())[0]  # `👥 A, B · 🏷 cs.CL`
        return LineInfo("fields", fields=[Field("authors", "👤", value)])
    if rest[0] == "[" and (callout := _CALLOUT.fullmatch(rest)):
        kind = "summary" if callout.group(1).lower() in _SUMMARY_CALLOUTS else label_kind(callout.group(2))
        if kind is not None or not callout.group(2):
            return LineInfo("label", label=kind)  # `> [!abstract] 一句话`: the label of what the callout says
    label = bare_label(line)
    if label is not None:
        return LineInfo("label", label=label)
    if rest[0] == "#" and _HASHTAGS_ONLY.fullmatch(rest):  # `#LLM #PostTraining #AI`: tags, not text
        return LineInfo("links")
    if rest[0] in "O原" and _BYLINE.fullmatch(rest):  # `Original 某公众号 *2026年3月15日 00:24*`
        return LineInfo("links")
    if rest[0] == "<" and (wrapped := _WRAPPED.fullmatch(rest)) and _is_meta_row(wrapped.group(2)):
        return LineInfo("links")  # `<p class="…__tags">ACL 2025 · LLM · 开源模型</p>`
    if rest[0] == "`" and _CODE_SPANS_ONLY.fullmatch(rest):  # `` `RAG` `人工智能` ``: tags, not text
        return LineInfo("links", codes=_CODE_SPAN.findall(rest))
    if rest[0] in "*_" and _is_tag_line(rest):  # `*计算化学;密度泛函理论*`: topics, not text
        return LineInfo("links")
    if rest[0] == "[" and rest[1:2].isdigit() and (named := references.heading_ids(rest)):
        return LineInfo("prose", refs=named, leading_id=True)
    if rest[:2] == "**" and (bold_id := _BOLD_THEN_ID.match(rest)):  # `**Title**（arXiv:2608.02556）：说明`
        arxiv_id = arxiv.normalise_id(bold_id.group("id"))
        if arxiv_id:
            return LineInfo("prose", refs=[Ref(arxiv_id, arxiv.abs_url(arxiv_id), "", "id")], leading_id=True)
    refs = references.refs_in(rest)
    found = references.links(rest) if "](" in rest else []
    if not refs and not found and "://" not in rest:
        return LineInfo("links", codes=_CODE_SPAN.findall(rest)) if _is_meta_row(rest) else LineInfo("prose")
    if _is_row(rest, found) or _is_meta_row(rest):
        return LineInfo("links", refs=refs, links=found, codes=_CODE_SPAN.findall(rest))
    cited = trailing_citation(rest, found) if len(refs) == 1 else None
    if cited is None and len(refs) == 1 and _prefix.strip() and _titles_the_item(rest, found):
        return LineInfo("prose", refs=refs, links=found, leading_id=True)
    return LineInfo("prose", refs=refs, links=found, cited=cited)


_AFTER_TITLE_LINK = re.compile(r"\*{0,2}\s*(?:[（(][^（）()\n]{1,40}[）)]\s*)?(?:[—–]{1,2}|-{1,2}|[:：])\s*\S")
_LINK_TITLE = 12  # characters of link text that make it a title, not a word like `论文`


def _titles_the_item(rest: str, found: list[Link]) -> bool:
    """`- **[Title](abs url)**（▲79）— 说明`: a list item that opens with its paper's title as a link and
    goes on to say what the paper does; the item names its paper as a heading would."""
    if not found or found[0].start != (2 if rest.startswith("**") else 0):
        return False
    first = found[0]
    if len(plain(first.text)) < _LINK_TITLE or generic_link_text(first.text):
        return False
    if not references.refs_in(rest[first.start : first.end]):
        return False
    return _AFTER_TITLE_LINK.match(rest, first.end) is not None


_TITLE_LINE_WORDS = 3


def _is_title_line(text: str) -> bool:
    """A paper title in Latin letters: a few words, no sentence end, no link."""
    return (
        0 < len(text) <= _META_ROW_ITEM * 2
        and not _LETTERS.search(re.sub(r"[A-Za-z]", "", text))
        and len(text.split()) >= _TITLE_LINE_WORDS
        and not text.endswith(_SENTENCE_ENDS)
        and "://" not in text
    )


def _named_in_markup(rest: str) -> list[Ref]:
    """`<span class="paper-id">arXiv 2607.26998</span>…`: an ID written as the text of a line of markup."""
    text = _ANY_TAG.sub(" ", rest)
    if len(_LETTERS.findall(text)) > _MARKUP_LETTERS:
        return []
    return [Ref(arxiv_id, arxiv.abs_url(arxiv_id), "", "id") for arxiv_id in references.named_ids(text)[:1]]


def _is_tag_line(rest: str) -> bool:
    """A whole-line italic list of short topics separated by semicolons."""
    match = _ITALIC_TAGS.fullmatch(rest)
    if match is None:
        return False
    items = [item.strip() for item in re.split(r"[;；]", match.group(1))]
    return len(items) >= 2 and all(0 < len(item) <= _META_ITEM and not item.endswith(_SENTENCE_ENDS) for item in items)


def _is_meta_row(rest: str) -> bool:
    """Short items between separators, none of them a sentence: a line of metadata, not summary text
    (`**hf_daily** · `2602.06694` · 2026-02-06`, `🔥 **9.5分** | #语音， #音频 | [arxiv](…)`)."""
    if rest[0] in "|<" or ("|" not in rest and "·" not in rest and "｜" not in rest and "•" not in rest):
        return False  # a table row, or a line of markup
    items = _SEPARATED.split(rest)
    if len(items) < 2:
        return False
    texts = [plain(item) for item in items]
    if any(
        not text
        or (len(text) > _META_ROW_ITEM and not _NAME_LIST.fullmatch(text))
        or text.endswith(_SENTENCE_ENDS)
        or "。" in text
        for text in texts
    ):
        return False
    return len(items) >= 3 or "`" in rest or "](" in rest or "://" in rest or any(_SCORE.search(x) for x in texts)


def _is_row(rest: str, found: list[Link]) -> bool:
    """A line made of links (and bare URLs) with only separators, emoji and a few letters around them.

    Images are not links: a sentence with inline images stays prose.
    """
    text_only = references.IMAGE.sub(" ", rest)
    if "](" not in text_only and not references.BARE_URL.search(text_only):
        return False
    remainder = rest
    for link in reversed(found):
        remainder = remainder[: link.start] + " " + remainder[link.end :]
    remainder = references.BARE_URL.sub(" ", remainder)
    remainder = _CODE_SPAN.sub(" ", remainder)
    remainder = references.IMAGE.sub(" ", remainder)
    return len(_LETTERS.findall(remainder)) <= _ROW_LETTERS and remainder != rest


_NAMED_ID = re.compile(r"arxiv\s*[:：]\s*(\d{4}\.\d{4,5}(?:v\d+)?)", re.IGNORECASE)
_NAMED_FIELD = 60  # characters of a field value that may name the paper by `arXiv:ID`


def _named_refs(value: str) -> list[Ref]:
    """`arXiv:2510.21614v3` written out in the value of a date or note field: the paper's own ID."""
    match = _NAMED_ID.search(value)
    arxiv_id = arxiv.normalise_id(match.group(1)) if match else None
    return [Ref(arxiv_id, arxiv.abs_url(arxiv_id), "", "id")] if arxiv_id else []


def _id_refs(value: str) -> list[Ref]:
    """`**论文ID:** 2508.03694v1`: a bare ID as the value of a paper field."""
    return [Ref(arxiv_id, arxiv.abs_url(arxiv_id), "", "id") for arxiv_id in references.ids_in(value)[:1]]


_SUMMARY_KINDS = ("summary", "recap")
_NOTE_TABLE_ROWS = 6  # header, delimiter and a few rows

_TWO_CELLS = re.compile(r"\|\s*([^|]+?)\s*\|\s*(.*?)\s*\|?\s*")


def field_rows(lines: list[str]) -> list[LineInfo] | None:
    """A two-column table of labels and values (`| **arXiv** | [2607.12277](…) |`), read as field lines;
    its header and delimiter rows are markup. None for any other table."""
    infos, fields, summaries = [], 0, 0
    for line in lines:
        cells = _TWO_CELLS.fullmatch(line.strip())
        if cells is None:
            return None
        if set(line.strip()) <= set("|-: "):
            infos.append(LineInfo("html"))
            continue
        info = classify(f"{cells.group(1)}：{cells.group(2)}")
        fields += info.role == "fields"
        summaries += info.role == "fields" and info.fields[0].kind in _SUMMARY_KINDS
        infos.append(info if info.role == "fields" else LineInfo("html"))
    if fields >= 2 and fields * 2 >= len(lines) - 2:
        return infos
    # `| 📝 总结 | 这篇工作… |` in a short table of notes on the paper: its summary, as a field.
    return infos if summaries and len(lines) <= _NOTE_TABLE_ROWS else None

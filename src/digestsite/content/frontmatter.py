"""Front matter: ours (`title`, `date`, `slug`, `lang`) is read; Jekyll's or Hugo's is ignored.

Digests copied from a Jekyll or Hugo site arrive with `layout:`, `tags:`, `categories:` and the like;
those keys are named in one warning and otherwise ignored, as is front matter that is not valid YAML.
None of it stops a build. A one-paper note may name its paper here instead of in its body
(`pdf: https://arxiv.org/pdf/2601.08584v1`, `title_zh:`, `authors:`): that is read as a `NotePaper`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from slugify import slugify

from digestsite.content import arxiv
from digestsite.content.model import LANGUAGE_CODE
from digestsite.content.references import refs_in
from digestsite.content.yaml_lines import DuplicateKey, YamlSyntaxError, describe_value, load_mapping

FRONT_MATTER_KEYS = ("title", "date", "slug", "lang")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?")
_TOML_LINE = re.compile(r"""\s*([A-Za-z_][\w-]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))\s*""")
_EXPECTED = {
    "title": "a string or a mapping of language to string",
    "date": "a date written YYYY-MM-DD",
    "slug": "a non-empty string of letters, digits or dashes",
    "lang": "a language code such as zh or en",
}

# Keys by which a one-paper note names its paper, in the order they are tried.
NOTE_REFERENCE_KEYS = ("arxiv", "arxiv_id", "arxiv_url", "paper", "paper_url", "paper_link", "pdf", "pdf_url")
NOTE_REFERENCE_KEYS += ("url", "link", "source", "source_url", "original_url", "arxiv_link", "huggingface", "hf")
NOTE_TITLE_ZH_KEYS = ("title_zh", "title_cn", "zh_title", "cn_title", "chinese_title", "中文标题")
NOTE_TITLE_EN_KEYS = ("original_title", "title_en", "en_title", "english_title", "paper_title", "英文标题")
NOTE_AUTHOR_KEYS = ("authors", "author", "作者")
_BARE_ID = re.compile(r"(?:arxiv:\s*)?(\d{4}\.\d{4,5}(?:v\d+)?)", re.IGNORECASE)
_PEOPLE = re.compile(r"\s*(?:,|;|，|、|\band\b)\s*")

Warn = Callable[[int, str], None]


@dataclass(frozen=True)
class NotePaper:
    """The paper a one-paper note names in its front matter, and the file line that names it."""

    arxiv_id: str
    line: int
    title_zh: str = ""
    authors: tuple[str, ...] = ()
    title_en: str = ""


@dataclass
class FrontMatter:
    title: dict[str, str] = field(default_factory=dict)
    date: dt.date | None = None
    slug: str = ""
    lang: str = ""
    paper: NotePaper | None = None


def split_front_matter(lines: list[str], warn: Warn) -> tuple[FrontMatter, int]:
    """Reads an optional `---` … `---` (YAML) or `+++` … `+++` (TOML) block; returns it and the index
    of the first body line."""
    front = FrontMatter()
    if not lines:
        return front, 0
    fence = lines[0].strip()
    if fence not in ("---", "+++"):
        return front, 0
    ends = ("---", "...") if fence == "---" else ("+++",)
    closing = next((i for i in range(1, len(lines)) if lines[i].strip() in ends), None)
    if closing is None:
        if fence == "---" and len(lines) > 1 and ":" in lines[1]:
            warn(1, "front matter opened with '---' is never closed; read as text")
        return front, 0
    block = lines[1:closing]
    entries = _toml(block) if fence == "+++" else _yaml(block, warn)
    front.paper = _note_paper(entries, lines)
    note_keys = (
        (*NOTE_REFERENCE_KEYS, *NOTE_TITLE_ZH_KEYS, *NOTE_TITLE_EN_KEYS, *NOTE_AUTHOR_KEYS) if front.paper else ()
    )
    unknown: list[tuple[int, str]] = []
    for key, value, line in entries:
        if key in note_keys:
            continue
        if key in FRONT_MATTER_KEYS:
            _apply(front, key, value, line, warn)
        else:
            unknown.append((line, key))
    if unknown:
        names = ", ".join(key for _, key in unknown)
        warn(unknown[0][0], f"front matter keys ignored: {names} (digestsite reads {', '.join(FRONT_MATTER_KEYS)})")
    return front, closing + 1


def _yaml(block: list[str], warn: Warn) -> list[tuple[str, object, int]]:
    duplicates: list[DuplicateKey] = []
    try:
        entries = [(entry.key, entry.value, entry.line + 1) for entry in load_mapping("\n".join(block), duplicates)]
    except YamlSyntaxError as exc:
        warn(exc.line + 1, f"front matter: {exc.message}; ignored")
        return []
    for duplicate in duplicates:  # the later value wins, as in YAML; say so
        warn(duplicate.line + 1, f"front matter {duplicate.message(offset=1)}")
    return entries


def _toml(block: list[str]) -> list[tuple[str, object, int]]:
    entries: list[tuple[str, object, int]] = []
    for number, line in enumerate(block, start=2):
        match = _TOML_LINE.fullmatch(line)
        if match and not line.startswith((" ", "\t")):
            value = next(group for group in match.groups()[1:] if group is not None)
            entries.append((match.group(1), value, number))
    return entries


def _apply(front: FrontMatter, key: str, value: object, line: int, warn: Warn) -> None:
    if key == "title" and isinstance(value, str) and value.strip():
        front.title = {"*": value.strip()}
    elif key == "title" and isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
        front.title = {str(k): v.strip() for k, v in value.items()}
    elif key == "date" and _date(value) is not None:
        front.date = _date(value)
    elif key == "slug" and isinstance(value, (str, int)) and slugify(str(value)):
        front.slug = slugify(str(value))
    elif key == "lang" and isinstance(value, str) and LANGUAGE_CODE.fullmatch(value):
        front.lang = value
    else:
        warn(line, f"front matter '{key}' must be {_EXPECTED[key]}, not {describe_value(value, 60)}; ignored")


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        match = _ISO_DATE.fullmatch(value.strip())
        if match:
            try:
                return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                return None
    return None


def _note_paper(entries: list[tuple[str, object, int]], lines: list[str]) -> NotePaper | None:
    """The paper named by the first reference key whose value is an arXiv or Hugging Face paper.

    A value that is not a string is read from the line as written: YAML would make
    `arxiv_id: 2403.10100` the number 2403.101.
    """
    values = {key.lower(): (value, line) for key, value, line in entries}
    for key in NOTE_REFERENCE_KEYS:
        if key not in values:
            continue
        value, line = values[key]
        written = value if isinstance(value, str) else re.split(r"[:=]", lines[line - 1], maxsplit=1)[-1]
        arxiv_id = _paper_id(written.strip().strip("\"'"))
        if arxiv_id is not None:
            titles = _text(values, NOTE_TITLE_ZH_KEYS), _text(values, NOTE_TITLE_EN_KEYS)
            return NotePaper(arxiv_id, line, titles[0], _people(values), titles[1])
    return None


def _paper_id(written: str) -> str | None:
    found = [ref.arxiv_id for ref in refs_in(written) if ref.arxiv_id]
    if found:
        return found[0]
    bare = _BARE_ID.fullmatch(written)
    return arxiv.normalise_id(bare.group(1)) if bare else None


def _text(values: dict[str, tuple[object, int]], keys: tuple[str, ...]) -> str:
    for key in keys:
        value = values.get(key, (None, 0))[0]
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return ""


def _people(values: dict[str, tuple[object, int]]) -> tuple[str, ...]:
    for key in NOTE_AUTHOR_KEYS:
        value = values.get(key, (None, 0))[0]
        if isinstance(value, str) and value.strip():
            return tuple(name for name in _PEOPLE.split(value.strip()) if name)
        if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
            return tuple(item.strip() for item in value if item.strip())
    return ()

"""The plain data passed between stages: papers, batches, diagnostics."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import ClassVar
from urllib.parse import quote

from digestsite.content.arxiv import sort_key

# A language code as site.yaml's `languages` and a digest's front-matter `lang` take it: zh, en, zh-Hant.
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")


class Severity(StrEnum):
    """How bad a diagnostic is: errors stop a build, warnings only with --strict."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class SourceRef:
    """A place in an input file, for messages and for ordering."""

    path: str
    line: int


@dataclass(frozen=True)
class Diagnostic:
    """One located finding about the input, printed as `path:line: severity: message`.

    Paths and messages quote what the user wrote, which may hold newlines (a forged second diagnostic),
    terminal escape sequences or megabytes of text: `format` shows them escaped, on one line, cut short.
    """

    path: str
    line: int
    severity: Severity
    message: str

    MESSAGE_LIMIT: ClassVar[int] = 1000
    _UNPRINTABLE: ClassVar[re.Pattern[str]] = re.compile(
        "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]"
    )

    def format(self) -> str:
        return f"{self.clean(self.path)}:{self.line}: {self.severity.value}: {self.clean(self.message)}"

    def as_dict(self) -> dict[str, object]:
        """For JSON, which escapes control characters itself; only cut short and made encodable."""
        return {
            "path": self._encodable(self.path),
            "line": self.line,
            "severity": self.severity.value,
            "message": self._encodable(self._shorten(self.message)),
        }

    @classmethod
    def clean(cls, text: str, limit: int | None = None) -> str:
        """`text` cut to `limit` characters, then with control, bidi and line-separator characters escaped."""
        text = cls._shorten(text, limit)
        return cls._UNPRINTABLE.sub(cls._escape, text)

    @classmethod
    def _shorten(cls, text: str, limit: int | None = None) -> str:
        limit = cls.MESSAGE_LIMIT if limit is None else limit
        return text if len(text) <= limit else text[: limit - 1] + "…"

    @staticmethod
    def _escape(match: re.Match[str]) -> str:
        code = ord(match.group())
        named = {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"}
        return named.get(code) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")

    @classmethod
    def _encodable(cls, text: str) -> str:
        """Lone surrogates (undecodable file names) as escapes, so the text can be written as UTF-8."""
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


@dataclass(frozen=True)
class Paper:
    """One digest entry: an arXiv paper with its English and Chinese titles and a summary."""

    arxiv_id: str
    title: str
    title_zh: str
    summary: str
    summary_lang: str
    abs_url: str
    pdf_url: str
    truncated: bool
    source: SourceRef
    batch: str
    authors: tuple[str, ...] = ()
    published: str = ""
    categories: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    code_url: str = ""
    abstract_en: str = ""
    votes: int | None = None
    # Filled from the site's arXiv metadata (metadata/arxiv.jsonl) when the digest does not give them.
    updated: str = ""  # date of the latest version, YYYY-MM-DD; empty when there is only the first
    primary_category: str = ""
    comment: str = ""  # the authors' comment, often the venue: "Accepted at ICLR 2024"
    journal_ref: str = ""
    doi: str = ""

    @property
    def slug(self) -> str:
        """The path segment of the paper's pages (old-style IDs carry a slash)."""
        return self.arxiv_id.replace("/", "-")

    @property
    def html_url(self) -> str:
        return f"https://arxiv.org/html/{self.arxiv_id}"

    @property
    def doi_url(self) -> str:
        return f"https://doi.org/{quote(self.doi, safe='/')}" if self.doi else ""

    @property
    def published_date(self) -> dt.date | None:
        """`published` as a date when it is written YYYY-MM-DD (arXiv's is; a digest's may be any text)."""
        return iso_date(self.published)


def iso_date(text: str) -> dt.date | None:
    """A `YYYY-MM-DD` text as a date, else None."""
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Batch:
    """One digest file: its papers in file order plus the batch-level metadata."""

    slug: str
    source_path: str
    date: dt.date
    papers: tuple[Paper, ...]
    title: dict[str, str] = field(default_factory=dict)
    attribution: str = ""
    summary_lang: str = "zh"
    date_inferred: bool = True
    slug_from_date: bool = False  # named by its date (no slug in front matter, no readable file name)
    number: int = 0  # its place counting from the oldest batch, 1 up (set when the site is assembled)
    title_inferred: bool = False  # titled `Issue N · Month` by digestsite, not by its front matter

    @cached_property
    def newest_arxiv_key(self) -> tuple[int, ...]:
        """Sort key of the newest paper, used to order batches that share a date; stored with the
        batch, so batches from the parse cache arrive with it."""
        return max((sort_key(p.arxiv_id) for p in self.papers), default=(0,))


def failing_diagnostics(diagnostics: tuple[Diagnostic, ...] | list[Diagnostic], strict: bool) -> list[Diagnostic]:
    """What stops a build: errors, and warnings too under --strict."""
    return [d for d in diagnostics if d.severity == Severity.ERROR or strict]

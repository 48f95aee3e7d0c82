"""The plain data passed between stages: papers, batches, diagnostics."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from digestsite.content.arxiv import sort_key


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
    """One located finding about the input, printed as `path:line: severity: message`."""

    path: str
    line: int
    severity: Severity
    message: str

    def format(self) -> str:
        return f"{self.path}:{self.line}: {self.severity.value}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "severity": self.severity.value,
            "message": self.message,
        }


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

    @property
    def slug(self) -> str:
        """The path segment of the paper's pages (old-style IDs carry a slash)."""
        return self.arxiv_id.replace("/", "-")

    @property
    def html_url(self) -> str:
        return f"https://arxiv.org/html/{self.arxiv_id}"

    @cached_property
    def content_key(self) -> str:
        """A digest of every field: papers with equal keys are equal. Fingerprints and search shard keys
        hash papers by it; it is stored with the paper, so papers from the parse cache arrive with it."""
        parts = (self.arxiv_id, self.title, self.title_zh, self.summary, self.summary_lang, self.abs_url,
                 self.pdf_url, str(self.truncated), self.source.path, str(self.source.line), self.batch)  # fmt: skip
        extra = ("\x1f".join(self.authors), self.published, "\x1f".join(self.categories), "\x1f".join(self.keywords),
                 self.code_url, self.abstract_en, "" if self.votes is None else str(self.votes))  # fmt: skip
        if any(extra):  # papers without the optional fields keep the keys they always had
            parts += extra
        return hashlib.blake2b("\0".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


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

    @cached_property
    def newest_arxiv_key(self) -> tuple[int, ...]:
        """Sort key of the newest paper, used to order batches that share a date; stored with the
        batch, so batches from the parse cache arrive with it."""
        return max((sort_key(p.arxiv_id) for p in self.papers), default=(0,))


def failing_diagnostics(diagnostics: tuple[Diagnostic, ...] | list[Diagnostic], strict: bool) -> list[Diagnostic]:
    """What stops a build: errors, and warnings too under --strict."""
    return [d for d in diagnostics if d.severity == Severity.ERROR or strict]

"""Assemble the `Site`: read and parse every digest, order batches, dedupe papers, name batches, route pages."""

from __future__ import annotations

import functools
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from digestsite.cache.file_hashes import FileHashes, content_digest
from digestsite.config import Config, display_path
from digestsite.content.model import Batch, Diagnostic, Paper, Severity
from digestsite.content.parse import ParseResult, parse_digest
from digestsite.errors import ConfigError
from digestsite.site.i18n import Locale, load_locales

DIGEST_SUFFIXES = (".md", ".txt")

# Output path of each page kind, relative to a language's root.
PAGE_PATTERNS = {
    "home": "index.html",
    "batch": "batches/{key}/index.html",
    "paper": "papers/{key}/index.html",
    "archive": "archive/index.html",
    "search": "search/index.html",
    "404": "404.html",
    "feed": "feed.xml",
}


@dataclass(frozen=True)
class Routes:
    """Where every page of every language lives in the output; the one source of URLs."""

    languages: tuple[str, ...]

    def prefix(self, lang: str) -> str:
        return "" if lang == self.languages[0] else f"{lang}/"

    def path(self, kind: str, lang: str, key: str = "") -> str:
        return self.prefix(lang) + PAGE_PATTERNS[kind].format(key=key)


@functools.lru_cache(maxsize=65536)
def relative_url(from_path: str, to_path: str, local: bool = False) -> str:
    """A link from one output file to another that works at any subpath and, with `local`, from disk.

    Both paths are output paths (relative, normalised), so plain segment arithmetic is enough; this runs
    dozens of times per page.
    """
    start = from_path.split("/")[:-1]
    target = to_path.split("/")
    common = 0
    while common < len(start) and common < len(target) - 1 and start[common] == target[common]:
        common += 1
    url = "../" * (len(start) - common) + "/".join(target[common:])
    if not local and (url == "index.html" or url.endswith("/index.html")):
        url = url[: -len("index.html")]
    return url or "./"


def absolute_url(base_url: str, path: str) -> str:
    """The public URL of an output file (`base_url` ends with a slash); directory indexes end in `/`."""
    if path == "index.html" or path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return base_url + path


def root_relative_url(base_url: str, path: str) -> str:
    """`/repo/…` for pages served at unknown depths (404.html): only the base URL's path is kept."""
    return absolute_url(urlsplit(base_url).path or "/", path)


@dataclass(frozen=True)
class Site:
    """Everything the renderer needs, computed before any template runs."""

    config: Config
    locales: dict[str, Locale]
    batches: tuple[Batch, ...]  # newest first
    papers: tuple[Paper, ...]  # each paper once, in reading order
    diagnostics: tuple[Diagnostic, ...]
    routes: Routes
    _index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)
    _batches: dict[str, Batch] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._index.update({p.arxiv_id: i for i, p in enumerate(self.papers)})
        self._batches.update({b.slug: b for b in self.batches})

    def batch(self, slug: str) -> Batch:
        return self._batches[slug]

    def neighbours(self, paper: Paper) -> tuple[Paper | None, Paper | None]:
        """The papers before and after this one in reading order (newest batch first)."""
        i = self._index[paper.arxiv_id]
        before = self.papers[i - 1] if i > 0 else None
        after = self.papers[i + 1] if i + 1 < len(self.papers) else None
        return before, after


class ParseCache(Protocol):
    """Parsed digest files by the key of what was parsed: a file's bytes and the name it is shown by."""

    def lookup(self, path: Path, key: bytes) -> ParseResult | None: ...

    def keep(self, path: Path, key: bytes, result: ParseResult) -> None: ...


class MemoryParseCache:
    """The last parse of each file, for the dev server between rebuilds."""

    def __init__(self) -> None:
        self._entries: dict[Path, tuple[bytes, ParseResult]] = {}

    def lookup(self, path: Path, key: bytes) -> ParseResult | None:
        entry = self._entries.get(path)
        return entry[1] if entry is not None and entry[0] == key else None

    def keep(self, path: Path, key: bytes, result: ParseResult) -> None:
        self._entries[path] = (key, result)


def load_site(config: Config, parse_cache: ParseCache | None = None, hashes: FileHashes | None = None) -> Site:
    """Read, parse and assemble; content problems become diagnostics, never exceptions.

    With a `parse_cache` only files whose bytes changed are parsed; with `hashes` too, a file whose
    metadata is unchanged is not even read.
    """
    locales = load_locales(config.languages, config.locales_dir)
    diagnostics: list[Diagnostic] = []
    batches: list[Batch] = []
    for path, status, problem in digest_files(config.seeds_dir):
        if problem or status is None:
            diagnostics.extend([problem] if problem else [])
            continue
        try:
            result = _parse_file(path, status, parse_cache, hashes)
        except OSError as exc:
            diagnostics.append(Diagnostic(display_path(path), 1, Severity.ERROR, f"cannot read: {exc.strerror}"))
            continue
        diagnostics.extend(result.diagnostics)
        if result.batch is not None:
            batches.append(result.batch)
    batches, duplicates = _unique_slugs(batches)
    diagnostics.extend(duplicates)
    ordered = order_batches(batches)
    ordered, dedupe_warnings = _dedupe_papers(ordered)
    diagnostics.extend(dedupe_warnings)
    ordered = _name_batches(ordered, config.languages, locales)
    papers = tuple(p for b in ordered for p in b.papers if p.batch == b.slug)
    return Site(
        config=config,
        locales=locales,
        batches=tuple(ordered),
        papers=papers,
        diagnostics=tuple(sorted(diagnostics, key=lambda d: (d.path, d.line))),
        routes=Routes(config.languages),
    )


def _parse_file(path: Path, status: os.stat_result, cache: ParseCache | None, hashes: FileHashes | None) -> ParseResult:
    label = display_path(path)  # diagnostics name the file as seen from here: part of the key
    if cache is None:
        return parse_digest(path.read_bytes(), label)
    suffix = b"\0" + label.encode("utf-8", "surrogateescape")
    data = None
    digest = hashes.trusted(path, status) if hashes is not None else None
    if digest is None:
        data = path.read_bytes()
        digest = hashes.remember(path, data, status) if hashes is not None else content_digest(data)
    result = cache.lookup(path, content_digest(digest + suffix))
    if result is not None:
        return result
    if data is None:  # trusted, yet not parsed before: parse what the file holds now, under its own key
        data = path.read_bytes()
        digest = content_digest(data)
    result = parse_digest(data, label)
    if result.batch is not None:  # computed now, so the cache stores them with the parse
        _ = result.batch.newest_arxiv_key, [paper.content_key for paper in result.batch.papers]
    cache.keep(path, content_digest(digest + suffix), result)
    return result


def digest_files(seeds_dir: Path) -> Iterable[tuple[Path, os.stat_result | None, Diagnostic | None]]:
    """Each digest file in name order, with its status; fifos, sockets and broken or looping links are
    skipped with a warning."""
    if not seeds_dir.is_dir():
        raise ConfigError([f"error: seeds folder {seeds_dir} does not exist"])
    for path in sorted(seeds_dir.iterdir()):
        if path.name.startswith(".") or path.suffix.lower() not in DIGEST_SUFFIXES:
            continue
        label = display_path(path)
        try:
            status = os.stat(path)
        except OSError as exc:
            yield path, None, Diagnostic(label, 1, Severity.WARNING, f"skipped: cannot follow ({exc.strerror})")
            continue
        if not stat.S_ISREG(status.st_mode):
            yield path, None, Diagnostic(label, 1, Severity.WARNING, "skipped: not a regular file")
            continue
        yield path, status, None


def order_batches(batches: Iterable[Batch]) -> list[Batch]:
    """Newest first: by date, then by newest arXiv ID, then by slug for a stable tie-break."""
    return sorted(batches, key=lambda b: (b.date, b.newest_arxiv_key, b.slug), reverse=True)


def _unique_slugs(batches: list[Batch]) -> tuple[list[Batch], list[Diagnostic]]:
    seen: dict[str, Batch] = {}
    problems = []
    for batch in batches:
        if batch.slug in seen:
            other = seen[batch.slug].source_path
            message = f"batch slug '{batch.slug}' is already used by {other}; set another 'slug' in front matter"
            problems.append(Diagnostic(batch.source_path, 1, Severity.ERROR, message))
            continue
        seen[batch.slug] = batch
    return list(seen.values()), problems


def _dedupe_papers(newest_first: list[Batch]) -> tuple[list[Batch], list[Diagnostic]]:
    """A paper in several batches gets one page, owned by the batch it first appeared in."""
    canonical: dict[str, Paper] = {}
    warnings = []
    for batch in reversed(newest_first):
        for paper in batch.papers:
            first = canonical.setdefault(paper.arxiv_id, paper)
            if first is not paper:
                place = f"{first.source.path}:{first.source.line}"
                message = f"arXiv {paper.arxiv_id} is also in {place}; one page is built, listed by both batches"
                warnings.append(Diagnostic(paper.source.path, paper.source.line, Severity.WARNING, message))
    result = [replace(b, papers=tuple(canonical[p.arxiv_id] for p in b.papers)) for b in newest_first]
    return result, warnings


def _name_batches(newest_first: list[Batch], languages: tuple[str, ...], locales: dict[str, Locale]) -> list[Batch]:
    """Titles in every language: front matter's, else `Issue N · Month Year` numbered oldest first."""
    count = len(newest_first)
    named = []
    for position, batch in enumerate(newest_first):
        number = count - position
        given = batch.title
        title = {}
        for lang in languages:
            text = given.get(lang) or given.get("*") or next(iter(given.values()), "")
            title[lang] = text or locales[lang].issue_title(number, batch.date)
        named.append(replace(batch, title=title))
    return named

"""The search index: Pagefind's extended binary (from PyPI; it segments Chinese) run over the built pages.

Each interface language gets its own bundle (`pagefind/`, `en/pagefind/`, …) holding only that
language's paper pages, so results link to pages in the reader's language. The pages are indexed as
their content's language (the summaries' language, Chinese by default) rather than the interface's,
which is what lets Pagefind segment Chinese words on English pages too. Each bundle is split into
fragments that the browser loads on demand.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from digestsite.errors import DigestsiteError
from digestsite.output import exchange_paths
from digestsite.site import Site

SEARCH_DIR = "pagefind"
# Pagefind's ready-made UIs; digestsite's search page talks to pagefind.js directly.
_UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
           "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")  # fmt: skip


class SearchIndexError(DigestsiteError):
    """Pagefind is missing or failed; the build is refused rather than published without search."""


@dataclass(frozen=True)
class SearchTarget:
    """One bundle: the pages of one interface language, indexed as `content_lang`."""

    prefix: str  # "" for the first language, "en/" for the others
    content_lang: str

    @property
    def bundle(self) -> str:
        return f"{self.prefix}{SEARCH_DIR}"


@dataclass(frozen=True)
class SearchIndex:
    files: int
    bytes: int


def search_targets(site: Site) -> list[SearchTarget]:
    summary_langs = Counter(p.summary_lang for p in site.papers)
    content_lang = summary_langs.most_common(1)[0][0].split("-")[0] if summary_langs else "zh"
    return [SearchTarget(site.routes.prefix(lang), content_lang) for lang in site.config.languages]


def pagefind_executable() -> Path:
    try:
        from pagefind_bin_extended import get_executable  # type: ignore[import-untyped]
    except ImportError:
        raise SearchIndexError("search needs Pagefind: pip install 'pagefind[extended]'") from None
    return Path(get_executable())


def build_search_index(site_dir: Path, targets: Sequence[SearchTarget], into: Path | None = None) -> SearchIndex:
    """Index every target's paper pages, in parallel, into `into` (default: the site folder itself)."""
    into = into or site_dir
    executable = str(pagefind_executable())
    running = []
    for target in targets:
        pages = f"{target.prefix}papers/**/*.html"
        bundle = str(into / target.bundle)
        language = target.content_lang
        command = [executable, "--site", str(site_dir), "--glob", pages, "--force-language", language,
                   "--output-path", bundle, "--silent"]  # fmt: skip
        running.append(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    for process in running:
        out, err = process.communicate()
        if process.returncode != 0:
            detail = (err or out).strip().splitlines()
            raise SearchIndexError(f"search indexing failed: {detail[-1] if detail else process.returncode}")
    files = 0
    size = 0
    for target in targets:
        bundle = into / target.bundle
        for name in _UNUSED:
            (bundle / name).unlink(missing_ok=True)
        _sort_entry_file(bundle / "pagefind-entry.json")
        for path in bundle.rglob("*"):
            if path.is_file():
                files += 1
                size += path.stat().st_size
    return SearchIndex(files, size)


def _sort_entry_file(path: Path) -> None:
    """Pagefind lists languages in hash-map order; sorted keys keep identical builds byte-identical."""
    data = json.loads(path.read_text("utf-8"))
    path.write_text(json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")), "utf-8")


def refresh_search_index(site_dir: Path, targets: Sequence[SearchTarget]) -> SearchIndex:
    """Re-index a live output folder: build the bundles beside it, then swap each in whole.

    Pagefind names fragments by content, so indexing over an old bundle would leave stale fragments.
    """
    with tempfile.TemporaryDirectory(prefix=".pagefind-", dir=site_dir) as scratch:
        index = build_search_index(site_dir, targets, Path(scratch))
        for target in targets:
            fresh, live = Path(scratch) / target.bundle, site_dir / target.bundle
            if not live.exists():
                os.replace(fresh, live)
            elif not exchange_paths(fresh, live):
                os.replace(live, Path(scratch) / f"old-{target.prefix.strip('/') or 'root'}")
                os.replace(fresh, live)
    return index

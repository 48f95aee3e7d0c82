"""The search index: Pagefind's extended binary (from PyPI; it segments Chinese), fed from the site model.

Each interface language gets its own bundle (`pagefind/`, `en/pagefind/`, …) whose results link to
that language's paper pages. Pagefind reads small search documents written from the model (titles,
summary as text, batch) at the paper pages' paths rather than the full pages: half the indexing time,
and excerpts come from the summary instead of navigation text. They are indexed as the summaries'
language, which is what lets Pagefind segment Chinese words behind the English interface too. Each
bundle is split into fragments that the browser loads on demand.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from markupsafe import escape

from digestsite.errors import DigestsiteError
from digestsite.lifetime import die_with_parent
from digestsite.markdown import plain_text
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


def write_search_documents(site: Site, folder: Path) -> None:
    """One minimal HTML document per paper and interface language, at the paper page's output path."""
    for lang in site.config.languages:
        html_lang = escape(site.locales[lang].html_lang)
        for paper in site.papers:
            batch = site.batch(paper.batch)
            title = escape(paper.title)
            document = (
                f'<!doctype html><html lang="{html_lang}"><head><meta charset="utf-8"><title>{title}</title></head>'
                f"<body data-pagefind-body><h1>{title}</h1>"
                f'<p data-pagefind-meta="title_zh">{escape(paper.title_zh)}</p>'
                f"<p>{escape(plain_text(paper.summary))}</p>"
                f'<p data-pagefind-meta="batch">{escape(batch.title[lang])}</p></body></html>'
            )
            path = folder / site.routes.path("paper", lang, paper.slug)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(document, "utf-8")


def build_search_index(site: Site, into: Path, background: bool = False) -> None:
    """Write every interface language's bundle under `into` (the site's output or staging folder).

    `background` runs Pagefind at the lowest CPU priority, so the dev server's rebuilds come first.
    """
    # Inside `into`, so that a build killed here leaves nothing the next build would not clean up.
    documents = into / ".search-documents"
    try:
        write_search_documents(site, documents)
        _run_pagefind(documents, search_targets(site), into, background)
    finally:
        shutil.rmtree(documents, ignore_errors=True)


def _run_pagefind(site_dir: Path, targets: Sequence[SearchTarget], into: Path, background: bool) -> None:
    """Index every target's documents, the languages in parallel, into `into`."""
    executable = str(pagefind_executable())
    running = []
    for target in targets:
        pages = f"{target.prefix}papers/**/*.html"
        bundle = str(into / target.bundle)
        language = target.content_lang
        command = [executable, "--site", str(site_dir), "--glob", pages, "--force-language", language,
                   "--output-path", bundle, "--silent"]  # fmt: skip
        running.append(
            subprocess.Popen(
                command,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                preexec_fn=_lowest_priority if background else die_with_parent,
            )
        )
    for process in running:
        out, err = process.communicate()
        if process.returncode != 0:
            detail = (err or out).strip().splitlines()
            raise SearchIndexError(f"search indexing failed: {detail[-1] if detail else process.returncode}")
    for target in targets:
        bundle = into / target.bundle
        for name in _UNUSED:
            (bundle / name).unlink(missing_ok=True)
        _sort_entry_file(bundle / "pagefind-entry.json")


def _lowest_priority() -> None:
    die_with_parent()
    os.nice(19)


def _sort_entry_file(path: Path) -> None:
    """Pagefind lists languages in hash-map order; sorted keys keep identical builds byte-identical."""
    data = json.loads(path.read_text("utf-8"))
    path.write_text(json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")), "utf-8")


def refresh_search_index(site: Site, site_dir: Path, background: bool = False) -> None:
    """Re-index a live output folder: build the bundles beside it, then swap each in whole.

    Pagefind names fragments by content, so indexing over an old bundle would leave stale fragments.
    """
    with tempfile.TemporaryDirectory(prefix=".pagefind-", dir=site_dir) as scratch:
        build_search_index(site, Path(scratch), background)
        for target in search_targets(site):
            fresh, live = Path(scratch) / target.bundle, site_dir / target.bundle
            if not live.exists():
                os.replace(fresh, live)
            elif not exchange_paths(fresh, live):
                os.replace(live, Path(scratch) / f"old-{target.prefix.strip('/') or 'root'}")
                os.replace(fresh, live)

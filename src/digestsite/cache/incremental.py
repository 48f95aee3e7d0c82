"""Rebuilds that re-render only what changed, for the dev server: same bytes as a full build, sooner."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

from jinja2 import Environment

from digestsite.cache.changes import find_changes, prepare_update
from digestsite.cache.file_hashes import FileHashes
from digestsite.cache.keys import files_digest
from digestsite.cache.records import cache_folder
from digestsite.commands.build import all_outputs, plan_groups, write_site
from digestsite.config import load_config
from digestsite.content.model import Diagnostic, failing_diagnostics
from digestsite.errors import ContentError
from digestsite.render.renderer import create_environment
from digestsite.render.theme import theme_dir
from digestsite.search.pagefind import SearchIndexer, refresh_search_index
from digestsite.site.assemble import MemoryParseCache, Site, load_site

# Past this many changed pages (a template or config edit), render into a staging folder and swap it in
# rather than holding every page in memory before writing.
STAGED_REBUILD_PAGES = 400


@dataclass(frozen=True)
class RebuildResult:
    pages_written: int
    files_written: int
    files_removed: int
    full: bool
    seconds: float
    diagnostics: tuple[Diagnostic, ...]


class IncrementalBuilder:
    """Owns one output folder and remembers each file's fingerprint from the last good build.

    A failed rebuild (bad digest, broken template) writes nothing, so the folder keeps the last good site.
    """

    def __init__(self, config_file: Path, output_dir: Path, overrides: dict[str, object] | None = None) -> None:
        self.config_file = config_file
        self.output_dir = output_dir
        self.overrides = dict(overrides or {})
        self._parse_cache = MemoryParseCache()
        self._hashes = FileHashes()  # so a rebuild reads only the digest files that changed
        self._files: dict[str, str] = {}  # the last good build's: path → fingerprint
        self._groups: dict[str, tuple[str, ...]] = {}  # and each keyed output group's paths
        self._environment: tuple[str, Environment] | None = None
        self.site: Site | None = None  # the last site built, for the dev server's search indexer
        self.search_cache: Path | None = None  # shards indexed before, kept apart from `build`'s

    def rebuild(self, *, search: bool = True) -> RebuildResult:
        """Bring the output up to date; with `search=False` the caller refreshes the search index itself."""
        started = time.perf_counter()
        config = replace(load_config(self.config_file, self.overrides), output_dir=self.output_dir)
        hashes = FileHashes(self._hashes.seen)
        site = load_site(config, self._parse_cache, hashes)
        self._hashes = hashes
        if failing_diagnostics(site.diagnostics, strict=False):
            raise ContentError(site.diagnostics)
        groups = plan_groups(site, env=self._template_environment(config.templates_dir))
        changes = find_changes(groups, self._files, self._groups)
        self.site = site
        self.search_cache = cache_folder(config, "serve-search")
        if not self._files or sum(o.is_page for o in changes.changed) > STAGED_REBUILD_PAGES:
            indexer = SearchIndexer(site, self.output_dir, self.search_cache, workers=1) if search else None
            pages, files = write_site(iter(all_outputs(groups)), self.output_dir, indexer)
            removed, full = 0, True
        else:
            update = prepare_update(changes.changed, changes.stale(self._files))  # any failure: nothing written
            update.write(self.output_dir)
            pages, files, removed = update.pages, len(update.files), len(update.stale)
            full = False
            if search and (pages or removed):
                refresh_search_index(site, self.output_dir, self.search_cache)
        self._files, self._groups = changes.files, changes.groups
        return RebuildResult(pages, files, removed, full, time.perf_counter() - started, site.diagnostics)

    def _template_environment(self, templates_dir: Path) -> Environment:
        """One compiled Jinja environment for as long as no template file changes.

        Keyed by the templates' content rather than trusting mtimes, which two quick saves can share.
        """
        key = f"{templates_dir}:{files_digest([templates_dir, theme_dir() / 'templates'])}"
        if self._environment is None or self._environment[0] != key:
            self._environment = (key, create_environment(templates_dir))
        return self._environment[1]

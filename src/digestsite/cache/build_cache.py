"""The speed seam: one object the build pipeline asks what it may reuse, and tells what it made.

The pipeline (commands/build.py) is the same with every cache; only the answers differ:
- `NoCache` reuses nothing and keeps nothing: `build --no-cache`, `deploy`, and the default;
- `DiskCache` keeps everything in `.digestsite-cache/` beside site.yaml (file hashes, parses, compiled
  templates, rendered pages, the search index's records and chunks, and a manifest of the output
  folder), so an unchanged build returns at once and an edit rewrites only what changed;
- `ServeCache` is the dev server's: the same idea, held in memory between rebuilds.
No stage imports this package: stages take plain protocols (ParseStore, IndexStore, Producer).

This module imports no stage at load time (the parser, Jinja and markdown-it take a fifth of a second
to load): what the stores need is imported when a build runs past the up-to-date check.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from digestsite.cache.changes import Changes, find_changes
from digestsite.cache.file_hashes import FileHashes
from digestsite.cache.keys import Keys, tree_digest
from digestsite.cache.manifest import Manifest, Records
from digestsite.cache.memo import StoredMemo
from digestsite.cache.page_store import Location, PageStore, Producer
from digestsite.cache.pickles import CACHE_STAMP, read_pickle, write_pickle
from digestsite.cache.search_store import FolderIndexStore, MemoryIndexStore
from digestsite.config import Config
from digestsite.content.model import Diagnostic, failing_diagnostics
from digestsite.render.theme import bundled_folders

if TYPE_CHECKING:
    from jinja2 import Environment

    from digestsite.cache.metadata import KeptMetadata
    from digestsite.cache.parses import MemoryParses
    from digestsite.render.outputs import OutputPlan
    from digestsite.render.papers_json import BatchPart
    from digestsite.search.indexer import IndexStore
    from digestsite.site.related import DescribeMemo, RelatedMemo
    from digestsite.site.sources import MetadataSource, ParseStore
    from digestsite.site.topics import TagMemo

    BrowseMemos = tuple[TagMemo | None, RelatedMemo | None, DescribeMemo | None]

CACHE_DIR = ".digestsite-cache"
# Past this many changed pages (a template edit) a staged full write is faster than an in-place update,
# which holds every changed page in memory before writing.
IN_PLACE_PAGES = 1000


@dataclass
class Update:
    """What a build writes: the changes, whether they go into the live folder in place (else the whole
    site is staged and swapped in), and the keys of the live site's search index."""

    changes: Changes
    in_place: bool = False
    live_search: Sequence[str] = ()


class NoCache:
    """Reuses nothing and keeps nothing."""

    def reusable(self, config: Config, options: object, strict: bool) -> list[Diagnostic] | None:
        """The last build's diagnostics when its output stands as it is; None means: build."""
        return None

    def parses(self, config: Config) -> ParseStore | None:
        return None  # every file parsed afresh

    def metadata(self, config: Config) -> MetadataSource | None:
        return None  # every line read afresh, every filled paper hashed if a key is asked for

    def environment(self, config: Config) -> Environment:
        from digestsite.render.environment import create_environment

        return create_environment(config.templates_dir)

    def search_store(self, config: Config) -> IndexStore | None:
        return None  # every paper indexed afresh

    def batch_part(self, config: Config) -> BatchPart | None:
        return None

    def browse_memos(self, config: Config) -> BrowseMemos:
        return None, None, None  # every paper tagged and described, and related papers ranked, afresh

    def update(self, config: Config, plan: OutputPlan) -> Update:
        return Update(Changes(planned=[(output, "") for output in plan.outputs()]))

    def producer(self) -> Producer:
        return Producer(None)

    def record(self, update: Update, outcomes: Sequence[object], search: Sequence[str], site: object) -> None:
        pass


class _KeyedCache(NoCache):
    """What the disk and dev-server caches share: keys, file hashes, and finding changes against a record."""

    def __init__(self, hashes: FileHashes) -> None:
        self.keys = Keys()
        self.hashes = hashes
        self._metadata: KeptMetadata | None = None  # kept as long as the cache: the dev server's session

    def metadata(self, config: Config) -> MetadataSource | None:
        from digestsite.cache.metadata import KeptMetadata

        self._metadata = self._metadata or KeptMetadata(self.keys)
        return self._metadata

    def _new_browse_memos(self, folder: Path | None) -> tuple[StoredMemo, StoredMemo, StoredMemo]:
        """Each paper's topics and features, and the ranking of related papers, kept in `folder` (None: in
        memory)."""
        from digestsite.site.related import described, ranked
        from digestsite.site.topics import tagged

        def kept(name: str) -> Path | None:
            return folder / name if folder else None

        topics = StoredMemo(kept("topics.pickle"), tagged, self.keys, derived=1)
        related = StoredMemo(kept("related.pickle"), ranked, self.keys, derived=2)
        return topics, related, StoredMemo(kept("features.pickle"), described, self.keys)

    def _changes(
        self,
        plan: OutputPlan,
        files: dict[str, str],
        groups: dict[str, tuple[str, ...]],
        made: dict[str, str] | None = None,
    ) -> Changes:
        # Every fingerprint starts from one salt over what all outputs share, the template files included.
        salt = self.keys.combine(CACHE_STAMP, *plan.shared, tree_digest(plan.template_folders))
        return find_changes(plan, self.keys, salt, files, groups, made)


class DiskCache(_KeyedCache):
    """Everything kept in `.digestsite-cache/`; a read-only site folder just builds every time."""

    def __init__(self, config: Config) -> None:
        self.folder = config.root / CACHE_DIR
        known = read_pickle(self.folder / "hashes.pickle")
        super().__init__(FileHashes(known if isinstance(known, dict) else None))
        self.records = Records(self.folder, config.output_dir)
        self._inputs = ""
        self._parses: ParseStore | None = None
        self._pages: PageStore | None = None
        self._memo: StoredMemo | None = None
        self._browse: tuple[StoredMemo, ...] = ()  # each paper's topics, the ranking, each paper's features

    def _sub(self, name: str = "") -> Path | None:
        """A folder of the cache, made if need be; None where it cannot be (a read-only site folder)."""
        folder = self.folder / name if name else self.folder
        try:
            folder.mkdir(parents=True, exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.is_file():
                ignore.write_text("*\n", "utf-8")
        except OSError:
            return None
        return folder

    def reusable(self, config: Config, options: object, strict: bool) -> list[Diagnostic] | None:
        # The input key: everything a build reads, from the settings to every source and bundled file.
        sources = tree_digest((*config.source_folders, *bundled_folders()), self.hashes)
        self._inputs = self.keys.combine(CACHE_STAMP, options, config, sources)
        if self.hashes.changed and self._sub() is not None:
            write_pickle(self.folder / "hashes.pickle", self.hashes.seen)
        reused = self.records.last_build(self._inputs)
        if reused is not None and failing_diagnostics(reused, strict):
            return None  # --strict must fail on the warnings again, not pass because nothing changed
        return reused

    def metadata(self, config: Config) -> MetadataSource | None:
        from digestsite.cache.metadata import KeptMetadata

        folder = self._sub()
        path = folder / "metadata-lines.pickle" if folder is not None else None
        self._metadata = self._metadata or KeptMetadata(self.keys, path)
        return self._metadata

    def parses(self, config: Config) -> ParseStore | None:
        from digestsite.cache.parses import StoredParses

        folder = self._sub("parsed")
        self._parses = StoredParses(folder, self.hashes, self.keys) if folder is not None else None
        return self._parses

    def environment(self, config: Config) -> Environment:
        from digestsite.render.environment import create_environment

        return create_environment(config.templates_dir, self._sub("templates"))

    def search_store(self, config: Config) -> IndexStore | None:
        folder = self._sub("search")
        return FolderIndexStore(folder, self.keys) if folder is not None else None

    def batch_part(self, config: Config) -> BatchPart | None:
        from digestsite.render.papers_json import batch_json

        folder = self._sub()
        self._memo = StoredMemo(folder / "papers-json.pickle", batch_json, self.keys, derived=1) if folder else None
        return self._memo

    def browse_memos(self, config: Config) -> BrowseMemos:
        folder = self._sub()
        if folder is None:
            return None, None, None
        self._browse = self._new_browse_memos(folder)
        return self._browse

    def update(self, config: Config, plan: OutputPlan) -> Update:
        if self._parses is not None:
            self._parses.prune()  # type: ignore[attr-defined]  # parsing is over: drop the parses of files that are gone or changed
        previous = self.records.manifest()
        folder = self._sub("pages")
        self._pages = PageStore(folder) if folder is not None else None
        if previous is None:
            return Update(self._changes(plan, {}, {}))
        if not previous.intact:  # no output, or not as the last build left it: write everything, taking
            return Update(self._changes(plan, {}, previous.groups, previous.files))  # unchanged groups' fingerprints
        changes = self._changes(plan, previous.files, previous.groups)
        return Update(changes, changes.pages <= IN_PLACE_PAGES, previous.search)

    def producer(self) -> Producer:
        return Producer(self._pages)

    def record(self, update: Update, outcomes: Sequence[object], search: Sequence[str], site: object) -> None:
        changes = update.changes
        if self._pages is not None:
            added: dict[str, Location] = {}
            for outcome in outcomes:
                added.update(outcome)  # type: ignore[call-overload]
            self._pages.save(changes.files.values(), added)  # asset paths among them match no page: harmless
        for memo in (self._memo, *self._browse):
            if memo is not None:
                memo.save()
        if self._metadata is not None:
            self._metadata.save()
        if self._sub() is not None:
            diagnostics: tuple[Diagnostic, ...] = getattr(site, "diagnostics", ())
            with contextlib.suppress(OSError):
                self.records.save(Manifest(changes.files, changes.groups, list(search)), self._inputs, diagnostics)


class ServeCache(_KeyedCache):
    """The dev server's: parses, file hashes, the Jinja environment, the search index's store and the
    output's record, in memory."""

    def __init__(self) -> None:
        super().__init__(FileHashes())
        self._parses: MemoryParses | None = None
        self._environment: tuple[str, Environment] | None = None
        self._files: dict[str, str] = {}
        self._groups: dict[str, tuple[str, ...]] = {}
        self.live_search: list[str] = []  # the keys of the search index in the served folder
        self._search = MemoryIndexStore(self.keys)
        # Each paper's topics and features, as long as the glossary and paper are the same, and the ranking
        # of related papers, for the same features and topics.
        self._browse: tuple[StoredMemo, ...] = ()

    def parses(self, config: Config) -> ParseStore | None:
        from digestsite.cache.parses import MemoryParses

        self.hashes.start_over()  # a rebuild reads only the digest files that changed
        self._parses = self._parses or MemoryParses(self.hashes, self.keys)
        return self._parses

    def environment(self, config: Config) -> Environment:
        """One compiled Jinja environment for as long as no template file changes (by content, not mtime)."""
        from digestsite.render.environment import create_environment, template_folders

        key = tree_digest(template_folders(config.templates_dir))
        if self._environment is None or self._environment[0] != key:
            self._environment = (key, create_environment(config.templates_dir))
        return self._environment[1]

    def search_store(self, config: Config) -> IndexStore | None:
        return self._search

    def browse_memos(self, config: Config) -> BrowseMemos:
        if not self._browse:
            self._browse = self._new_browse_memos(None)
        return self._browse

    def update(self, config: Config, plan: OutputPlan) -> Update:
        changes = self._changes(plan, self._files, self._groups)
        in_place = bool(self._files) and changes.pages <= IN_PLACE_PAGES
        return Update(changes, in_place, self.live_search)

    def record(self, update: Update, outcomes: Sequence[object], search: Sequence[str], site: object) -> None:
        self._files, self._groups = update.changes.files, update.changes.groups
        for memo in self._browse:
            memo.save()
        if search:
            self.live_search = list(search)
        elif not update.in_place:
            self.live_search = []  # a staged write replaced the whole folder, its search index included

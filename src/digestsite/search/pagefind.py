"""The search index: Pagefind's extended binary (from PyPI; it segments Chinese), fed from the site model.

One index serves every interface language: the search documents hold both titles, the summary as
text and the batch's title in each language, and each search page tells Pagefind its own language's
root, so results link to that language's paper pages. Documents are indexed as the summaries'
language, which is what lets Pagefind segment Chinese words behind the English interface too.

The index is split into shards (see SHARD_LEVELS), cut at batch boundaries chosen by the batches'
names (not their positions), so an edit or a new batch changes one shard and leaves the others' cut
points alone. Pagefind indexes each shard in its own process, two at a time, which keeps
each process small; a shard whose documents are unchanged is copied from the build cache instead of
indexed again. The search page loads the first shard and merges the others (Pagefind's `mergeIndex`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from markupsafe import escape

from digestsite.content.markdown import plain_text
from digestsite.content.model import Paper
from digestsite.errors import DigestsiteError
from digestsite.lifetime import die_with_parent
from digestsite.output.staging import exchange_paths
from digestsite.site.assemble import Site

SEARCH_DIR = "pagefind"


@dataclass(frozen=True)
class ShardLevel:
    """How batches are cut into shards at one level: a shard ends at `most` papers, or at `least` papers
    on a batch whose name hashes to 0 modulo `cut` (so cut points depend on names, not positions)."""

    cut: int
    least: int
    most: int


# Every shard costs a reader a request and a few kilobytes per query, and re-indexing one costs an
# edit Pagefind's time: about 0.3 s plus 1 ms a paper (2,500 papers: 3 s, in 210 MiB). So the older
# batches are in a few large shards, those since the last large cut in middle-sized ones, and the
# newest batches, the ones being edited, in small ones that Pagefind re-indexes in under half a second.
SHARD_LEVELS = (ShardLevel(40, 1000, 2500), ShardLevel(8, 200, 500), ShardLevel(4, 40, 120))
_FORMAT = "2"  # bump when the documents or the post-processing of a bundle change
# Pagefind's ready-made UIs; digestsite's search page talks to pagefind.js directly.
_UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
           "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")  # fmt: skip
_SCRIPTS = ("pagefind.js", "pagefind-worker.js")  # only the first shard's are loaded


class SearchIndexError(DigestsiteError):
    """Pagefind is missing or failed; the build is refused rather than published without search."""


@dataclass(frozen=True)
class Shard:
    """Some consecutive batches' papers, and a key over everything their search documents are made of."""

    number: int
    papers: tuple[Paper, ...]
    key: str

    @property
    def bundle(self) -> str:
        return shard_bundle(self.number)


def shard_bundles(site: Site) -> list[str]:
    """The bundle folders of the site's index, first (primary) first; cheap, for the search pages."""
    return [shard_bundle(number) for number in range(len(_shard_groups(site)))]


def shard_bundle(number: int) -> str:
    return SEARCH_DIR if number == 0 else f"{SEARCH_DIR}/part-{number}"


def _shard_groups(site: Site) -> list[list[Paper]]:
    """Papers grouped into shards, oldest batch first, so new batches only ever touch the newest shards.

    The batches are cut into shards at the first of SHARD_LEVELS. The newest batch is never in one
    of those: it and the batches after the last cut are cut at the next level, and so on. A new
    batch changes the last shard of the last level, or closes a shard of a higher level, into which
    the lower levels' shards after its last cut then merge.
    """
    papers_of: dict[str, list[Paper]] = {}
    for paper in site.papers:
        papers_of.setdefault(paper.batch, []).append(paper)
    oldest_first = [(batch.slug, papers_of.get(batch.slug, [])) for batch in reversed(site.batches)]
    shards = [[paper for _, papers in group for paper in papers] for group in _layout(oldest_first, SHARD_LEVELS)]
    return shards or [[]]


Batches = list[tuple[str, list[Paper]]]  # (slug, papers) oldest first


def _layout(batches: Batches, levels: tuple[ShardLevel, ...]) -> list[Batches]:
    if len(levels) == 1:
        return [group for group in _cut(batches, levels[0]) if group]
    closed = _cut(batches[:-1], levels[0])[:-1]  # never the newest batch
    rest = batches[sum(len(group) for group in closed) :]
    return closed + _layout(rest, levels[1:])


def _cut(batches: Batches, level: ShardLevel) -> list[Batches]:
    """Consecutive batches in groups cut as `level` says; the last group may be empty."""
    groups: list[Batches] = [[]]
    size = 0
    for slug, papers in batches:
        groups[-1].append((slug, papers))
        size += len(papers)
        if size >= level.most or (size >= level.least and _slug_hash(slug) % level.cut == 0):
            groups.append([])
            size = 0
    return groups


def _slug_hash(slug: str) -> int:
    return int.from_bytes(hashlib.blake2b(slug.encode(), digest_size=4).digest(), "big")


def plan_shards(site: Site) -> list[Shard]:
    """Every shard with its key, which covers its papers, their batches' titles, Pagefind's version and
    the indexing language; documents are only made for shards that need indexing."""
    content_lang = _content_language(site)
    salt = f"{_FORMAT}\0{_pagefind_version()}\0{content_lang}\0{site.config.languages}\0"
    shards = []
    for number, papers in enumerate(_shard_groups(site)):
        digest = hashlib.blake2b(salt.encode(), digest_size=16)
        titles: dict[str, bytes] = {}
        for paper in papers:
            if paper.batch not in titles:
                batch = site.batch(paper.batch)
                titles[paper.batch] = repr([batch.title[lang] for lang in site.config.languages]).encode(
                    "utf-8", "surrogatepass"
                )
            digest.update(paper.content_key.encode())
            digest.update(titles[paper.batch])
        shards.append(Shard(number, tuple(papers), digest.hexdigest()))
    return shards


def _documents(site: Site, shard: Shard) -> dict[str, str]:
    """Output path (the first language's paper page) → search document, for every paper of a shard."""
    first = site.config.languages[0]
    return {site.routes.path("paper", first, paper.slug): _document(site, paper) for paper in shard.papers}


def _content_language(site: Site) -> str:
    summary_langs = Counter(p.summary_lang for p in site.papers)
    return summary_langs.most_common(1)[0][0].split("-")[0] if summary_langs else "zh"


def _document(site: Site, paper: Paper) -> str:
    """A paper's search document: what a result shows, and the text it is found by."""
    batch = site.batch(paper.batch)
    title = escape(paper.title)
    batch_titles = "".join(
        f'<p data-pagefind-meta="batch_{lang}">{escape(batch.title[lang])}</p>' for lang in site.config.languages
    )
    return (
        f'<!doctype html><html lang="{escape(paper.summary_lang)}"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head><body data-pagefind-body><h1>{title}</h1>"
        f'<p data-pagefind-meta="title_zh">{escape(paper.title_zh)}</p>'
        f"<p>{escape(plain_text(paper.summary))}</p>{batch_titles}</body></html>"
    )


def _pagefind_version() -> str:
    try:
        return version("pagefind_bin_extended")
    except PackageNotFoundError:
        return "unknown"


def pagefind_executable() -> Path:
    try:
        from pagefind_bin_extended import get_executable  # type: ignore[import-untyped]
    except ImportError:
        raise SearchIndexError("search needs Pagefind: pip install 'pagefind[extended]'") from None
    return Path(get_executable())


class SearchIndexer:
    """Indexes a site's shards into a folder: started early, so Pagefind runs while pages render.

    `start()` launches the first shards that need Pagefind and returns; `finish()` (or
    `finish_in_place()`) runs the rest, then puts the shards' bundles in place (from the cache when
    there is one).
    With a `cache_dir`, freshly indexed shards are kept there and shards no longer used are dropped.
    """

    def __init__(
        self,
        site: Site,
        into: Path,
        cache_dir: Path | None = None,
        workers: int = 2,
        background: bool = False,
        scratch: Path | None = None,
    ) -> None:
        self.site = site
        self.shards = plan_shards(site)
        self.into = into
        self.cache_dir = cache_dir
        self.workers = max(1, workers)
        self.background = background
        self._language = _content_language(site)
        # Pagefind numbers pages in the order the file system lists them, which differs between file
        # systems: the documents always go beside the cache (or to the temporary folder), never beside
        # the output, so one site indexes to the same bytes whatever its output folder.
        self._work = _documents_folder(scratch or (cache_dir.parent if cache_dir is not None else None))
        self._pending = [s for s in self.shards if not self._cached(s)]
        self._running: list[tuple[Shard, Path, subprocess.Popen[str]]] = []
        self._started = False

    def _cached(self, shard: Shard) -> bool:
        return self.cache_dir is not None and (self.cache_dir / shard.key / "pagefind-entry.json").is_file()

    def start(self) -> SearchIndexer:
        """Launch Pagefind on the first shards that need it; calling it again does nothing more."""
        if not self._started:
            self._started = True
            self._launch()
        return self

    def wait(self) -> None:
        """Let Pagefind index every shard that needs it (into the cache, when there is one); the
        search documents are removed whether it succeeds or not."""
        try:
            self.start()
            while self._running:
                self._wait_one()
                self._launch()
        finally:
            for _, _, process in self._running:
                process.kill()
            self._running.clear()
            shutil.rmtree(self._work, ignore_errors=True)

    def finish(self) -> None:
        """Wait, then put every shard in place under `into`, which holds no index yet."""
        self.wait()
        for shard in self.shards:  # the first shard first: the others go inside its folder
            self._place(shard, self.into / shard.bundle)
        if self.cache_dir is not None:
            self._forget_unused()

    def finish_in_place(self, previous: Sequence[str]) -> None:
        """Wait, then swap in just the shards whose keys differ from `previous` (the live index's).

        `into` is the live site and the index comes from the cache.
        """
        assert self.cache_dir is not None
        self.wait()
        live = self.into / SEARCH_DIR
        for shard in self.shards[1:]:
            if shard.number < len(previous) and previous[shard.number] == shard.key:
                continue
            fresh = live / f".{shard.number}.new"
            self._place(shard, fresh)
            _swap_in(fresh, self.into / shard.bundle)
        for number in range(len(self.shards), len(previous)):
            shutil.rmtree(self.into / shard_bundle(number), ignore_errors=True)
        if not previous or previous[0] != self.shards[0].key:
            fresh = self.into / f".{SEARCH_DIR}.new"
            self._place(self.shards[0], fresh)
            for shard in self.shards[1:]:  # the other shards live inside the first one's folder
                os.replace(self.into / shard.bundle, fresh / f"part-{shard.number}")
            _swap_in(fresh, live)
        self._forget_unused()

    def _fresh(self, shard: Shard) -> Path:
        """Where Pagefind writes a shard: into the cache when there is one, else beside the documents."""
        if self.cache_dir is None:
            return self.into / f".search-bundle-{shard.number}"
        return self.cache_dir / f".new-{shard.key}-{os.getpid()}"

    def _place(self, shard: Shard, target: Path) -> None:
        ignore = None if shard.number == 0 else shutil.ignore_patterns(*_SCRIPTS)
        if self.cache_dir is not None:  # copies, not links: the cache must not change with the site
            shutil.copytree(self.cache_dir / shard.key, target, ignore=ignore, copy_function=shutil.copyfile)
            return
        os.replace(self._fresh(shard), target)
        if shard.number != 0:
            for name in _SCRIPTS:
                (target / name).unlink(missing_ok=True)

    def _launch(self) -> None:
        while self._pending and len(self._running) < self.workers:
            shard = self._pending.pop(0)
            documents = self._work / f"documents-{shard.number}"
            for path, document in _documents(self.site, shard).items():
                target = documents / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(document, "utf-8")
            bundle = self._fresh(shard)
            if bundle.exists():
                shutil.rmtree(bundle)
            bundle.parent.mkdir(parents=True, exist_ok=True)
            command = [str(pagefind_executable()), "--site", str(documents), "--force-language", self._language,
                       "--output-path", str(bundle), "--silent"]  # fmt: skip
            process = subprocess.Popen(
                command,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                preexec_fn=_lowest_priority if self.background else die_with_parent,
            )
            self._running.append((shard, bundle, process))

    def poll(self) -> None:
        """Collect the Pagefind runs that have ended and start the next shards; never blocks."""
        while any(process.poll() is not None for _, _, process in self._running):
            done = next(i for i, (_, _, process) in enumerate(self._running) if process.returncode is not None)
            self._wait_one(done)
            self._launch()

    def _wait_one(self, index: int = 0) -> None:
        shard, bundle, process = self._running.pop(index)
        out, err = process.communicate()
        shutil.rmtree(self._work / f"documents-{shard.number}", ignore_errors=True)
        if process.returncode != 0:
            detail = (err or out).strip().splitlines()
            raise SearchIndexError(f"search indexing failed: {detail[-1] if detail else process.returncode}")
        for name in _UNUSED:
            (bundle / name).unlink(missing_ok=True)
        _sort_entry_file(bundle / "pagefind-entry.json")
        if self.cache_dir is not None:
            try:
                os.rename(bundle, self.cache_dir / shard.key)
            except OSError:  # another build cached the same shard first: identical bytes
                shutil.rmtree(bundle, ignore_errors=True)

    def _forget_unused(self) -> None:
        assert self.cache_dir is not None
        keep = {shard.key for shard in self.shards}
        for entry in os.scandir(self.cache_dir):
            if entry.name not in keep and not entry.name.startswith("."):
                shutil.rmtree(entry.path, ignore_errors=True)


_DOCUMENTS_PREFIX = ".search-documents-"


def _documents_folder(scratch: Path | None) -> Path:
    """A folder of this process for search documents; those of builds that died are removed."""
    root = scratch or Path(tempfile.gettempdir())
    for entry in root.glob(f"{_DOCUMENTS_PREFIX}*"):
        pid = entry.name[len(_DOCUMENTS_PREFIX) :]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(entry, ignore_errors=True)
    return root / f"{_DOCUMENTS_PREFIX}{os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _swap_in(fresh: Path, live: Path) -> None:
    """Replace the folder `live` by `fresh` in one step where the OS allows; `fresh` ends up removed."""
    if not live.exists():
        os.replace(fresh, live)
        return
    if not exchange_paths(fresh, live):
        old = live.with_name(f".{live.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(live, old)
        os.replace(fresh, live)
        fresh = old
    shutil.rmtree(fresh, ignore_errors=True)


def _lowest_priority() -> None:
    die_with_parent()
    os.nice(19)


def _sort_entry_file(path: Path) -> None:
    """Pagefind lists languages in hash-map order; sorted keys keep identical builds byte-identical."""
    data = json.loads(path.read_text("utf-8"))
    path.write_text(json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")), "utf-8")


def refresh_search_index(site: Site, site_dir: Path, cache_dir: Path | None = None, background: bool = False) -> None:
    """Re-index a live output folder: build the index beside it, then swap it in whole.

    Pagefind names fragments by content, so indexing over an old bundle would leave stale fragments.
    """
    with tempfile.TemporaryDirectory(prefix=".pagefind-", dir=site_dir) as scratch:
        SearchIndexer(site, Path(scratch), cache_dir, background=background).finish()
        _swap_in(Path(scratch) / SEARCH_DIR, site_dir / SEARCH_DIR)

"""Plan every output file, render it, write it into a staging folder and swap that in atomically."""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path

from jinja2 import Environment

from digestsite.cache.changes import Changes, find_changes, prepare_update
from digestsite.cache.file_hashes import FileHashes
from digestsite.cache.keys import Fingerprinter, files_digest
from digestsite.cache.page_store import Location, PageStore, Producer
from digestsite.cache.records import (
    Manifest,
    StoredParses,
    cache_folder,
    forget_output,
    load_file_hashes,
    load_manifest,
    remember,
    reusable_build,
    save_manifest,
)
from digestsite.config import Config
from digestsite.content.model import Batch, Diagnostic, failing_diagnostics
from digestsite.errors import ContentError
from digestsite.lifetime import die_with_parent
from digestsite.output.staging import OutputWriter
from digestsite.render.assets import collect_assets
from digestsite.render.feeds import atom_feed
from digestsite.render.papers_json import papers_json
from digestsite.render.renderer import Renderer, create_environment
from digestsite.render.sitemap import robots_txt, sitemap_xml
from digestsite.render.theme import theme_dir
from digestsite.search.pagefind import SearchIndexer, shard_bundles
from digestsite.site.assemble import Site, load_site
from digestsite.site.pages import Page, batch_group, batch_group_inputs, owned_papers, plan_pages, site_pages


@dataclass(frozen=True)
class BuildResult:
    output_dir: Path
    pages: int
    files: int
    papers: int
    batches: int
    seconds: float
    diagnostics: tuple[Diagnostic, ...]
    stages: dict[str, float] = field(default_factory=dict)  # seconds per stage, for benchmarks
    up_to_date: bool = False  # nothing changed since the last build: nothing was written


@dataclass(frozen=True)
class Output:
    """One file of the built site, produced on demand or copied from `source`.

    Equal fingerprints mean equal bytes, so a rebuild may skip an output whose fingerprint it has seen.
    """

    path: str
    fingerprint: str
    produce: Callable[[], str | bytes] | None = None
    source: Path | None = None
    is_page: bool = False
    stored: bool = True  # kept in the page store; not for what is cheaper to make than to keep


def build(
    config: Config,
    *,
    strict: bool = False,
    local: bool = False,
    use_cache: bool = True,
    inputs: str = "",
    hashes: FileHashes | None = None,
) -> BuildResult:
    """Build the whole site; on any failure the previous output stays exactly as it was.

    With `use_cache`, a build whose inputs and output are unchanged since the last one returns at once.
    A caller that already found the cache stale passes its input key as `inputs`, and the file hashes
    it computed it with, and they are not worked out again.
    """
    started = time.perf_counter()

    def cache(name: str = "") -> Path | None:
        """A folder of the build cache; None without one."""
        return cache_folder(config, name) if use_cache else None

    reused = None
    hashes = hashes or (load_file_hashes(config) if use_cache else None)
    if use_cache and not inputs:
        inputs, reused = reusable_build(config, local, strict, hashes)
    if reused is not None:
        return BuildResult(config.output_dir, 0, 0, 0, 0, time.perf_counter() - started, tuple(reused), {}, True)

    parses_folder = cache("parsed")
    parses = StoredParses(parses_folder) if parses_folder is not None else None
    site = load_site(config, parses, hashes)
    if parses is not None:
        parses.prune()
    stages = {"parse": time.perf_counter() - started}
    if failing_diagnostics(site.diagnostics, strict):
        raise ContentError(site.diagnostics)
    clock = time.perf_counter()
    search_cache = cache("search")
    # With a cache Pagefind starts now, on what changed, and indexes while pages are planned and rendered;
    # without one it writes into the staging folder, so it starts once there is one.
    scratch = cache_folder(config)  # search documents go beside the cache even when it is not used
    indexer = SearchIndexer(site, config.output_dir, search_cache, default_workers(), scratch=scratch)
    if search_cache is not None:
        indexer.start()
    env = create_environment(config.templates_dir, cache("templates"))
    groups = plan_groups(site, local=local, env=env, cache=cache())
    previous = load_manifest(config) if use_cache else None
    changes = find_changes(groups, previous.files, previous.groups) if previous else find_changes(groups, {}, {})
    stages["plan"] = time.perf_counter() - clock
    pages_cache = cache("pages")
    store = PageStore(pages_cache) if pages_cache is not None else None
    if previous is not None and sum(o.is_page for o in changes.changed) <= IN_PLACE_PAGES:
        pages, files = _update(config, changes, previous, indexer, store, stages)
    else:
        pages, files = write_site(all_outputs(groups), config.output_dir, indexer, default_workers(), stages, store)
    if use_cache:
        save_manifest(config, Manifest(changes.files, changes.groups, [shard.key for shard in indexer.shards]))
    result = BuildResult(
        output_dir=config.output_dir,
        pages=pages,
        files=files,
        papers=len(site.papers),
        batches=len(site.batches),
        seconds=time.perf_counter() - started,
        diagnostics=site.diagnostics,
        stages=stages,
    )
    if use_cache:
        remember(config, inputs, site.diagnostics)
    return result


IN_PLACE_PAGES = 1000  # more changed pages than this (a template edit) and a staged full build is faster


def _update(
    config: Config,
    changes: Changes,
    previous: Manifest,
    indexer: SearchIndexer,
    store: PageStore | None,
    stages: dict[str, float],
) -> tuple[int, int]:
    """Rewrite just what changed in an output folder the last build left as it is."""
    clock = time.perf_counter()
    update = prepare_update(changes.changed, changes.stale(previous.files), store)
    stages["render+write"] = time.perf_counter() - clock
    clock = time.perf_counter()
    indexer.wait()  # Pagefind ran meanwhile; if it failed, nothing has been written yet
    stages["search"] = time.perf_counter() - clock
    clock = time.perf_counter()
    forget_output(config)
    update.write(config.output_dir)
    indexer.finish_in_place(previous.search)
    stages["write"] = time.perf_counter() - clock
    if store is not None:
        store.save(changes.files.values(), update.added)  # asset paths among them match no page: harmless
    return update.pages, len(update.files)


@dataclass(frozen=True)
class OutputGroup:
    """Outputs planned together: a batch's pages, or the site-wide files.

    A group's `key` covers everything its outputs are made of, so a group whose key the last build
    recorded has the same outputs with the same fingerprints, and an update need not plan it at all:
    at 10,000 papers that saves fingerprinting 20,000 pages after a one-digest edit. Groups without a
    key are planned every time.
    """

    key: str | None
    plan: Callable[[], list[Output]]

    @cached_property
    def outputs(self) -> list[Output]:
        return self.plan()


def all_outputs(groups: Iterable[OutputGroup]) -> list[Output]:
    return [output for group in groups for output in group.outputs]


def plan_groups(
    site: Site, *, local: bool = False, env: Environment | None = None, cache: Path | None = None
) -> list[OutputGroup]:
    """Every file of the site in groups; nothing is fingerprinted until a group's outputs are asked for.

    With `cache` (the build cache's folder), producing `papers.json` reuses the parts of it kept there.
    """
    planner = _Planner(site, local, env, cache)
    groups = [OutputGroup(None, planner.site_wide)]
    for batch in site.batches:
        key = planner.fingerprints.combine("batch group", *batch_group_inputs(site, batch))
        groups.append(OutputGroup(key, partial(planner.batch_outputs, batch)))
    return groups


class _Planner:
    """Fingerprints outputs and knows how to produce them, for one site."""

    def __init__(self, site: Site, local: bool, env: Environment | None, cache: Path | None) -> None:
        config = site.config
        self.site = site
        self.papers_json_parts = cache / "papers-json.pickle" if cache is not None else None
        self.assets = collect_assets(theme_dir() / "static", config.static_dir)
        self.renderer = Renderer(site, self.assets, local=local, env=env)
        self.fingerprints = Fingerprinter(
            repr((config.title, config.description, config.base_url, config.languages, config.feed_size, local)),
            repr([sorted(site.locales[lang].strings.items()) for lang in config.languages]),
            files_digest([config.templates_dir, theme_dir() / "templates"]),
            repr(sorted((name, asset.path) for name, asset in self.assets.items())),
        )

    def pages(self, pages: Iterable[Page]) -> list[Output]:
        render, fingerprint = self.renderer.render, self.fingerprints.page
        return [Output(page.path, fingerprint(page), partial(render, page), is_page=True) for page in pages]

    def batch_outputs(self, batch: Batch) -> list[Output]:
        return self.pages(batch_group(self.site, batch))

    def site_wide(self) -> list[Output]:
        site, config, combine = self.site, self.site.config, self.fingerprints.combine
        bundles = shard_bundles(site)
        outputs = self.pages(page for lang in config.languages for page in site_pages(site, lang, bundles))
        outputs += [Output(asset.path, asset.path, source=asset.source) for asset in self.assets.values()]
        data = partial(papers_json, site, self.papers_json_parts)
        outputs.append(Output("papers.json", combine("papers.json", site.batches), data, stored=False))
        cname = config.cname + "\n" if config.cname else None
        for path, text in {".nojekyll": "", "robots.txt": robots_txt(site), "CNAME": cname}.items():
            if text is not None:
                outputs.append(Output(path, combine(path, text), partial(str, text)))
        if config.base_url:  # feeds and sitemaps need absolute URLs
            outputs += self._feeds_and_sitemap()
        return outputs

    def _feeds_and_sitemap(self) -> list[Output]:
        site, combine = self.site, self.fingerprints.combine
        # The sitemap lists every page's path and date, which follow from the batches' slugs and dates and
        # the slugs of the papers each batch owns: hashing those is far cheaper than planning the pages.
        listing = repr([(b.slug, b.date, [p.slug for p in owned_papers(b)]) for b in site.batches])
        outputs = [Output("sitemap.xml", combine("sitemap", listing), lambda: sitemap_xml(site, plan_pages(site)))]
        newest = site.papers[: site.config.feed_size]
        feed_inputs = (newest, tuple(site.batch(p.batch) for p in newest))
        for lang in site.config.languages:
            feed = site.routes.path("feed", lang)
            produce = partial(atom_feed, site, lang, self.renderer.summary_html)
            outputs.append(Output(feed, combine(feed, feed_inputs), produce))
        return outputs


def write_site(
    outputs: Iterator[Output],
    output_dir: Path,
    indexer: SearchIndexer | None = None,
    workers: int = 1,
    stages: dict[str, float] | None = None,
    store: PageStore | None = None,
) -> tuple[int, int]:
    """Produce every output (and the search index) into a staging folder and swap it in.

    Pages come from the `store` when it has their fingerprint, else they are rendered (and added to
    it). With `workers` > 1 that is done by forked processes, each writing its share straight into
    the staging folder. The `indexer` may have been started already (with a cache it indexes into
    the cache); it keeps Pagefind busy while pages render, then puts the index in the staging folder.
    Returns (pages, files) written, not counting the search index.
    """
    stages = stages if stages is not None else {}
    clock = time.perf_counter()
    planned = list(outputs)
    produced = [o for o in planned if o.source is None]
    stages["plan"] = stages.get("plan", 0.0) + time.perf_counter() - clock
    clock = time.perf_counter()
    with OutputWriter(output_dir) as out:
        if indexer is not None:
            indexer.into = out.staging
            indexer.start()
        for output in planned:
            if output.source is not None:
                out.copy(output.path, output.source)
            else:
                out.reserve(output.path)
        parallel = workers > 1 and len(produced) >= PARALLEL_MIN_PAGES and "fork" in mp.get_all_start_methods()
        added = _produce(produced, out.staging, workers if parallel else 1, store, indexer)
        stages["render+write"] = time.perf_counter() - clock
        clock = time.perf_counter()
        if indexer is not None:
            indexer.finish()
        stages["search"] = time.perf_counter() - clock
        clock = time.perf_counter()
        out.commit()
        stages["swap"] = time.perf_counter() - clock
        if store is not None:
            store.save((output.fingerprint for output in produced), added)
        return sum(o.is_page for o in produced), out.files_written


PARALLEL_MIN_PAGES = 400  # below this, starting processes costs more than it saves
_WORK: list[Output] = []  # the outputs forked workers produce; set just before forking
_STORE: list[PageStore] = []  # and the store they read, if any


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def _produce(
    outputs: list[Output], staging: Path, workers: int, store: PageStore | None, indexer: SearchIndexer | None = None
) -> dict[str, Location]:
    """Write every output into `staging`; the store locations of those that had to be rendered.

    Forked workers each take every n-th page: nothing is pickled but the locations they return.
    """
    _WORK[:] = outputs
    _STORE[:] = [store] if store is not None else []
    try:
        if workers == 1:
            return _produce_share(str(staging), 0, 1)
        added: dict[str, Location] = {}
        with ProcessPoolExecutor(
            workers, mp_context=mp.get_context("fork"), initializer=die_with_parent, initargs=(os.getpid(),)
        ) as pool:
            jobs = [pool.submit(_produce_share, str(staging), start, workers) for start in range(workers)]
            while wait(jobs, timeout=0.05).done != set(jobs):
                if indexer is not None:
                    indexer.poll()  # keep Pagefind busy with the next shards while pages render
            for job in jobs:
                added.update(job.result())
        return added
    finally:
        _WORK.clear()
        _STORE.clear()


def _produce_share(staging: str, start: int, step: int) -> dict[str, Location]:
    made: set[str] = set()
    with Producer(_STORE[0] if _STORE else None) as producer:
        for output in _WORK[start::step]:
            folder = os.path.dirname(output.path)
            if folder and folder not in made:
                os.makedirs(os.path.join(staging, folder), exist_ok=True)
                made.add(folder)
            assert output.produce is not None
            data = producer.bytes_of(output.fingerprint, output.produce, output.stored)
            with open(os.path.join(staging, output.path), "wb") as file:
                file.write(data)
    return producer.added

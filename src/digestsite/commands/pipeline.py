"""The one build pipeline: sources to a swapped-in site, each stage a call into its sub-package.

Every answer that saves work comes from the `cache` (see cache/build_cache.py); the stages know
nothing of it. A failure at any stage leaves the live site as it was.
"""

from __future__ import annotations

from functools import partial

from digestsite.cache.build_cache import NoCache
from digestsite.commands.build_options import BuildOptions, BuildResult, StageClock
from digestsite.config import Config
from digestsite.content.model import failing_diagnostics
from digestsite.errors import ContentError
from digestsite.output.parallel import default_workers
from digestsite.output.write import InPlaceUpdate, StagedWrite
from digestsite.render.outputs import plan_outputs
from digestsite.search.indexer import INDEX_META, SearchIndexer
from digestsite.site.assemble import assemble_site, with_browsing
from digestsite.site.sources import PlainMetadata, read_sources


def build_site(config: Config, strict: bool, options: BuildOptions, cache: NoCache, clock: StageClock) -> BuildResult:
    """read sources and metadata → assemble the site → topics and related papers → plan outputs →
    render and write → index search → swap in."""
    with clock("parse"):
        sources = read_sources(config.seeds_dir, cache.parses(config))
        metadata = cache.metadata(config) or PlainMetadata()
        site = assemble_site(config, sources, metadata.read(config.metadata_file), metadata.fill, browsing=False)
    if failing_diagnostics(site.diagnostics, strict):
        raise ContentError(site.diagnostics)
    with clock("plan"):
        site = with_browsing(site, *cache.browse_memos(config))  # topics and related papers
        env, part = cache.environment(config), cache.batch_part(config)
        index = INDEX_META if site.papers else ""
        plan = plan_outputs(site, env, index, local=options.local, batch_part=part)
        update = cache.update(config, plan)
    changes = update.changes
    writer = (
        InPlaceUpdate(config.output_dir, changes.stale, update.live_search)
        if update.in_place
        else StagedWrite(config.output_dir)
    )
    with writer:
        with clock("render+write"):
            pages_done = partial(clock.report, "render+write")
            files, outcomes = writer.write(changes.planned, cache.producer, default_workers(), pages_done)
        with clock("search"):
            search = SearchIndexer(site, cache.search_store(config)) if options.search else None
            if search is not None:
                search.wait()  # a failed index stops the build before the live site is touched
        with clock("swap"):
            writer.commit(search)
    cache.record(update, outcomes, search.keys if search is not None else (), site)
    pages = changes.pages
    return BuildResult(
        config.output_dir, pages, files, len(site.papers), len(site.batches), clock.elapsed(), site.diagnostics,
        clock.stages, in_place=update.in_place, removed=len(changes.stale) if update.in_place else 0, site=site,
    )  # fmt: skip

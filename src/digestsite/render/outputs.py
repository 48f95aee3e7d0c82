"""Every file of the site as an `Output`: its path, what it is made of, and how to produce it.

Outputs are planned in groups (one per topic, one per batch, one for the site-wide files) and produced
only when written, so a build cache can skip what it already has. Each output names its `inputs`, the
data its bytes follow from beyond what every page shares (`OutputPlan.shared`): a cache derives its keys
from them and never lists fields by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property, partial
from pathlib import Path

from jinja2 import Environment

from digestsite.content.model import Batch
from digestsite.render.assets import Asset, collect_assets
from digestsite.render.environment import template_folders
from digestsite.render.feeds import atom_feed, feed_papers
from digestsite.render.papers_json import BatchPart, papers_json
from digestsite.render.renderer import Renderer
from digestsite.render.sitemap import robots_txt, sitemap_xml
from digestsite.render.theme import theme_dir
from digestsite.site.assemble import Site
from digestsite.site.pages import (
    METADATA_CSS,
    Page,
    batch_group,
    batch_group_inputs,
    owned_papers,
    plan_pages,
    shows_metadata,
    site_pages,
    topic_group,
    topic_group_inputs,
)
from digestsite.site.topics import Topic


@dataclass(frozen=True)
class Output:
    """One file of the built site, produced on demand or copied from `source`."""

    path: str
    inputs: tuple[object, ...]
    produce: Callable[[], str | bytes] | None = None
    source: Path | None = None
    is_page: bool = False
    stored: bool = True  # worth keeping in a page store; not for what is cheaper to make than to keep


@dataclass(frozen=True)
class OutputGroup:
    """Outputs planned together: a topic's pages, a batch's pages, or the site-wide files (`inputs` None:
    always planned).

    A group's `inputs` cover everything its outputs are made of, so a cache that saw the same inputs
    before knows the group's outputs without planning them: at 10,000 papers that saves making 20,000
    pages' plans after a one-digest edit.
    """

    inputs: tuple[object, ...] | None
    plan: Callable[[], list[Output]]

    @cached_property
    def outputs(self) -> list[Output]:
        return self.plan()


@dataclass(frozen=True)
class OutputPlan:
    """The site's outputs in groups, and what every output shares: settings, UI strings, assets, templates."""

    groups: list[OutputGroup]
    shared: tuple[object, ...]
    template_folders: tuple[Path, ...]

    def outputs(self) -> list[Output]:
        return [output for group in self.groups for output in group.outputs]


def plan_outputs(
    site: Site,
    env: Environment,
    search_index: str,
    *,
    local: bool = False,
    batch_part: BatchPart | None = None,
) -> OutputPlan:
    """Every file of the site in groups; nothing is rendered until an output is produced."""
    config = site.config
    assets = collect_assets(theme_dir() / "static", config.static_dir)
    if not any(shows_metadata(paper) for paper in site.papers):
        del assets[METADATA_CSS]  # no page links it: a site without metadata is as it was before there was any
    planner = _Planner(site, Renderer(site, assets, local=local, env=env), assets, search_index, batch_part)
    groups = [OutputGroup(None, planner.site_wide)]
    groups += [OutputGroup(topic_group_inputs(site, t), partial(planner.topic_outputs, t)) for t in site.topics.topics]
    groups += [OutputGroup(batch_group_inputs(site, b), partial(planner.batch_outputs, b)) for b in site.batches]
    locales = tuple(site.locales[lang] for lang in config.languages)
    return OutputPlan(groups, (config, local, locales, assets), template_folders(config.templates_dir))


class _Planner:
    """Knows how to produce each output of one site."""

    def __init__(
        self,
        site: Site,
        renderer: Renderer,
        assets: dict[str, Asset],
        search_index: str,
        batch_part: BatchPart | None,
    ) -> None:
        self.site = site
        self.renderer = renderer
        self.assets = assets
        self.search_index = search_index
        self.batch_part = batch_part

    def pages(self, pages: Iterable[Page]) -> list[Output]:
        render = self.renderer.render
        return [Output(page.path, (page,), partial(render, page), is_page=True) for page in pages]

    def batch_outputs(self, batch: Batch) -> list[Output]:
        return self.pages(batch_group(self.site, batch))

    def topic_outputs(self, topic: Topic) -> list[Output]:
        return self.pages(topic_group(self.site, topic))

    def site_wide(self) -> list[Output]:
        site, config = self.site, self.site.config
        languages = config.languages
        outputs = self.pages(page for lang in languages for page in site_pages(site, lang, self.search_index))
        outputs += [Output(asset.path, (asset.path,), source=asset.source) for asset in self.assets.values()]
        data = partial(papers_json, site, self.batch_part)
        topics = (site.topics.topics, tuple(len(papers) for papers in site.topics.papers.values()))
        # Each paper's topics and their evidence follow from the paper (in its batch) and the glossary:
        # hashing the glossary's few terms costs far less than the evidence of every paper.
        inputs = ("papers.json", site.batches, topics, site.topics.terms)
        outputs.append(Output("papers.json", inputs, data, stored=False))
        cname = config.cname + "\n" if config.cname else None
        for path, text in {".nojekyll": "", "robots.txt": robots_txt(site), "CNAME": cname}.items():
            if text is not None:
                outputs.append(Output(path, (path, text), partial(str, text)))
        if config.base_url:  # feeds and sitemaps need absolute URLs
            outputs += self._feeds_and_sitemap()
        return outputs

    def _feeds_and_sitemap(self) -> list[Output]:
        site = self.site
        # The sitemap lists every page's path and date, which follow from the batches' slugs and dates and
        # the slugs of the papers each batch owns: far cheaper to compare than the pages themselves.
        listing = tuple((b.slug, b.date, tuple(p.slug for p in owned_papers(b))) for b in site.batches)
        for slug, papers in site.topics.papers.items():
            listing += ((slug, tuple(site.batch(p.batch).date for p in papers)),)
        pages = partial(plan_pages, site, self.search_index)
        outputs = [Output("sitemap.xml", ("sitemap", listing), lambda: sitemap_xml(site, pages()))]
        for topic in (None, *site.topics.topics):
            newest = feed_papers(site, topic)
            # A topic feed's subtitle counts all the topic's papers, and each entry names its topics.
            count = len(site.topics.papers[topic.slug]) if topic is not None else 0
            topics = tuple(site.topics_of(p) for p in newest)
            feed_inputs = (topic, count, newest, tuple(site.batch(p.batch) for p in newest), topics)
            for lang in site.config.languages:
                feed = site.routes.path(*(("feed", lang) if topic is None else ("topic_feed", lang, topic.slug)))
                produce = partial(atom_feed, site, lang, self.renderer.summary_html, topic)
                outputs.append(Output(feed, (feed, feed_inputs), produce))
        return outputs

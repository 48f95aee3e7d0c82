"""Search shards: the papers cut into groups at batch boundaries chosen by the batches' names.

Cut points depend on names, not positions, so an edit or a new batch changes one shard and leaves the
others' cut points alone. Every shard costs a reader a request and a few kilobytes per query, and
re-indexing one costs an edit Pagefind's time: about 0.3 s plus 1 ms a paper (2,500 papers: 3 s, in
210 MiB). So the older batches are in a few large shards, those since the last large cut in
middle-sized ones, and the newest batches, the ones being edited, in small ones that Pagefind
re-indexes in under half a second. The search page loads the first shard and merges the others.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from digestsite.content.model import Paper
from digestsite.site.assemble import Site

SEARCH_DIR = "pagefind"


@dataclass(frozen=True)
class ShardLevel:
    """How batches are cut into shards at one level: a shard ends at `most` papers, or at `least` papers
    on a batch whose name hashes to 0 modulo `cut` (so cut points depend on names, not positions)."""

    cut: int
    least: int
    most: int


SHARD_LEVELS = (ShardLevel(40, 1000, 2500), ShardLevel(8, 200, 500), ShardLevel(4, 40, 120))


@dataclass(frozen=True)
class Shard:
    """Some consecutive batches' papers, with those batches' titles (which the papers' documents hold)."""

    number: int
    papers: tuple[Paper, ...]
    batch_titles: tuple[tuple[str, ...], ...]  # per batch of the shard: its slug, then its title per language

    @property
    def bundle(self) -> str:
        return shard_bundle(self.number)


def shard_bundle(number: int) -> str:
    """The bundle folder of a shard; the others live inside the first one's."""
    return SEARCH_DIR if number == 0 else f"{SEARCH_DIR}/part-{number}"


def shard_bundles(site: Site) -> list[str]:
    """The bundle folders of the site's index, first (primary) first; none for a site without papers."""
    return [shard_bundle(number) for number, group in enumerate(shard_groups(site)) if group]


def plan_shards(site: Site) -> list[Shard]:
    languages = site.config.languages
    shards = []
    for number, papers in enumerate(group for group in shard_groups(site) if group):
        slugs = dict.fromkeys(paper.batch for paper in papers)  # in order, once each
        titles = tuple((slug, *(site.batch(slug).title[lang] for lang in languages)) for slug in slugs)
        shards.append(Shard(number, tuple(papers), titles))
    return shards


def shard_groups(site: Site) -> list[list[Paper]]:
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
    return [[paper for _, papers in group for paper in papers] for group in _layout(oldest_first, SHARD_LEVELS)]


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

"""How the search index is cut into shards: stable as batches are added, small where edits happen."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from digestsite.content.model import Batch, Paper, SourceRef
from digestsite.search import shards as search


def make_paper(arxiv_id: str, batch: str, line: int) -> Paper:
    return Paper(
        arxiv_id, f"Title {arxiv_id}", "题", "摘要", "zh", "", "", False, SourceRef(f"{batch}.md", line), batch
    )


def make_batches(batch_sizes: list[int]) -> list[Batch]:
    """Batches of made-up papers, oldest first."""
    batches = []
    for number, size in enumerate(batch_sizes):
        slug = f"week-{number}"
        papers = tuple(make_paper(f"2401.{number:03d}{i:02d}", slug, i) for i in range(size))
        batches.append(Batch(slug, f"{slug}.md", dt.date(2024, 1, 1) + dt.timedelta(weeks=number), papers))
    return batches


def make_site(oldest_first: list[Batch]) -> SimpleNamespace:
    """A site of these batches as the shard planner sees it: newest first."""
    newest_first = oldest_first[::-1]
    return SimpleNamespace(batches=tuple(newest_first), papers=tuple(p for b in newest_first for p in b.papers))


def shard_ids(site: SimpleNamespace) -> list[list[str]]:
    return [[paper.arxiv_id for paper in shard] for shard in search.shard_groups(site)]  # type: ignore[arg-type]


def test_shards_cover_every_paper_once_oldest_batch_first_within_size_limits():
    site = make_site(make_batches([15] * 700 + [3000] + [15] * 30))
    shards = shard_ids(site)
    oldest_first = [paper.arxiv_id for batch in reversed(site.batches) for paper in batch.papers]
    assert [arxiv_id for shard in shards for arxiv_id in shard] == oldest_first
    huge = next(shard for shard in shards if "2401.70000" in shard)
    assert all(f"2401.700{i:02d}" in huge for i in range(100))  # a batch is never split, however large
    largest, smallest = search.SHARD_LEVELS[0], search.SHARD_LEVELS[-1]
    assert all(len(shard) < largest.most + 15 for shard in shards if shard is not huge)
    assert len(shards[-1]) < smallest.most + 15
    assert 5 < len(shards) < 20


def test_adding_batches_never_changes_a_large_shard_and_the_newest_shard_stays_small():
    sizes = [12 + n % 7 for n in range(800)]
    middle, smallest = search.SHARD_LEVELS[1], search.SHARD_LEVELS[-1]
    not_large = middle.most + max(sizes)  # a shard ends once it has enough: by up to a batch more
    assert not_large < search.SHARD_LEVELS[0].least
    batches = make_batches(sizes)
    before = shard_ids(make_site(batches[:1]))
    large_shards_made = 0
    for count in range(2, len(batches) + 1):
        after = shard_ids(make_site(batches[:count]))
        changed = [shard for number, shard in enumerate(before) if number >= len(after) or after[number] != shard]
        assert all(len(shard) <= not_large for shard in changed), f"after batch {count}"
        assert len(after[-1]) <= smallest.most + max(sizes)
        large_shards_made += sum(len(s) > not_large for s in after) - sum(len(s) > not_large for s in before)
        before = after
    assert 2 <= large_shards_made <= 10  # now and then, not every week
    assert len(before) < 20


def test_the_pagefind_version_in_search_keys_is_the_installed_one() -> None:
    from importlib.metadata import version

    from digestsite.search.pagefind import pagefind_version

    assert pagefind_version() == version("pagefind_bin_extended")

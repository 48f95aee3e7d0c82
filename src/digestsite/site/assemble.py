"""Assemble the `Site`: order batches, dedupe papers, name batches, route pages; all before any rendering."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from digestsite.config import Config
from digestsite.content.model import Batch, Diagnostic, Paper, Severity
from digestsite.metadata.merge import Fill, with_metadata
from digestsite.metadata.store import StoredMetadata
from digestsite.site.i18n import Locale, load_locales
from digestsite.site.related import DescribeMemo, RelatedMemo, described, ranked, related_papers
from digestsite.site.routes import Routes
from digestsite.site.sources import MetadataSource, ParseStore, PlainMetadata, Sources, read_sources
from digestsite.site.topics import TagMemo, Topic, TopicIndex, index_topics, site_glossary, tagged


@dataclass(frozen=True)
class BatchLink:
    """What a card says of a paper's batch: a page that links a batch changes only when these do, not with
    every edit to the batch's other papers."""

    slug: str
    title: Mapping[str, str]
    date: dt.date

    @classmethod
    def of(cls, batch: Batch) -> BatchLink:
        return cls(batch.slug, batch.title, batch.date)


@dataclass(frozen=True)
class Site:
    """Everything the renderer needs, computed before any template runs."""

    config: Config
    locales: dict[str, Locale]
    batches: tuple[Batch, ...]  # newest first
    papers: tuple[Paper, ...]  # each paper once, in reading order
    diagnostics: tuple[Diagnostic, ...]
    routes: Routes
    topics: TopicIndex = field(default_factory=TopicIndex)
    related: Mapping[str, tuple[Paper, ...]] = field(default_factory=dict)  # arXiv ID → related papers, best first
    _index: dict[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)
    _batches: dict[str, Batch] = field(default_factory=dict, init=False, repr=False, compare=False)
    _links: dict[str, BatchLink] = field(default_factory=dict, init=False, repr=False, compare=False)
    _listed: dict[str, tuple[Paper, BatchLink, tuple[()]]] = field(default_factory=dict, init=False, repr=False,
                                                                  compare=False)  # fmt: skip

    def __post_init__(self) -> None:
        self._index.update({p.arxiv_id: i for i, p in enumerate(self.papers)})
        self._batches.update({b.slug: b for b in self.batches})

    def batch(self, slug: str) -> Batch:
        return self._batches[slug]

    def batch_link(self, slug: str) -> BatchLink:
        """One `BatchLink` per batch, shared by every card that shows it: a cache hashes it once."""
        link = self._links.get(slug)
        if link is None:
            link = self._links[slug] = BatchLink.of(self._batches[slug])
        return link

    def listed(self, paper: Paper) -> tuple[Paper, BatchLink, tuple[()]]:
        """A paper as a topic page lists it, with its batch: one tuple per paper for every page and language."""
        entry = self._listed.get(paper.arxiv_id)
        if entry is None:
            entry = self._listed[paper.arxiv_id] = (paper, self.batch_link(paper.batch), ())
        return entry

    def topics_of(self, paper: Paper) -> tuple[Topic, ...]:
        return self.topics.of_paper.get(paper.arxiv_id, ())

    def related_to(self, paper: Paper) -> tuple[Paper, ...]:
        return self.related.get(paper.arxiv_id, ())

    def neighbours(self, paper: Paper) -> tuple[Paper | None, Paper | None]:
        """The papers before and after this one in reading order (newest batch first)."""
        i = self._index[paper.arxiv_id]
        before = self.papers[i - 1] if i > 0 else None
        after = self.papers[i + 1] if i + 1 < len(self.papers) else None
        return before, after


def load_site(config: Config, parses: ParseStore | None = None, metadata: MetadataSource | None = None) -> Site:
    """Read and parse the digest files and the stored metadata, then assemble them; content problems
    become diagnostics."""
    metadata = metadata or PlainMetadata()
    sources = read_sources(config.seeds_dir, parses)
    return assemble_site(config, sources, metadata.read(config.metadata_file), metadata.fill)


def assemble_site(
    config: Config,
    sources: Sources,
    metadata: StoredMetadata | None = None,
    fill: Fill = with_metadata,
    browsing: bool = True,
) -> Site:
    """The site model from the parsed sources: batches newest first, each paper once, titles in every
    language, and each paper's fields the digest left empty filled from the stored arXiv metadata; then,
    unless `browsing` is false (the build adds them later, see `with_browsing`), the topics of every
    paper and its related papers."""
    locales = load_locales(config.languages, config.locales_dir)
    diagnostics = list(sources.diagnostics)
    records = metadata.records if metadata is not None else {}
    diagnostics.extend(metadata.diagnostics if metadata is not None else ())
    batches: list[Batch] = []
    for result in sources.parses:
        diagnostics.extend(result.diagnostics)
        if result.batch is not None:
            batch = result.batch
            papers = tuple(fill(p, records.get(p.arxiv_id)) for p in batch.papers) if records else batch.papers
            batches.append(batch if papers == batch.papers else replace(batch, papers=papers))
    batches, duplicates = _unique_slugs(batches)
    diagnostics.extend(duplicates)
    ordered = order_batches(batches)
    ordered, dedupe_warnings = _dedupe_papers(ordered)
    diagnostics.extend(dedupe_warnings)
    ordered = _name_batches(ordered, config.languages, locales)
    papers = tuple(p for b in ordered for p in b.papers if p.batch == b.slug)
    site = Site(
        config=config,
        locales=locales,
        batches=tuple(ordered),
        papers=papers,
        diagnostics=tuple(sorted(diagnostics, key=lambda d: (d.path, d.line))),
        routes=Routes(config.languages),
    )
    return with_browsing(site) if browsing else site


def with_browsing(
    site: Site,
    tag_memo: TagMemo | None = None,
    related_memo: RelatedMemo | None = None,
    describe_memo: DescribeMemo | None = None,
) -> Site:
    """The site with every paper's topics and related papers: what takes the longest to assemble, so the
    build adds them only once the content has passed its checks. A build cache's memos keep each paper's
    topics and features, and the ranking of related papers, from the last build."""
    config = site.config
    topics = index_topics(site.papers, site_glossary(config.topics), config.languages, tag_memo or tagged)
    related = related_papers(site.papers, topics, config.related, related_memo or ranked, describe_memo or described)
    return replace(site, topics=topics, related=related)


def order_batches(batches: Iterable[Batch]) -> list[Batch]:
    """Newest first: by date, then by newest arXiv ID, then by slug for a stable tie-break."""
    return sorted(batches, key=lambda b: (b.date, b.newest_arxiv_key, b.slug), reverse=True)


def _unique_slugs(batches: list[Batch]) -> tuple[list[Batch], list[Diagnostic]]:
    """Each batch's slug is its own. Slugs set in front matter or made from file names come first, and one
    taken twice is an error. Batches named by the same date are counted in the order of their newest
    paper (arXiv IDs grow with time), not of their file names, which are hashes or random IDs when a
    batch is named by its date: the batch added later for a day holds newer papers and takes the next
    free `-2`, `-3`, so adding it never moves the URLs already published for that day."""
    seen: dict[str, Batch] = {}
    problems = []
    for batch in sorted(batches, key=_slug_claim_order):
        if batch.slug in seen and batch.slug_from_date:
            batch = _renamed(
                batch, next(f"{batch.slug}-{n}" for n in itertools.count(2) if f"{batch.slug}-{n}" not in seen)
            )
        elif batch.slug in seen:
            other = seen[batch.slug].source_path
            message = f"batch slug '{batch.slug}' is already used by {other}; set another 'slug' in front matter"
            problems.append(Diagnostic(batch.source_path, 1, Severity.ERROR, message))
            continue
        seen[batch.slug] = batch
    return list(seen.values()), problems


def _slug_claim_order(batch: Batch) -> tuple[bool, tuple[int, ...], str]:
    """Chosen slugs first, in file name order; then date-named batches, oldest papers first."""
    return batch.slug_from_date, batch.newest_arxiv_key if batch.slug_from_date else (), batch.source_path


def _renamed(batch: Batch, slug: str) -> Batch:
    return replace(batch, slug=slug, papers=tuple(replace(p, batch=slug) for p in batch.papers))


def _dedupe_papers(newest_first: list[Batch]) -> tuple[list[Batch], list[Diagnostic]]:
    """A paper in several batches gets one page, owned by the batch it first appeared in."""
    canonical: dict[str, Paper] = {}
    warnings = []
    for batch in reversed(newest_first):
        for paper in batch.papers:
            first = canonical.setdefault(paper.arxiv_id, paper)
            if first is not paper:
                place = f"{first.source.path}:{first.source.line}"
                message = f"arXiv {paper.arxiv_id} is also in {place}; one page is built, listed by both batches"
                warnings.append(Diagnostic(paper.source.path, paper.source.line, Severity.WARNING, message))
    result = [replace(b, papers=tuple(canonical[p.arxiv_id] for p in b.papers)) for b in newest_first]
    return result, warnings


def _name_batches(newest_first: list[Batch], languages: tuple[str, ...], locales: dict[str, Locale]) -> list[Batch]:
    """Titles in every language: front matter's, else `Issue N · Month Year` numbered oldest first."""
    count = len(newest_first)
    named = []
    for position, batch in enumerate(newest_first):
        number = count - position
        given = batch.title
        title = {}
        for lang in languages:
            text = given.get(lang) or given.get("*") or next(iter(given.values()), "")
            title[lang] = text or locales[lang].issue_title(number, batch.date)
        named.append(replace(batch, title=title, number=number, title_inferred=not any(given.values())))
    return named

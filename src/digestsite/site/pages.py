"""Plan every page of every language. A page holds only its inputs; text derived from them (descriptions,
BibTeX) is made when the page is rendered, so an unchanged page costs almost nothing to plan."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from digestsite.content.markdown import plain_text
from digestsite.content.model import Batch, Paper
from digestsite.site.assemble import Site
from digestsite.site.i18n import Locale
from digestsite.site.topics import Topic

HOME_BATCHES = 10  # the home page lists this many batches (the newest as cards); the archive lists them all
HOME_CARDS = 12  # papers of the newest batch shown as cards on the home page; its page has them all
HOME_TOPICS = 12  # the topics with the most papers, linked from the home page
TOPIC_PAGE_SIZE = 50  # papers per page of a topic; the rest go on topics/<slug>/2/, /3/…
METADATA_CSS = "metadata.css"  # the theme's styles for arXiv metadata, written only for a site that shows some
DESCRIPTION_LENGTH = 160
LEAD_LENGTH = 90  # characters of Chinese in a card's summary lead
# After a sentence's closing punctuation (。！？ at once, .!? before a space).
_SENTENCE_END = re.compile(r"(?<=[。！？])|(?<=[.!?])(?=\s)")


@dataclass(frozen=True)
class Page:
    """One output page: what it is (kind, key), in which language, where it goes, and its data."""

    kind: str
    lang: str
    key: str
    path: str
    template: str
    title: str
    lastmod: dt.date | None = None
    data: Mapping[str, object] = field(default_factory=dict)


def plain_excerpt(markdown: str, limit: int = DESCRIPTION_LENGTH) -> str:
    """A one-line plain-text excerpt of markdown, for meta descriptions."""
    text = plain_text(markdown[: limit * 4])
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def lead(markdown: str, lang: str) -> str:
    """The first sentence of a summary as plain text, and the second too while both fit a card's few lines
    (LEAD_LENGTH characters of Chinese, twice as many of Latin text); a longer first sentence is cut with …"""
    limit = LEAD_LENGTH if lang.startswith(("zh", "ja", "ko")) else 2 * LEAD_LENGTH
    text = plain_text(markdown[: limit * 6])
    sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
    if not sentences:
        return ""
    first = sentences[0].strip()
    if len(first) > limit:
        return first[: limit - 1].rstrip() + "…"
    if len(sentences) > 1 and len(first) + len(sentences[1]) <= limit:
        return first + sentences[1].rstrip()
    return first


def page_description(page: Page, locale: Locale, site_description: str) -> str:
    """The meta description: a paper's summary, a batch's titles, else the site's description."""
    paper, batch, topic = page.data.get("paper"), page.data.get("batch"), page.data.get("topic")
    if isinstance(paper, Paper):
        return plain_excerpt(paper.summary)
    if isinstance(topic, Topic):
        return locale.t("topic.description", name=topic.name[page.lang], count=page.data["count"])
    if isinstance(batch, Batch):
        titles = ", ".join(p.title for p in batch.papers)
        return plain_excerpt(f"{locale.t('batch.papers', count=len(batch.papers))}: {titles}")
    return site_description


def shows_metadata(paper: Paper) -> bool:
    """Whether a paper's page shows more than a digest's titles, links and summary: authors, dates, venue,
    subject classes, an English abstract (from the digest or from arXiv)."""
    return bool(
        paper.authors or paper.published or paper.updated or paper.categories or paper.comment
        or paper.journal_ref or paper.doi or paper.abstract_en
    )  # fmt: skip


def page_shows_metadata(page: Page) -> bool:
    """A paper page with metadata, or a batch page that lists authors."""
    if page.kind == "paper":
        paper = page.data["paper"]
        return isinstance(paper, Paper) and shows_metadata(paper)
    batch = page.data.get("batch")
    return page.kind == "batch" and isinstance(batch, Batch) and any(p.authors for p in batch.papers)


def plan_pages(site: Site, search_index: str) -> Iterator[Page]:
    """Every HTML page, language by language, in a fixed order."""
    for lang in site.config.languages:
        yield from site_pages(site, lang, search_index)
        for topic in site.topics.topics:
            yield from topic_pages(site, topic, lang)
        for batch in site.batches:
            yield batch_page(site, batch, lang)
        for paper in site.papers:
            yield paper_page(site, paper, lang)


def site_pages(site: Site, lang: str, search_index: str) -> Iterator[Page]:
    """The pages of one language that are not about one batch, paper or topic: home, archive, search, 404
    and the list of topics.

    `search_index` is the search index's entry file, which the search page loads ("" when there is none).
    """
    locale = site.locales[lang]
    path = site.routes.path
    newest = site.batches[0].date if site.batches else None
    yield Page("home", lang, "", path("home", lang), "home.html", site.config.title[lang], newest, home_data(site))
    archive = {"batches": site.batches, "paper_count": len(site.papers)}
    yield Page("archive", lang, "", path("archive", lang), "archive.html", locale.t("archive.heading"), newest, archive)
    search = {"search_index": search_index}
    yield Page("search", lang, "", path("search", lang), "search.html", locale.t("search.heading"), None, search)
    yield Page("404", lang, "", path("404", lang), "404.html", locale.t("not_found.heading"))
    if site.topics.topics:
        listing = tuple((topic, len(site.topics.papers[topic.slug])) for topic in site.topics.topics)
        yield Page("topics", lang, "", path("topics", lang), "topics.html", locale.t("topics.heading"), newest,
                   {"topics": listing})  # fmt: skip


def home_data(site: Site) -> dict[str, object]:
    """The newest batch's papers as cards (HOME_CARDS of them), the topics with the most papers, and the
    batches before it."""
    if not site.batches:
        return {"latest": None, "entries": (), "top_topics": (), "older": ()}
    latest = site.batches[0]
    entries = tuple((paper, None, site.topics_of(paper)) for paper in latest.papers[:HOME_CARDS])
    counted = [(topic, len(site.topics.papers[topic.slug])) for topic in site.topics.topics if not topic.category]
    top = tuple(sorted(counted, key=lambda item: -item[1])[:HOME_TOPICS])
    return {"latest": latest, "entries": entries, "top_topics": top, "older": site.batches[1:HOME_BATCHES]}


def topic_group_inputs(site: Site, topic: Topic) -> tuple[object, ...]:
    """Everything a topic's pages read besides site-wide settings: the topic, its papers and what their
    cards say of their batches."""
    papers = site.topics.papers[topic.slug]
    return topic, papers, tuple(site.batch_link(paper.batch) for paper in papers)


def topic_group(site: Site, topic: Topic) -> list[Page]:
    """A topic's pages in every language."""
    return [page for lang in site.config.languages for page in topic_pages(site, topic, lang)]


def topic_pages(site: Site, topic: Topic, lang: str) -> Iterator[Page]:
    """A topic's papers newest first, TOPIC_PAGE_SIZE to a page."""
    locale, path = site.locales[lang], site.routes.path
    papers = site.topics.papers[topic.slug]
    chunks = [papers[start : start + TOPIC_PAGE_SIZE] for start in range(0, len(papers), TOPIC_PAGE_SIZE)]
    keys = tuple(topic_key(topic.slug, number) for number in range(1, len(chunks) + 1))
    for number, chunk in enumerate(chunks, 1):
        entries = tuple(map(site.listed, chunk))
        name = topic.name[lang]
        title = name if number == 1 else locale.t("topic.page_title", name=name, page=number)
        data = {"topic": topic, "entries": entries, "count": len(papers), "page_number": number, "page_keys": keys}
        lastmod = max(link.date for _, link, _ in entries)
        yield Page("topic", lang, keys[number - 1], path("topic", lang, keys[number - 1]), "topic.html", title,
                   lastmod, data)  # fmt: skip


def topic_key(slug: str, number: int) -> str:
    """The route key of a topic's page `number`: its slug, then slug/2, slug/3…"""
    return slug if number == 1 else f"{slug}/{number}"


def owned_papers(batch: Batch) -> list[Paper]:
    """The papers whose pages belong to this batch: a paper listed by several batches has one page."""
    return [paper for paper in batch.papers if paper.batch == batch.slug]


def batch_group_inputs(site: Site, batch: Batch) -> tuple[object, ...]:
    """Everything the pages of `batch_group` read besides site-wide settings: the batch (its papers
    included), the topics of the papers it owns and the papers related to them, and the papers just
    outside it, which the first and last paper pages link to."""
    owned = owned_papers(batch)
    if not owned:
        return (batch,)
    topics = tuple(site.topics_of(paper) for paper in owned)
    related = tuple(site.related_to(paper) for paper in owned)
    return batch, topics, related, site.neighbours(owned[0])[0], site.neighbours(owned[-1])[1]


def batch_group(site: Site, batch: Batch) -> list[Page]:
    """A batch's page and its papers' pages, in every language."""
    languages = site.config.languages
    pages = [batch_page(site, batch, lang) for lang in languages]
    pages += [paper_page(site, paper, lang) for paper in owned_papers(batch) for lang in languages]
    return pages


def batch_page(site: Site, batch: Batch, lang: str) -> Page:
    path = site.routes.path("batch", lang, batch.slug)
    return Page("batch", lang, batch.slug, path, "batch.html", batch.title[lang], batch.date, {"batch": batch})


def paper_page(site: Site, paper: Paper, lang: str) -> Page:
    before, after = site.neighbours(paper)
    batch = site.batch(paper.batch)
    data = {"paper": paper, "batch": batch, "previous": before, "next": after, "topics": site.topics_of(paper),
            "related": site.related_to(paper)}  # fmt: skip
    path = site.routes.path("paper", lang, paper.slug)
    return Page("paper", lang, paper.slug, path, "paper.html", paper.title, batch.date, data)

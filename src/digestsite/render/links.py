"""Ready-made links for templates: a paper's titles in the order its page's language reads them, links to
papers and topics, and cards. Made in Python once per page, so a list of twenty papers costs a template
no calls of its own (each call from a template costs microseconds, and these lists are on every page)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from digestsite.content.model import Paper
from digestsite.site.assemble import BatchLink
from digestsite.site.topics import Topic

Href = Callable[[str, str], str]  # (page kind, key) → a link from the page being rendered


@dataclass(frozen=True)
class Titles:
    """A paper's two titles, the one in the reader's language first; `second` is empty when there is one."""

    first: str
    first_lang: str
    second: str
    second_lang: str


@dataclass(frozen=True)
class Link:
    href: str
    text: str


@dataclass(frozen=True)
class PaperLink:
    href: str
    titles: Titles


@dataclass(frozen=True)
class PageLink:
    """One page of a list split into pages (a topic's): its number, link and label; `current` is the page
    being shown, which links nowhere."""

    number: int
    href: str
    label: str
    current: bool


@dataclass(frozen=True)
class Card:
    """A paper on the home page or a topic page: titles, the opening of its summary, authors, topics, batch."""

    href: str
    titles: Titles
    lead: str
    lead_lang: str
    authors: str
    topics: tuple[Link, ...]
    batch: Link | None


class Links:
    """Makes the links of one page: `href` resolves routes from it, `content_lang` gives the `lang` attribute
    of text in a language, and `et_al` the short form of a long list of authors.

    `memo`, shared by the pages of a build, keeps a paper's titles in each language (by language and arXiv
    id), each link to a paper (by language, href and arXiv id: a paper is linked from the pages of the
    papers related to it, all with one href) and each link to a page of a list (by language, href and
    number).
    """

    def __init__(
        self,
        lang: str,
        href: Href,
        content_lang: Callable[[str], str],
        et_al: Callable[[str], str],
        memo: dict[tuple[str, ...], Any] | None = None,
    ) -> None:
        self.lang = lang
        self.href = href
        self.content_lang = content_lang
        self.et_al = et_al
        self.memo = {} if memo is None else memo
        self.zh_lang = content_lang("zh")
        self.chinese_first = lang.split("-")[0] == "zh"

    def titles(self, paper: Paper) -> Titles:
        key = (self.lang, paper.arxiv_id)
        titles = self.memo.get(key)
        if titles is None:
            titles = self.memo[key] = self._titles(paper)
        return titles  # type: ignore[no-any-return]

    def _titles(self, paper: Paper) -> Titles:
        if not paper.title_zh:
            return Titles(paper.title, "en", "", "")
        if self.chinese_first:
            return Titles(paper.title_zh, self.zh_lang, paper.title, "en")
        return Titles(paper.title, "en", paper.title_zh, self.zh_lang)

    def papers(self, papers: Iterable[Paper]) -> list[PaperLink]:
        links, memo, lang = [], self.memo, self.lang
        for paper in papers:
            href = self.href("paper", paper.slug)
            key = (lang, href, paper.arxiv_id)
            link = memo.get(key)
            if link is None:
                link = memo[key] = PaperLink(href, self.titles(paper))
            links.append(link)
        return links

    def pages(self, kind: str, keys: Iterable[str], current: int, label: Callable[[int], str]) -> list[PageLink]:
        """Links to each page of a list split into pages, by their route keys; `current` is this page's number.
        A topic of eighty pages lists them all on each: each link is made once for the pages that share it."""
        pages, memo, lang = [], self.memo, self.lang
        for number, key in enumerate(keys, 1):
            href = "" if number == current else self.href(kind, key)
            memo_key = (lang, href, number)
            page = memo.get(memo_key)
            if page is None:
                shown = number == current
                page = memo[memo_key] = PageLink(number, href, "" if shown else label(number), shown)
            pages.append(page)
        return pages

    def topics(self, topics: Iterable[Topic], most: int | None = None) -> tuple[Link, ...]:
        """Links to research topics (arXiv subject classes are shown with a paper's metadata instead)."""
        subjects = [topic for topic in topics if not topic.category][:most]
        return tuple(Link(self.href("topic", topic.slug), topic.name[self.lang]) for topic in subjects)

    def card(self, paper: Paper, lead: str, topics: Iterable[Topic], batch: BatchLink | None) -> Card:
        names = paper.authors
        authors = ", ".join(names) if len(names) <= 2 else self.et_al(", ".join(names[:2]))
        return Card(
            self.href("paper", paper.slug),
            self.titles(paper),
            lead,
            self.content_lang(paper.summary_lang if paper.summary else "en"),
            authors,
            self.topics(topics, 3),
            Link(self.href("batch", batch.slug), batch.title[self.lang]) if batch is not None else None,
        )

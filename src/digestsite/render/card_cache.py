"""Paper cards made once: at 10,000 papers, topic pages show 75,000 cards of 20,000 distinct ones.

A card on a topic page is made of its paper, the paper's batch, the page's language and the card's two
links (relative, so the same from every topic page at one depth): cards are kept by those.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from jinja2 import Environment
from markupsafe import Markup

from digestsite.content.model import Paper
from digestsite.render.links import Card, Links
from digestsite.site.assemble import BatchLink
from digestsite.site.pages import Page
from digestsite.site.topics import Topic

Entry = tuple[Paper, BatchLink | None, tuple[Topic, ...]]  # a paper, its batch to name, its topics to show


class CardCache:
    """Cards by (language, paper, the card's links), and each distinct card's HTML."""

    def __init__(self, env: Environment, lead: Callable[[Paper], str]) -> None:
        self.env = env
        self.lead = lead
        self._cards: dict[tuple[str, str, str, str], Card] = {}
        self._html: dict[tuple[Card, str], Markup] = {}

    def cards(self, page: Page, links: Links, entries: Iterable[Entry]) -> list[Card]:
        cards = []
        for paper, batch, topics in entries:
            if topics:  # cards with topics are the home page's few
                cards.append(links.card(paper, self.lead(paper), topics, batch))
                continue
            batch_href = links.href("batch", batch.slug) if batch is not None else ""
            key = (page.lang, paper.arxiv_id, links.href("paper", paper.slug), batch_href)
            card = self._cards.get(key)
            if card is None:
                card = self._cards[key] = links.card(paper, self.lead(paper), topics, batch)
            cards.append(card)
        return cards

    def html(self, card: Card, heading: str) -> Markup:
        """The `paper_card` macro of partials/paper_card.html, rendered once per distinct card: the macro
        sees nothing but its arguments (it is imported without context), so equal ones make equal HTML."""
        html = self._html.get((card, heading))
        if html is None:
            macro = self.env.get_template("partials/paper_card.html").module.paper_card  # type: ignore[attr-defined]
            html = self._html[(card, heading)] = macro(card, heading)
        return html

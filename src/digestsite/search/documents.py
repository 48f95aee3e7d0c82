"""Search records: what the index knows of a paper, the text it is found by and what a result shows."""

from __future__ import annotations

from dataclasses import dataclass

from digestsite.content.markdown import plain_text
from digestsite.content.model import Paper
from digestsite.search.tokens import add_tokens, id_token


@dataclass(frozen=True)
class SearchRecord:
    """One paper as the search sees it: both titles, the authors and the summary as plain text."""

    arxiv_id: str
    slug: str
    title: str
    title_zh: str
    authors: tuple[str, ...]
    summary: str
    summary_lang: str

    def head_tokens(self) -> set[str]:
        """The tokens of the titles and authors: a match there ranks first."""
        tokens = add_tokens(self.title, set())
        add_tokens(self.title_zh, tokens)
        add_tokens(", ".join(self.authors), tokens)
        return tokens

    def tokens(self, head: set[str]) -> set[str]:
        """Every token the paper is found by: `head`'s, the summary's and its arXiv ID's."""
        tokens = add_tokens(self.summary, set(head))
        tokens.add(id_token(self.arxiv_id))
        return tokens

    def fragment(self) -> dict[str, object]:
        """What a result shows, as the search page reads it (short keys: it is fetched per result)."""
        data: dict[str, object] = {"u": self.slug, "t": self.title, "z": self.title_zh, "s": self.summary,
                                   "l": self.summary_lang}  # fmt: skip
        if self.authors:
            data["a"] = list(self.authors)
        return data


def search_record(paper: Paper) -> SearchRecord:
    return SearchRecord(
        paper.arxiv_id, paper.slug, paper.title, paper.title_zh, paper.authors, plain_text(paper.summary),
        paper.summary_lang,
    )  # fmt: skip

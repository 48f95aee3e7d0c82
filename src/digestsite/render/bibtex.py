"""A BibTeX entry for a paper, with LaTeX special characters escaped."""

from __future__ import annotations

import re

from digestsite.content.arxiv import month_of
from digestsite.content.model import Paper

# BibTeX's month macros, written without braces so that BibTeX and biber both read a month.
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_AND = re.compile(r"\band\b", re.IGNORECASE)

_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def latex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIALS.get(char, char) for char in text)


def bibtex_entry(paper: Paper) -> str:
    """`@misc` in the form arXiv itself exports, with the authors, month, subject class, DOI and journal
    reference when they are known (from the digest or from arXiv)."""
    key = "arxiv:" + paper.arxiv_id.replace("/", ":")
    published = paper.published_date
    fields = [("title", "{" + latex_escape(paper.title) + "}")]
    if paper.authors:
        fields.append(("author", " and ".join(_name(author) for author in paper.authors)))
    fields.append(("year", str((published or month_of(paper.arxiv_id)).year)))
    if published:
        fields.append(("month", _MONTHS[published.month - 1]))
    fields += [("eprint", paper.arxiv_id), ("archivePrefix", "arXiv")]
    if paper.primary_category:
        fields.append(("primaryClass", paper.primary_category))
    if paper.doi:
        fields.append(("doi", paper.doi.replace("{", "").replace("}", "")))  # verbatim in biblatex: no escapes
    if paper.journal_ref:
        fields.append(("journal", latex_escape(paper.journal_ref)))
    fields.append(("url", paper.abs_url))
    body = ",\n".join(f"  {name} = {value if name == 'month' else '{' + value + '}'}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}"


def _name(author: str) -> str:
    """One author of BibTeX's `and`-separated list: a name that itself holds the word "and" (a team, a
    consortium) is braced, so it stays one author."""
    escaped = latex_escape(author)
    return "{" + escaped + "}" if _AND.search(author) else escaped

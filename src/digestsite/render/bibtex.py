"""A BibTeX entry for a paper, with LaTeX special characters escaped."""

from __future__ import annotations

from digestsite.content.arxiv import month_of
from digestsite.content.model import Paper

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
    """`@misc` in the form arXiv itself exports (authors are not part of a digest)."""
    key = "arxiv:" + paper.arxiv_id.replace("/", ":")
    fields = [
        ("title", "{" + latex_escape(paper.title) + "}"),
        ("year", str(month_of(paper.arxiv_id).year)),
        ("eprint", paper.arxiv_id),
        ("archivePrefix", "arXiv"),
        ("url", paper.abs_url),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}"

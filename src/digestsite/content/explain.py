"""`digestsite check --explain FILE`: what the parser recognised in one digest, section by section.

When a digest does not come out as its author expects, the answer is in which headings became papers,
with which ID, titles, summary and fields, and why the others did not.
"""

from __future__ import annotations

from digestsite.content.model import Paper
from digestsite.content.parse import Outcome, analyse
from digestsite.messages import counted

_SUMMARY_WORDS = 60


def explain(data: bytes, path: str) -> str:
    """A plain-text report of one digest file, ending with its diagnostics."""
    analysis = analyse(data, path)
    outcomes = analysis.outcomes
    papers = [o for o in outcomes if o.paper is not None]
    skipped = [o for o in outcomes if o.paper is None and not _is_structure(o)]
    found = [counted(len(papers), "paper"), counted(len(skipped), "skipped entry"), counted(len(outcomes), "heading")]
    lines = [f"{path}: {', '.join(found)}"]
    for outcome in outcomes:
        lines.extend(_describe(outcome))
    batch = analysis.result.batch
    if batch is not None:
        date = batch.date.isoformat() + (" (from the newest arXiv ID)" if batch.date_inferred else "")
        lines.append(f"batch: slug {batch.slug}, date {date}")
        if batch.attribution:
            lines.append(f"attribution: {batch.attribution}")
    diagnostics = analysis.result.diagnostics
    lines.append("diagnostics:" if diagnostics else "diagnostics: none")
    lines.extend(f"  {d.format()}" for d in diagnostics)
    return "\n".join(lines) + "\n"


def _is_structure(outcome: Outcome) -> bool:
    return outcome.reason.startswith(("structure", "part of the entry"))


def _describe(outcome: Outcome) -> list[str]:
    where = f"  line {outcome.line:<5}"
    if outcome.paper is not None:
        return [f"{where}paper {outcome.paper.arxiv_id}", *_paper_lines(outcome.paper)]
    if _is_structure(outcome):
        return [f"{where}{outcome.reason}: {_clip(outcome.heading, 60)!r}"]
    return [f"{where}skipped: {outcome.reason}: {_clip(outcome.heading, 60)!r}"]


def _paper_lines(paper: Paper) -> list[str]:
    pad = " " * 13
    lines = [
        f"{pad}en: {paper.title}",
        f"{pad}zh: {paper.title_zh or '(none)'}",
        f"{pad}summary ({paper.summary_lang}): {_clip(' '.join(paper.summary.split()), _SUMMARY_WORDS)}",
    ]
    fields = {
        "authors": ", ".join(paper.authors),
        "published": paper.published,
        "categories": ", ".join(paper.categories),
        "keywords": ", ".join(paper.keywords),
        "code": paper.code_url,
        "votes": "" if paper.votes is None else str(paper.votes),
        "abstract_en": _clip(" ".join(paper.abstract_en.split()), 40),
    }
    shown = [f"{name}={value}" for name, value in fields.items() if value]
    lines.append(f"{pad}fields: {'; '.join(shown) if shown else '(none)'}")
    return lines


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"

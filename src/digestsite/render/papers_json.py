"""`papers.json`: the whole archive as data, for scripts and other tools."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable

from digestsite.content.model import Batch, Paper
from digestsite.render.json_text import without_markup
from digestsite.site.assemble import Site
from digestsite.site.pages import owned_papers
from digestsite.site.routes import Routes, absolute_url
from digestsite.site.topics import Evidence, Term, Topic

# (batch, language, routes, the glossary, the evidence of the batch's papers) → its part of the file. The
# evidence follows from the batch's papers and the glossary, so a memo need not key on it (see StoredMemo).
BatchPart = Callable[[Batch, str, Routes, tuple[Term, ...], tuple[tuple[Evidence, ...], ...]], tuple[str, str]]


def papers_json(site: Site, batch_part: BatchPart | None = None) -> str:
    """Batches newest first and every paper once; URLs are relative to the site root.

    The text is joined from one part per batch, made by `batch_part`: a build cache may pass a memoized
    one, so that after a one-digest edit only that batch's part is encoded again (at 10,000 papers this
    file is 16 MB).
    """
    make = batch_part or batch_json
    lang = site.config.default_language
    terms = site.topics.terms
    parts = [make(batch, lang, site.routes, terms, batch_evidence(site, batch)) for batch in site.batches]
    batches = ",".join(part[0] for part in parts)
    papers = ",".join(part[1] for part in parts if part[1])
    topics = json_data([topic_json(site, topic) for topic in site.topics.topics])
    return f'{{"batches":[{batches}],"papers":[{papers}],"topics":{topics}}}\n'


def batch_evidence(site: Site, batch: Batch) -> tuple[tuple[Evidence, ...], ...]:
    """Why each paper the batch owns has its topics, in the order of `owned_papers`."""
    return tuple(site.topics.evidence.get(paper.arxiv_id, ()) for paper in owned_papers(batch))


def topic_json(site: Site, topic: Topic) -> dict[str, object]:
    lang = site.config.default_language
    url = absolute_url("", site.routes.path("topic", lang, topic.slug))
    names = {lang: topic.name[lang] for lang in site.config.languages}
    count = len(site.topics.papers[topic.slug])
    return {"slug": topic.slug, "name": names, "category": topic.category, "papers": count, "url": url}


def batch_json(
    batch: Batch,
    lang: str,
    routes: Routes,
    terms: tuple[Term, ...] = (),
    evidence: tuple[tuple[Evidence, ...], ...] = (),
) -> tuple[str, str]:
    """The batch's entry and its own papers' entries, as JSON without the enclosing brackets; `evidence`
    gives each of those papers' topics with the words that tagged it and where. `terms`, the glossary, is
    not read: it is there for a memo keyed by the arguments, as the evidence follows from it."""
    entry = {
        "slug": batch.slug,
        "title": batch.title[lang],
        "date": batch.date.isoformat(),
        "papers": [p.arxiv_id for p in batch.papers],
    }
    papers = [
        {
            "arxiv_id": p.arxiv_id,
            "title": p.title,
            "title_zh": p.title_zh,
            "summary": p.summary,
            "summary_lang": p.summary_lang,
            "batch": p.batch,
            "abs_url": p.abs_url,
            "pdf_url": p.pdf_url,
            "truncated": p.truncated,
            "url": absolute_url("", routes.path("paper", lang, p.slug)),
            **_metadata(p),
            **_topics(found),
        }
        for p, found in itertools.zip_longest(owned_papers(batch), evidence, fillvalue=())
    ]
    return json_data(entry), json_data(papers)[1:-1]


# Fields a paper has only when its digest or arXiv gives them; a paper without them has no such keys.
_OPTIONAL = ("authors", "published", "updated", "categories", "primary_category", "comment", "journal_ref", "doi",
             "abstract_en", "code_url")  # fmt: skip


def _metadata(paper: Paper) -> dict[str, object]:
    return {name: value for name in _OPTIONAL if (value := getattr(paper, name))}


def _topics(evidence: tuple[Evidence, ...]) -> dict[str, object]:
    """A paper's topics, and for each the words found and where (title, title_zh, keywords, summary,
    abstract, or category for an arXiv subject class)."""
    if not evidence:
        return {}
    matches = [{"topic": e.topic, "field": e.field, "words": list(e.words)} for e in evidence]
    return {"topics": list(dict.fromkeys(e.topic for e in evidence)), "topic_matches": matches}


def json_data(value: object) -> str:
    """Compact JSON in which a browser sniffing the file finds no tag."""
    # No indent: the C encoder is many times faster, and this file is for programs to read.
    return without_markup(json.dumps(value, ensure_ascii=False, separators=(",", ":")))

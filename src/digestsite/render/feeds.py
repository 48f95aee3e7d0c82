"""Atom feeds, one per language and one per topic and language: the newest papers, dated by arXiv or by
their batch, never by the clock."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Callable

from markupsafe import escape

from digestsite.content.categories import category_name
from digestsite.content.markdown import strip_control_characters as clean
from digestsite.content.model import Paper, iso_date
from digestsite.site.assemble import Site
from digestsite.site.routes import absolute_url
from digestsite.site.topics import Topic

ATOM = "http://www.w3.org/2005/Atom"
ARXIV_CATEGORIES = "http://arxiv.org/schemas/atom"  # the scheme arXiv's own feeds give its subject classes


def _timestamp(date: dt.date) -> str:
    return f"{date.isoformat()}T00:00:00Z"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    """A child element; text and attributes lose the control characters that would make the feed ill-formed."""
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", {key: clean(value) for key, value in attrs.items()})
    if text is not None:
        element.text = clean(text)
    return element


def feed_papers(site: Site, topic: Topic | None = None) -> tuple[Paper, ...]:
    """The newest `feed_size` papers of the site, or of one topic."""
    papers = site.topics.papers[topic.slug] if topic is not None else site.papers
    return papers[: site.config.feed_size]


def atom_feed(site: Site, lang: str, summary_html: Callable[[Paper], str], topic: Topic | None = None) -> str:
    """The feed of one language, of the whole site or of one topic; links are absolute under `base_url`,
    entry IDs are the arXiv URLs."""
    config, routes, locale = site.config, site.routes, site.locales[lang]
    base = config.base_url

    def url(kind: str, key: str = "") -> str:
        return absolute_url(base, routes.path(kind, lang, key))

    papers = feed_papers(site, topic)
    dates = {p.arxiv_id: _dates(p, site.batch(p.batch).date) for p in papers}
    updated = max((changed for _, changed in dates.values()), default=dt.date(1970, 1, 1))
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": locale.html_lang})
    if topic is None:
        _sub(feed, "title", config.title[lang])
        if config.description[lang]:
            _sub(feed, "subtitle", config.description[lang])
        page, self_link = url("home"), url("feed")
    else:
        name, count = topic.name[lang], len(site.topics.papers[topic.slug])
        _sub(feed, "title", f"{name} · {config.title[lang]}")
        _sub(feed, "subtitle", locale.t("topic.description", name=name, count=count))
        page, self_link = url("topic", topic.slug), url("topic_feed", topic.slug)
    _sub(feed, "id", page)
    _sub(feed, "link", rel="self", type="application/atom+xml", href=self_link)
    _sub(feed, "link", rel="alternate", type="text/html", href=page)
    _sub(feed, "updated", _timestamp(updated))
    _sub(feed, "generator", "digestsite")
    for paper in papers:
        batch = site.batch(paper.batch)
        entry = _sub(feed, "entry")
        title = f"{paper.title} · {paper.title_zh}" if paper.title_zh else paper.title
        _sub(entry, "title", title)
        _sub(entry, "id", paper.abs_url)
        _sub(entry, "link", rel="alternate", type="text/html", href=url("paper", paper.slug))
        _sub(entry, "link", rel="related", type="text/html", href=paper.abs_url)
        published, changed = dates[paper.arxiv_id]
        _sub(entry, "published", _timestamp(published))
        _sub(entry, "updated", _timestamp(changed))
        for name in paper.authors or (config.title[lang],):
            _sub(entry, "author").append(_name(name))
        _sub(entry, "category", term=batch.slug, label=batch.title[lang])
        for subject in site.topics_of(paper):
            if not subject.category:
                _sub(entry, "category", term=subject.slug, scheme=url("topics"), label=subject.name[lang])
        for code in paper.categories:
            label = category_name(code, lang)
            _sub(entry, "category", term=code, scheme=ARXIV_CATEGORIES, **({"label": label} if label else {}))
        _sub(entry, "content", _content(paper, summary_html, abstract=lang == "en"), type="html")
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


def _dates(paper: Paper, batch_date: dt.date) -> tuple[dt.date, dt.date]:
    """An entry's published and updated dates: the paper's first and latest arXiv versions when known,
    else its batch's date; never updated before its batch appeared."""
    published = paper.published_date or batch_date
    return published, max(batch_date, iso_date(paper.updated) or published)


def _name(text: str) -> ET.Element:
    element = ET.Element(f"{{{ATOM}}}name")
    element.text = clean(text)
    return element


def _content(paper: Paper, summary_html: Callable[[Paper], str], abstract: bool) -> str:
    """Entry HTML: the Chinese title, the summary, the English abstract if asked and known, and the arXiv
    links (escaped once more by the XML writer)."""
    parts = []
    if paper.title_zh:
        parts.append(f'<p lang="zh"><strong>{escape(paper.title_zh)}</strong></p>')
    parts.append(f'<div lang="{escape(paper.summary_lang)}">{summary_html(paper)}</div>')
    if abstract and paper.abstract_en:
        paragraphs = "".join(f"<p>{escape(text)}</p>" for text in paper.abstract_en.split("\n\n"))
        parts.append(f'<div lang="en">{paragraphs}</div>')
    parts.append(f'<p><a href="{escape(paper.abs_url)}">arXiv</a> · <a href="{escape(paper.pdf_url)}">PDF</a></p>')
    return "\n".join(parts)

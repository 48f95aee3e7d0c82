"""Head metadata of a page: canonical URL, Open Graph and Twitter card values, JSON-LD for papers."""

from __future__ import annotations

import json

from markupsafe import Markup

from digestsite.content.markdown import strip_control_characters as clean
from digestsite.content.model import Paper, iso_date
from digestsite.render.json_text import without_markup
from digestsite.site.assemble import Site
from digestsite.site.pages import Page
from digestsite.site.routes import absolute_url


def _og_locale(html_lang: str) -> str:
    return html_lang.replace("-", "_") if "-" in html_lang else {"en": "en_US", "zh": "zh_CN"}.get(html_lang, html_lang)


def open_graph(site: Site, page: Page, description: str) -> list[tuple[str, str]]:
    """(property, content) pairs for Open Graph; `og:url` only when the site's base URL is known."""
    locale = site.locales[page.lang]
    pairs = [
        ("og:type", "article" if page.kind == "paper" else "website"),
        ("og:title", page.title),
        ("og:site_name", site.config.title[page.lang]),
        ("og:locale", _og_locale(locale.html_lang)),
    ]
    pairs += [("og:locale:alternate", _og_locale(site.locales[lang].html_lang)) for lang in site.config.languages]
    pairs = [p for p in pairs if not (p[0] == "og:locale:alternate" and p[1] == _og_locale(locale.html_lang))]
    if description:
        pairs.append(("og:description", description))
    if site.config.base_url:
        pairs.append(("og:url", absolute_url(site.config.base_url, page.path)))
    return [(key, clean(value)) for key, value in pairs]


def twitter_card(page: Page, description: str) -> list[tuple[str, str]]:
    pairs = [("twitter:card", "summary"), ("twitter:title", page.title)]
    if description:
        pairs.append(("twitter:description", description))
    return [(key, clean(value)) for key, value in pairs]


def _arxiv_metadata(paper: Paper) -> dict[str, object]:
    """The article's authors, dates, abstract and DOI, those that are known."""
    data: dict[str, object] = {}
    if paper.authors:
        data["author"] = [{"@type": "Person", "name": name} for name in paper.authors]
    if paper.published_date:
        data["datePublished"] = paper.published_date.isoformat()
    if iso_date(paper.updated):
        data["dateModified"] = paper.updated
    if paper.abstract_en:
        data["abstract"] = paper.abstract_en
    if paper.doi:
        data["sameAs"] = [paper.abs_url, paper.doi_url]
    return data


def scholarly_article(site: Site, page: Page, paper: Paper) -> Markup:
    """JSON-LD `ScholarlyArticle`, safe inside a <script> element whatever the titles contain."""
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "name": paper.title,
        "headline": paper.title,
        "identifier": f"arXiv:{paper.arxiv_id}",
        "sameAs": paper.abs_url,
        "inLanguage": site.locales[paper.summary_lang].html_lang if paper.summary_lang in site.locales else "zh",
        "isPartOf": {"@type": "PublicationIssue", "name": site.batch(paper.batch).title[page.lang]},
    }
    if paper.title_zh:
        data["alternateName"] = paper.title_zh
    data.update(_arxiv_metadata(paper))
    if site.config.base_url:
        data["url"] = absolute_url(site.config.base_url, page.path)
    text = clean(json.dumps(data, ensure_ascii=False, sort_keys=True))  # JSON escapes C0, not DEL or C1
    # `</script>` or `<!--` in content must not end the element.
    return Markup(without_markup(text))

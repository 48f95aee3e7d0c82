"""`sitemap.xml` with every page and its language alternates, and the `robots.txt` that names it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable

from digestsite.content.markdown import strip_control_characters as clean
from digestsite.site.assemble import Site
from digestsite.site.pages import Page
from digestsite.site.routes import absolute_url

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML = "http://www.w3.org/1999/xhtml"
SITEMAP_KINDS = ("home", "archive", "batch", "paper", "search", "topics", "topic")


def sitemap_xml(site: Site, pages: Iterable[Page]) -> str:
    """One `<url>` per indexable page, each listing the same page in every language (and x-default)."""
    ET.register_namespace("", SITEMAP)
    ET.register_namespace("xhtml", XHTML)
    base, routes = site.config.base_url, site.routes
    root = ET.Element(f"{{{SITEMAP}}}urlset")
    for page in pages:
        if page.kind not in SITEMAP_KINDS:
            continue
        url = ET.SubElement(root, f"{{{SITEMAP}}}url")
        ET.SubElement(url, f"{{{SITEMAP}}}loc").text = clean(absolute_url(base, page.path))
        if page.lastmod:
            ET.SubElement(url, f"{{{SITEMAP}}}lastmod").text = page.lastmod.isoformat()
        alternates = [(site.locales[lang].html_lang, lang) for lang in site.config.languages]
        alternates.append(("x-default", site.config.default_language))
        for hreflang, lang in alternates:
            href = clean(absolute_url(base, routes.path(page.kind, lang, page.key)))
            ET.SubElement(url, f"{{{XHTML}}}link", {"rel": "alternate", "hreflang": clean(hreflang), "href": href})
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def robots_txt(site: Site) -> str:
    lines = ["User-agent: *", "Allow: /"]
    if site.config.base_url:  # validated free of whitespace and control characters: it cannot add lines
        lines.append(f"Sitemap: {site.config.base_url}sitemap.xml")
    return "\n".join(lines) + "\n"

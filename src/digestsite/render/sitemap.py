"""`sitemap.xml` with every page and its language alternates, and the `robots.txt` that names it."""

from __future__ import annotations

from collections.abc import Iterable

from digestsite.content.markdown import strip_control_characters as clean
from digestsite.site.assemble import Site
from digestsite.site.pages import Page
from digestsite.site.routes import absolute_url

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML = "http://www.w3.org/1999/xhtml"
SITEMAP_KINDS = ("home", "archive", "batch", "paper", "search", "topics", "topic")


def sitemap_xml(site: Site, pages: Iterable[Page]) -> str:
    """One `<url>` per indexable page, each listing the same page in every language (and x-default).

    Written as text, byte for byte what ElementTree made of it (with `ET.indent`) at a fifth of the cost:
    at 10,000 papers the sitemap lists 24,000 pages.
    """
    base, routes = site.config.base_url, site.routes
    alternates = [(_attribute(clean(site.locales[lang].html_lang)), lang) for lang in site.config.languages]
    alternates.append(("x-default", site.config.default_language))
    lines = [f'<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns="{SITEMAP}" xmlns:xhtml="{XHTML}">']
    for page in pages:
        if page.kind not in SITEMAP_KINDS:
            continue
        lines.append(f"  <url>\n    <loc>{_text(clean(absolute_url(base, page.path)))}</loc>")
        if page.lastmod:
            lines.append(f"    <lastmod>{page.lastmod.isoformat()}</lastmod>")
        for hreflang, lang in alternates:
            href = _attribute(clean(absolute_url(base, routes.path(page.kind, lang, page.key))))
            lines.append(f'    <xhtml:link rel="alternate" hreflang="{hreflang}" href="{href}" />')
        lines.append("  </url>")
    lines.append("</urlset>\n")
    return "\n".join(lines)


def _text(text: str) -> str:
    """Text escaped as ElementTree escapes an element's text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attribute(text: str) -> str:
    """Text escaped as ElementTree escapes an attribute's value."""
    text = _text(text).replace('"', "&quot;")
    return text.replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#09;")


def robots_txt(site: Site) -> str:
    lines = ["User-agent: *", "Allow: /"]
    if site.config.base_url:  # validated free of whitespace and control characters: it cannot add lines
        lines.append(f"Sitemap: {site.config.base_url}sitemap.xml")
    return "\n".join(lines) + "\n"

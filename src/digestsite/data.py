"""`papers.json`: the whole archive as data, for scripts and other tools."""

from __future__ import annotations

import json

from digestsite.site import Site, absolute_url


def papers_json(site: Site) -> str:
    """Batches newest first and every paper once; URLs are relative to the site root."""
    lang = site.config.default_language
    routes = site.routes
    batches = [
        {
            "slug": b.slug,
            "title": b.title[lang],
            "date": b.date.isoformat(),
            "papers": [p.arxiv_id for p in b.papers],
        }
        for b in site.batches
    ]
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
        }
        for p in site.papers
    ]
    # No indent: the C encoder is many times faster, and this file is for programs to read.
    text = json.dumps({"batches": batches, "papers": papers}, ensure_ascii=False, separators=(",", ":"))
    # Data, never markup: a browser sniffing the file must not find a tag in it.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n"

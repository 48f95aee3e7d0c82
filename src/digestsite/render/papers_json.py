"""`papers.json`: the whole archive as data, for scripts and other tools."""

from __future__ import annotations

import json
from pathlib import Path

from digestsite import __version__
from digestsite.cache.file_hashes import content_digest
from digestsite.cache.records import read_pickle, write_pickle
from digestsite.content.model import Batch
from digestsite.site.assemble import Site, absolute_url
from digestsite.site.pages import owned_papers

_VERSION = (2, __version__)  # bump when the parts change


def papers_json(site: Site, fragments_file: Path | None = None) -> str:
    """Batches newest first and every paper once; URLs are relative to the site root.

    The text is made batch by batch. With `fragments_file` (in the build cache), each batch's part is
    kept there by a key over everything in it, so after a one-digest edit only that batch's part is
    encoded again: at 10,000 papers this file is 16 MB.
    """
    known = read_pickle(fragments_file, _VERSION) if fragments_file is not None else None
    known = known if isinstance(known, dict) else {}
    used: dict[bytes, tuple[str, str]] = {}
    for batch in site.batches:
        key = _fragment_key(site, batch)
        used[key] = known.get(key) or _fragment(site, batch)
    if fragments_file is not None and used.keys() != known.keys():
        write_pickle(fragments_file, _VERSION, used)
    batches = ",".join(part[0] for part in used.values())
    papers = ",".join(part[1] for part in used.values() if part[1])
    return f'{{"batches":[{batches}],"papers":[{papers}]}}\n'


def _fragment_key(site: Site, batch: Batch) -> bytes:
    lang = site.config.default_language
    parts = (lang, batch.slug, batch.title[lang], batch.date.isoformat(), [p.content_key for p in batch.papers])
    return content_digest(repr(parts).encode("utf-8", "surrogatepass"))


def _fragment(site: Site, batch: Batch) -> tuple[str, str]:
    """The batch's entry and its own papers' entries, as JSON without the enclosing brackets."""
    lang = site.config.default_language
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
            "url": absolute_url("", site.routes.path("paper", lang, p.slug)),
        }
        for p in owned_papers(batch)
    ]
    return _compact(entry), _compact(papers)[1:-1]


def _compact(value: object) -> str:
    # No indent: the C encoder is many times faster, and this file is for programs to read.
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    # Data, never markup: a browser sniffing the file must not find a tag in it.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

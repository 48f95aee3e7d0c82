"""arXiv identifiers: recognise them in URLs, normalise them, order them, date them."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

ARXIV_HOSTS = frozenset({"arxiv.org", "www.arxiv.org", "export.arxiv.org"})
# Hugging Face paper pages are named by the arXiv ID: huggingface.co/papers/2309.10668 is arXiv 2309.10668.
HF_HOSTS = frozenset({"huggingface.co", "www.huggingface.co", "hf.co"})
_NEW_STYLE = re.compile(r"(?P<yymm>\d{4})\.(?P<num>\d{4,5})(?:v\d+)?")
_OLD_STYLE = re.compile(r"(?P<archive>[a-z][a-z\-]*(?:\.[A-Z]{2})?)/(?P<yymm>\d{2}[01]\d)(?P<num>\d{3})(?:v\d+)?")
_PATH = re.compile(r"/(?:abs|pdf|html|format)/(?P<id>.+?)(?:\.pdf)?/?$")
# The common spellings, checked before the general URL parsing.
_QUICK = re.compile(
    r"https?://(?:(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)|(?:www\.)?huggingface\.co/papers)/"
    r"(?P<id>\d{4}\.\d{4,5}(?:v\d+)?)(?:\.pdf)?/?"
)
_HF_PATH = re.compile(r"/papers/(?P<id>[^/]+)/?$")
# An ID written in text (`arXiv:2403.19887v2`, `2403.19887`): four digits, a dot, four or five digits.
ID_IN_TEXT = re.compile(r"(?<![\w.])(?:arxiv:\s*)?(?P<id>\d{4}\.\d{4,5})(?:v\d+)?(?![\w.]*\d)", re.IGNORECASE)


def paper_url_id(url: str) -> tuple[str | None, bool]:
    """(ID, malformed) of an arXiv abs/pdf/html URL or a Hugging Face paper URL.

    `malformed` is True for a URL that names an arXiv paper page but whose ID is not valid
    (`arxiv.org/abs/2413.00001`): a typo the author should hear about, unlike an unrelated URL.
    """
    quick = _QUICK.fullmatch(url)
    if quick:
        arxiv_id = normalise_id(quick.group("id"))
        if arxiv_id:
            return arxiv_id, False
    if "arxiv" not in url and "huggingface" not in url and "hf.co" not in url:
        return None, False
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError:
        return None, False
    if parts.scheme not in ("http", "https") or host is None:
        return None, False
    path = _PATH if host in ARXIV_HOSTS else _HF_PATH if host in HF_HOSTS else None
    match = path.fullmatch(parts.path) if path is not None else None
    if not match:
        return None, False
    raw = match.group("id")
    arxiv_id = normalise_id(raw) or footnoted_id(raw)
    if arxiv_id is None and host in ARXIV_HOSTS and "/" in raw:  # `html/2604.19741v1/x4.png`: a file of the paper
        arxiv_id = normalise_id(raw.rsplit("/", 1)[0])
    return arxiv_id, arxiv_id is None


# Since 2015 an ID has five digits after the dot; one to three more, glued on, are a footnote mark copied
# with the link (`arxiv.org/abs/2401.0295420` is 2401.02954 and note 20).
_FOOTNOTED = re.compile(r"(?P<id>(?P<yymm>\d{4})\.\d{5})\d{1,3}")


def footnoted_id(raw: str) -> str | None:
    """The ID of `raw` when it is a five-digit ID with a footnote number glued on, else None."""
    match = _FOOTNOTED.fullmatch(raw)
    if match is None or int(match.group("yymm")) < 1501:
        return None
    return normalise_id(match.group("id"))


def footnote_in(url: str, arxiv_id: str) -> bool:
    """Whether the paper URL `url` carries digits glued after `arxiv_id` (a footnote mark)."""
    at = url.find(arxiv_id)
    return at >= 0 and url[at + len(arxiv_id) : at + len(arxiv_id) + 1].isdigit()


def normalise_id(raw: str) -> str | None:
    """`2403.19887v2` → `2403.19887`; old-style `hep-th/9901001v1` → `hep-th/9901001`."""
    new = _NEW_STYLE.fullmatch(raw)
    if new and 1 <= int(new.group("yymm")[2:]) <= 12:
        return f"{new.group('yymm')}.{new.group('num')}"
    old = _OLD_STYLE.fullmatch(raw)
    if old and 1 <= int(old.group("yymm")[2:]) <= 12:
        return f"{old.group('archive')}/{old.group('yymm')}{old.group('num')}"
    return None


def is_valid_id(arxiv_id: str) -> bool:
    return normalise_id(arxiv_id) == arxiv_id


def _yymm(arxiv_id: str) -> tuple[int, int]:
    digits = arxiv_id.split("/")[-1][:4]
    yy, mm = int(digits[:2]), int(digits[2:])
    # Old-style IDs began in 1991; new-style IDs began in 2007 and will wrap in 2091.
    year = 1900 + yy if "/" in arxiv_id and yy >= 91 else 2000 + yy
    return year, mm


def month_of(arxiv_id: str) -> dt.date:
    """The first day of the month the ID was assigned in."""
    year, month = _yymm(arxiv_id)
    return dt.date(year, month, 1)


def sort_key(arxiv_id: str) -> tuple[int, int, int]:
    """Orders IDs by submission: year, month, then sequence number."""
    year, month = _yymm(arxiv_id)
    tail = arxiv_id.split("/")[-1]
    number = int(tail.split(".")[-1]) if "." in tail else int(tail[4:])
    return year, month, number


def abs_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}"


def pdf_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/pdf/{arxiv_id}"

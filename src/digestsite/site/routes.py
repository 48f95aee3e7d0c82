"""Routes and URLs: where every page of every language lives, and links between them."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from urllib.parse import urlsplit

# Output path of each page kind, relative to a language's root.
PAGE_PATTERNS = {
    "home": "index.html",
    "batch": "batches/{key}/index.html",
    "paper": "papers/{key}/index.html",
    "archive": "archive/index.html",
    "search": "search/index.html",
    "404": "404.html",
    "feed": "feed.xml",
    "topics": "topics/index.html",
    "topic": "topics/{key}/index.html",  # key: the topic's slug, then /2, /3… for its further pages
    "topic_feed": "topics/{key}/feed.xml",
}


@dataclass(frozen=True)
class Routes:
    """Where every page of every language lives in the output; the one source of URLs."""

    languages: tuple[str, ...]

    def prefix(self, lang: str) -> str:
        return "" if lang == self.languages[0] else f"{lang}/"

    def path(self, kind: str, lang: str, key: str = "") -> str:
        return self.prefix(lang) + PAGE_PATTERNS[kind].format(key=key)


@functools.lru_cache(maxsize=65536)
def relative_url(from_path: str, to_path: str, local: bool = False) -> str:
    """A link from one output file to another that works at any subpath and, with `local`, from disk.

    Both paths are output paths (relative, normalised), so plain segment arithmetic is enough; this runs
    dozens of times per page.
    """
    start = from_path.split("/")[:-1]
    target = to_path.split("/")
    common = 0
    while common < len(start) and common < len(target) - 1 and start[common] == target[common]:
        common += 1
    url = "../" * (len(start) - common) + "/".join(target[common:])
    if not local and (url == "index.html" or url.endswith("/index.html")):
        url = url[: -len("index.html")]
    return url or "./"


def absolute_url(base_url: str, path: str) -> str:
    """The public URL of an output file (`base_url` ends with a slash); directory indexes end in `/`."""
    if path == "index.html" or path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return base_url + path


def root_relative_url(base_url: str, path: str) -> str:
    """`/repo/…` for pages served at unknown depths (404.html): only the base URL's path is kept."""
    return absolute_url(urlsplit(base_url).path or "/", path)

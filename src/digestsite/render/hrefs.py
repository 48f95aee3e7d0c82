"""Relative links from one page, with the page's folders split once rather than at every link.

A paper page has a dozen links (the header's, its batch, topics, related papers); `relative_url` splits
both paths each time, and its bounded cache of (page, target) pairs misses once a site has more pages
than it holds. This gives the same links, working from the folders of the last page asked about.
"""

from __future__ import annotations


class Hrefs:
    """`relative_url(from_path, to_path, local)` (site/routes.py), quicker for many links from one page."""

    def __init__(self, local: bool) -> None:
        self.local = local
        self._folder: str | None = None
        self._heads: list[str] = []  # the page's folder and those above it, outermost first, each with "/"

    def relative(self, from_path: str, to_path: str) -> str:
        folder = from_path.rpartition("/")[0]
        if folder != self._folder:
            parts = folder.split("/") if folder else []
            self._heads = ["/".join(parts[: depth + 1]) + "/" for depth in range(len(parts))]
            self._folder = folder
        heads = self._heads
        common = 0  # how many folders the two paths share
        for head in heads:
            if not to_path.startswith(head):
                break
            common += 1
        url = "../" * (len(heads) - common) + (to_path[len(heads[common - 1]) :] if common else to_path)
        if not self.local and (url == "index.html" or url.endswith("/index.html")):
            url = url[: -len("index.html")]
        return url or "./"

"""Relative links between output files, each worked out once for all pages of one folder level.

A link from `papers/a/index.html` to `topics/t/index.html` reads the same from every paper page, and a
paper page has a dozen such links (the header's, its batch, topics, related papers); at 20,000 paper
pages, working each out afresh (or missing a bounded cache of (page, target) pairs) costs a second.
"""

from __future__ import annotations

from digestsite.site.routes import relative_url


class Hrefs:
    """`relative_url`, remembered by (the linking page's grandparent folder, its depth, the target).

    Exact: while the target does not lie inside the linking page's own folder, the link depends only on
    the folders above that one and on how deep it is; other targets are worked out as they come.
    """

    def __init__(self, local: bool) -> None:
        self.local = local
        self._known: dict[tuple[str, int, str], str] = {}

    def relative(self, from_path: str, to_path: str) -> str:
        folder = from_path.rpartition("/")[0]
        if folder and to_path.startswith(folder + "/"):
            return relative_url(from_path, to_path, self.local)
        key = (folder.rpartition("/")[0], folder.count("/") + bool(folder), to_path)
        url = self._known.get(key)
        if url is None:
            url = self._known[key] = relative_url(from_path, to_path, self.local)
        return url

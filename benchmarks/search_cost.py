"""What the search shard layout costs readers and editors, measured side by side.

    python benchmarks/search_cost.py [--papers 10000] [--layout CUT,LEAST,MOST;... ...]

Each `--layout` is a list of shard levels (`search.ShardLevel`: cut, least, most), largest first;
the default compares the built-in layout with one of shards of at most about 550 papers. For each
layout the script builds a generated corpus, then:
- serves the site the way GitHub Pages does (files cached for 10 minutes) and searches in Chromium:
  a first query on a fresh search page, then more queries typed into the same page. It counts the
  requests and bytes for the index (everything under /pagefind/) that reach the server;
- times `digestsite build` after a one-character edit to the first digest of the largest shard and
  to the newest digest.
Only the index files are counted: the search page's own HTML, CSS and scripts are the same for
every layout.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from build_bench import SCRATCH, edited  # noqa: E402
from corpus import write_generated_site  # noqa: E402
from digestsite.config import load_config  # noqa: E402
from digestsite.search import shards as search  # noqa: E402
from digestsite.site.assemble import load_site  # noqa: E402

DEFAULT_LAYOUTS = [
    ";".join(f"{level.cut},{level.least},{level.most}" for level in search.SHARD_LEVELS),
    "40,350,550;4,40,120",
]
# Common words of the generated corpus, two words at once, and a rare one (a paper's number).
QUERIES = ["多模态", "retrieval", "对齐 量化", "8004", "扩散模型", "alignment"]


def parse_layout(text: str) -> tuple[search.ShardLevel, ...]:
    return tuple(search.ShardLevel(*map(int, level.split(","))) for level in text.split(";"))


def run_digestsite(layout: str, arguments: list[str]) -> None:
    """`digestsite ARGUMENTS` with the search shards cut by `layout`: how this script builds."""
    from digestsite.cli import main

    search.SHARD_LEVELS = parse_layout(layout)
    sys.exit(main(arguments))


@dataclass
class Hits:
    """Requests for index files that reached the server, and their bytes."""

    requests: int = 0
    bytes: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> tuple[int, int]:
        with self.lock:
            taken = (self.requests, self.bytes)
            self.requests = self.bytes = 0
        return taken


class PagesLikeHandler(SimpleHTTPRequestHandler):
    """Static files with GitHub Pages' ten-minute cache lifetime, counting index requests."""

    hits: Hits

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "max-age=600")
        super().end_headers()

    def copyfile(self, source, outputfile) -> None:  # type: ignore[no-untyped-def]
        if self.path.split("?", 1)[0].startswith("/pagefind/"):
            size = os.fstat(source.fileno()).st_size
            with self.hits.lock:
                self.hits.requests += 1
                self.hits.bytes += size
        super().copyfile(source, outputfile)

    def log_message(self, *args: object) -> None:
        pass


def reader_cost(site_dir: Path) -> tuple[tuple[int, int], list[tuple[int, int]]]:
    """(requests, bytes) of the first search, and of each later query typed into the same page."""
    from playwright.sync_api import sync_playwright

    hits = Hits()
    handler = type("Handler", (PagesLikeHandler,), {"hits": hits})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(site_dir)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_port}/search/?q={QUERIES[0]}")
            page.wait_for_selector("#search-results[data-state=done] li", state="attached", timeout=60000)
            first = hits.take()
            later = []
            for query in QUERIES[1:]:
                page.fill("#search-input", query)
                page.press("#search-input", "Enter")
                page.wait_for_selector("#search-results[data-state=done] li", state="attached", timeout=60000)
                later.append(hits.take())
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return first, later


def measure(papers: int, layout: str) -> dict[str, object]:
    levels = parse_layout(layout)
    command = [sys.executable, __file__, "--as-digestsite", layout, "build"]
    with tempfile.TemporaryDirectory(dir=SCRATCH) as scratch:
        folder = Path(scratch)
        files = write_generated_site(folder, papers)
        subprocess.run(command, cwd=folder, check=True, capture_output=True)
        saved, search.SHARD_LEVELS = search.SHARD_LEVELS, levels
        try:
            site = load_site(load_config(folder / "site.yaml"))
            shards = search.shard_groups(site)
        finally:
            search.SHARD_LEVELS = saved
        largest = max(shards, key=len)
        oldest_in_largest = Path(site.batch(largest[0].batch).source_path)  # shards list oldest batches first
        first, later = reader_cost(folder / "_site")
        run = partial(edited, folder=folder, command=command)
        in_largest = run(oldest_in_largest)[0]
        newest = run(folder / "seeds" / f"{files - 1:05d}.md")[0]
    return {"layout": layout, "shards": len(shards), "largest": len(largest), "first": first,
            "later": (statistics.median(r for r, _ in later), statistics.median(b for _, b in later)),
            "edit largest": in_largest, "edit newest": newest}  # fmt: skip


def main() -> None:
    if sys.argv[1:2] == ["--as-digestsite"]:
        run_digestsite(sys.argv[2], sys.argv[3:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=10000)
    parser.add_argument("--layout", nargs="+", default=DEFAULT_LAYOUTS)
    args = parser.parse_args()
    columns = ["layout", "shards", "largest shard", "first search requests", "first search KB",
               "later query requests", "later query KB", "edit in largest shard s", "edit newest s"]  # fmt: skip
    print(f"{args.papers} papers; later queries: median of {len(QUERIES) - 1}")
    print("| " + " | ".join(columns) + " |")
    print("|---|" + "---:|" * (len(columns) - 1))
    for layout in args.layout:
        r = measure(args.papers, layout)
        (first_requests, first_bytes), (later_requests, later_bytes) = r["first"], r["later"]  # type: ignore[misc]
        cells = [f"`{layout}`", r["shards"], r["largest"], first_requests, f"{first_bytes / 1024:.0f}",
                 f"{later_requests:.0f}", f"{later_bytes / 1024:.0f}", f"{r['edit largest']:.2f}",
                 f"{r['edit newest']:.2f}"]  # fmt: skip
        print("| " + " | ".join(str(cell) for cell in cells) + " |", flush=True)


if __name__ == "__main__":
    main()

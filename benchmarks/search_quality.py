"""Search quality and cost, measured in Chromium on a built site, in both interfaces.

    python benchmarks/search_quality.py [--papers 10000] [--sites bundled generated]

For the bundled demo site and a generated corpus (corpus.py, whose titles and summaries mix the query
terms with near misses), the script builds the site, serves it under /digest/ as GitHub Pages would
(files cached for ten minutes), and in each interface (/search/ and /en/search/):
- runs the first query on a fresh page, then types each other query into the same page;
- compares every query's full result list (window.digestsiteSearch.last) with the ground truth: a
  paper is relevant when the query occurs, ignoring case, in its English title, Chinese title or
  summary. For Latin-script queries the query must start at a word boundary ("RAG" is not in
  "storage"), since words are what the index matches;
- checks that in the top 3, papers whose title holds the query rank above those that only mention it
  in their summary, that an arXiv ID (bare, with arXiv: and with v2) lands on its paper, and that a
  query with no relevant paper shows none;
- counts the requests and bytes that reach the server for the first query (everything the page loads)
  and for each later one, and reads the latency the page measures from the end of the debounce until
  the results are shown.
On the generated corpus it then times the index update after a one-character edit to the oldest, the
middle and the newest digest: the whole of the build's search work (making the index and writing the
changed files), from inside real `digestsite build` runs; and the CPU of indexing every paper anew.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, urlsplit

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from build_bench import SCRATCH  # noqa: E402
from corpus import write_generated_site  # noqa: E402

SUBPATH = "/digest/"
QUERIES = [
    "混合专家", "状态空间", "Mamba", "mamba", "1-bit", "多模态", "大语言模型", "视频生成", "扩散模型", "注意力",
    "长上下文", "检索增强", "RAG", "LoRA", "量化", "智能体", "Transformer", "基准", "数学推理", "代码生成", "图像编辑",
    "state space", "mixture of experts", "Jamba", "2403.19887", "trasnformer", "xyzzyqq",
]  # fmt: skip
CJK = re.compile("[\u4e00-\u9fff]")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


@dataclass
class Hits:
    """Requests that reached the server, and their bytes."""

    requests: int = 0
    bytes: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> tuple[int, int]:
        with self.lock:
            taken = (self.requests, self.bytes)
            self.requests = self.bytes = 0
        return taken


class PagesLikeHandler(SimpleHTTPRequestHandler):
    """The output under SUBPATH, with GitHub Pages' ten-minute cache lifetime, counting what it sends."""

    hits: Hits

    def translate_path(self, path: str) -> str:
        path = urlsplit(path).path
        return super().translate_path("/" + path[len(SUBPATH) :] if path.startswith(SUBPATH) else "/nowhere/")

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "max-age=600")
        super().end_headers()

    def copyfile(self, source, outputfile) -> None:  # type: ignore[no-untyped-def]
        with self.hits.lock:
            self.hits.requests += 1
            self.hits.bytes += os.fstat(source.fileno()).st_size
        super().copyfile(source, outputfile)

    def log_message(self, *args: object) -> None:
        pass


# The site: built, its ground truth, and how the index numbers its papers


@dataclass
class Truth:
    """What each paper's text holds, and the index's numbering of the papers (read from the built files)."""

    texts: dict[str, tuple[str, str]]  # arXiv ID → (titles, summary), lower case
    numbered: list[str]  # paper number → arXiv ID

    def relevant(self, query: str) -> tuple[set[str], set[str]]:
        """(papers holding the query, those holding it in a title); for an arXiv ID, its paper."""
        q = query.lower()
        if q in self.texts:
            return {q}, {q}
        pattern = re.compile(re.escape(q) if CJK.search(q) else r"(?<![0-9a-z])" + re.escape(q))
        found = {i for i, (titles, summary) in self.texts.items() if pattern.search(titles + "\n" + summary)}
        return found, {i for i in found if pattern.search(self.texts[i][0])}


def truth_of(folder: Path) -> Truth:
    from digestsite.config import load_config
    from digestsite.content.markdown import plain_text
    from digestsite.site.assemble import load_site

    site = load_site(load_config(folder / "site.yaml"))
    texts = {p.arxiv_id: (f"{p.title}\n{p.title_zh}".lower(), plain_text(p.summary).lower()) for p in site.papers}
    index = folder / "_site" / "search-index"
    meta = script_data(index / "meta.js")
    by_slug = {p.slug: p.arxiv_id for p in site.papers}
    numbered = [
        by_slug[script_data(index / "p" / slug / f"{i}.js")["u"]]
        for slug, _, count, *_ in meta["batches"]
        for i in range(count)
    ]
    return Truth(texts, numbered)


def script_data(path: Path) -> dict:  # type: ignore[type-arg]
    text = path.read_text("utf-8")
    return json.loads(text[text.index(",") + 1 : text.rindex(")")])


def build(folder: Path, base_url: str) -> None:
    command = [sys.executable, "-m", "digestsite", "build", "--quiet", "--base-url", base_url]
    subprocess.run(command, cwd=folder, check=True)


# Searching in Chromium


@dataclass
class Run:
    query: str
    docs: list[int]
    requests: int
    bytes: int
    ms: float


def searched(page, hits: Hits, url: str, queries: list[str]) -> list[Run]:  # type: ignore[no-untyped-def]
    """The first query by opening the page, then every other one typed into it."""
    runs = []
    page.goto(f"{url}?q={quote(queries[0])}")
    page.wait_for_selector("#search-results[data-state=done]", state="attached", timeout=120000)
    runs.append(result(page, hits, queries[0]))
    for query in queries[1:]:
        page.evaluate("document.getElementById('search-results').dataset.state = 'typing'")
        page.fill("#search-input", query)
        page.wait_for_function(
            "q => document.getElementById('search-results').dataset.state === 'done' && "
            "window.digestsiteSearch.last !== null && new URLSearchParams(location.search).get('q') === q",
            arg=query,
            timeout=120000,
        )
        runs.append(result(page, hits, query))
    return runs


def result(page, hits: Hits, query: str) -> Run:  # type: ignore[no-untyped-def]
    last = page.evaluate("window.digestsiteSearch.last")
    docs = last["docs"] if last and last["query"] == query else []
    ms = float(page.evaluate("document.getElementById('search-results').dataset.ms || 'nan'"))
    requests, sent = hits.take()
    return Run(query, docs, requests, sent, ms)


def lands(page, url: str, arxiv_id: str) -> bool:  # type: ignore[no-untyped-def]
    """Whether an ID query, bare, with arXiv: and with a version, opens the paper's page."""
    for query in (arxiv_id, f"arXiv:{arxiv_id}", f"{arxiv_id}v2"):
        page.goto(f"{url}?q={quote(query)}")
        try:
            page.wait_for_url(re.compile(rf"/papers/{re.escape(arxiv_id.replace('/', '-'))}/"), timeout=30000)
        except Exception:  # a timeout: it did not land
            return False
    return True


def measure_site(folder: Path, id_query: str = "") -> dict[str, object]:
    """The scores of every query in both interfaces; `id_query` is an arXiv ID to open (default: the
    middle paper's)."""
    from playwright.sync_api import sync_playwright

    hits = Hits()
    handler = type("Handler", (PagesLikeHandler,), {"hits": hits})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(folder / "_site")))
    base = f"http://127.0.0.1:{server.server_port}{SUBPATH}"
    build(folder, base)
    truth = truth_of(folder)
    id_query = id_query or truth.numbered[len(truth.numbered) // 2]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    report: dict[str, object] = {"papers": len(truth.texts)}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for ui in ("", "en/"):
                context = browser.new_context()
                page = context.new_page()
                hits.take()
                runs = searched(page, hits, f"{base}{ui}search/", QUERIES)
                name = "en" if ui else "zh"
                report[name] = score(runs, truth)
                report[f"lands {name}"] = lands(page, f"{base}{ui}search/", id_query)
                context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return report


def score(runs: list[Run], truth: Truth) -> dict[str, object]:
    rows = []
    for run in runs:
        found = [truth.numbered[doc] for doc in run.docs]
        relevant, in_title = truth.relevant(run.query)
        hits = len(set(found) & relevant)
        precision = hits / len(found) if found else 1.0
        recall = hits / len(relevant) if relevant else 1.0
        top = found[:3]
        titles_first = [paper in in_title for paper in top] == [True] * min(len(in_title), 3) + [False] * (
            len(top) - min(len(in_title), 3)
        ) or not relevant
        rows.append((run.query, len(found), len(relevant), precision, recall, titles_first, run.requests, run.bytes,
                     run.ms))  # fmt: skip
    return {"rows": rows}


# Index updates after an edit, timed inside real builds


TIMED = """
import json, sys, time
from digestsite.search import indexer
spent = [0.0]
def timed(method):
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - started
    return wrapper
for name in ("__init__", "wait", "finish", "place_changes"):
    setattr(indexer.SearchIndexer, name, timed(getattr(indexer.SearchIndexer, name)))
from digestsite.cli import main
started = time.perf_counter()
code = main(["build", "--quiet"])
print(json.dumps({"index": spent[0], "build": time.perf_counter() - started}))
sys.exit(code)
"""


def timed_build(folder: Path) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", TIMED], cwd=folder, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def edit_updates(folder: Path, files: int) -> dict[str, dict[str, float]]:
    timed_build(folder)  # the cache as a build leaves it
    updates = {}
    for name, number in (("oldest", 0), ("middle", files // 2), ("newest", files - 1)):
        digest = folder / "seeds" / f"{number:05d}.md"
        text = digest.read_text("utf-8")
        digest.write_text(text.replace("我们研究", "我们研", 1), "utf-8")  # one character of one summary
        updates[name] = timed_build(folder)
    return updates


def cold_cpu(folder: Path) -> float:
    """CPU seconds of indexing every paper anew and writing the index (no store)."""
    code = (
        "import resource, sys, tempfile\n"
        "from pathlib import Path\n"
        "from digestsite.config import load_config\n"
        "from digestsite.site.assemble import load_site\n"
        "from digestsite.search.indexer import SearchIndexer\n"
        "site = load_site(load_config(Path('site.yaml')))\n"
        "before = resource.getrusage(resource.RUSAGE_SELF)\n"
        "with tempfile.TemporaryDirectory() as out:\n"
        "    indexer = SearchIndexer(site)\n"
        "    indexer.wait()\n"
        "    indexer.finish(Path(out))\n"
        "after = resource.getrusage(resource.RUSAGE_SELF)\n"
        "print(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=folder, check=True, capture_output=True, text=True)
    return float(done.stdout.strip())


# Reporting


def print_site(name: str, report: dict[str, object]) -> None:
    print(f"\n## {name}: {report['papers']} papers\n")
    for ui in ("zh", "en"):
        rows = report[ui]["rows"]  # type: ignore[index]
        print(f"### /{'' if ui == 'zh' else 'en/'}search/ — arXiv ID lands on its paper: {report[f'lands {ui}']}\n")
        print("| query | found | relevant | precision | recall | titles first | requests | KB | ms |")
        print("|---|---:|---:|---:|---:|:-:|---:|---:|---:|")
        for query, found, relevant, precision, recall, first, requests, sent, ms in rows:
            print(f"| {query} | {found} | {relevant} | {precision:.2f} | {recall:.2f} | {'yes' if first else 'NO'} | "
                  f"{requests} | {sent / 1024:.1f} | {ms:.0f} |")  # fmt: skip
        chinese = [row for row in rows if CJK.search(row[0])]
        pooled_found = sum(row[1] for row in chinese)
        pooled_relevant = sum(row[2] for row in chinese)
        true = sum(round(row[3] * row[1]) for row in chinese)
        later = rows[1:]
        no_match = [row for row in rows if row[2] == 0]
        lowest_precision, lowest_recall = min(r[3] for r in chinese), min(r[4] for r in chinese)
        print(
            f"\nChinese queries: precision {true / max(pooled_found, 1):.3f} (lowest {lowest_precision:.2f}), "
            f"recall {true / max(pooled_relevant, 1):.3f} (lowest {lowest_recall:.2f}); "
            f"titles first in {sum(r[5] for r in rows)}/{len(rows)} queries; "
            f"no-match queries showing papers: {sum(r[1] > 0 for r in no_match)}/{len(no_match)}"
        )
        print(
            f"first query: {rows[0][6]} requests, {rows[0][7] / 1024:.0f} KB (the page, its CSS and scripts, and "
            f"the index); later queries, median: {statistics.median(r[6] for r in later):.0f} requests, "
            f"{statistics.median(r[7] for r in later) / 1024:.1f} KB (largest {max(r[7] for r in later) / 1024:.0f} "
            f"KB); latency after the debounce, median {statistics.median(r[8] for r in rows):.0f} ms "
            f"(largest {max(r[8] for r in rows):.0f} ms)\n"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=10000)
    parser.add_argument("--sites", nargs="+", choices=["bundled", "generated"], default=["bundled", "generated"])
    args = parser.parse_args()
    if "bundled" in args.sites:
        with tempfile.TemporaryDirectory(dir=SCRATCH) as scratch:
            folder = Path(scratch)
            shutil.copytree(REPO / "seeds", folder / "seeds")
            shutil.copy(REPO / "site.yaml", folder / "site.yaml")
            print_site("Bundled site", measure_site(folder, "2403.19887"))
    if "generated" in args.sites:
        with tempfile.TemporaryDirectory(dir=SCRATCH) as scratch:
            folder = Path(scratch)
            files = write_generated_site(folder, args.papers)
            started = time.perf_counter()
            report = measure_site(folder)
            print_site(f"Generated corpus (built and searched in {time.perf_counter() - started:.0f} s)", report)
            updates = edit_updates(folder, files)
            print(f"## Index update after a one-character edit, {args.papers} papers\n")
            print("| digest edited | index update s | whole build s |")
            print("|---|---:|---:|")
            for name, times in updates.items():
                print(f"| {name} | {times['index']:.3f} | {times['build']:.2f} |")
            print(f"\nIndexing every paper anew (no cache): {cold_cpu(folder):.1f} CPU s")


if __name__ == "__main__":
    main()

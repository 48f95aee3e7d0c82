"""Save-to-reload latency of `digestsite serve`, measured in real Chromium.

    python benchmarks/reload_latency.py [--papers 56 10000] [--trials 7]

For each corpus (56 = the bundled seeds, otherwise a generated one), the script starts the real dev
server, opens a paper page, then repeatedly rewrites that paper's Chinese title in its digest file and
times how long the open page takes to show it: file save → watcher → incremental rebuild → server-sent
event → browser reload → new text in the DOM. Prints the median and the worst trial.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(REPO / "tests"), str(HERE)]

from corpus import write_generated_site  # noqa: E402
from devserver import dev_server  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def prepare(papers: int, folder: Path) -> tuple[Path, str, str]:
    """A site folder; returns (digest file to edit, paper page path, Chinese title to replace)."""
    if papers == 56:
        shutil.copytree(REPO / "seeds", folder / "seeds")
        shutil.copy(REPO / "site.yaml", folder / "site.yaml")
        digest = folder / "seeds" / "000_9dc9e78c6ea22407.txt"
    else:
        write_generated_site(folder, papers)
        digest = folder / "seeds" / "00000.md"
    second_line = digest.read_text("utf-8").splitlines()[1]
    title = second_line[1 : second_line.index("]")]
    arxiv_id = second_line.rsplit("/", 1)[1].rstrip(")")
    return digest, f"papers/{arxiv_id}/", title


def measure(papers: int, trials: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        digest, page_path, title = prepare(papers, folder)
        with dev_server(folder) as server, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(server.url + page_path)
            time.sleep(0.5)
            current, timings = title, []
            for trial in range(trials):
                new = f"{title}{trial}"
                text = digest.read_text("utf-8")
                started = time.perf_counter()
                digest.write_text(text.replace(f"[{current}]", f"[{new}]", 1), "utf-8")
                page.wait_for_function(
                    "(t) => document.querySelector('p.title-zh').textContent === t", arg=new, timeout=30000
                )
                timings.append((time.perf_counter() - started) * 1000)
                current = new
                time.sleep(0.3)
            browser.close()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, nargs="+", default=[56, 10000])
    parser.add_argument("--trials", type=int, default=7)
    args = parser.parse_args()
    print(f"{'papers':>8} {'median ms':>10} {'worst ms':>9}")
    for papers in args.papers:
        timings = measure(papers, args.trials)
        print(f"{papers:>8} {statistics.median(timings):>10.0f} {max(timings):>9.0f}")


if __name__ == "__main__":
    main()

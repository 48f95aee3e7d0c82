"""What topics and related papers cost: cold builds with them and without them, side by side.

    python benchmarks/browse_bench.py [--papers 10000] [--runs 3] [--digestsite PATH] [--cpu]

Each run writes a fresh site of the varied generated corpus (corpus.py's `write_varied_corpus`, whose
words are spread as in real digests, so that topics and related papers find what they would there) and
builds it from nothing (`--no-cache`, no output), once as it comes and once with `topics: false` and
`related: 0` in site.yaml; the two alternate, and the best of the runs is compared. A build with topics
also writes the topic pages and feeds: they are part of the cost.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import build_bench  # noqa: E402
from build_bench import SCRATCH, timed  # noqa: E402
from corpus import write_generated_site  # noqa: E402

WITHOUT = "topics: false\nrelated: 0\n"


def cold_build(papers: int, settings: str, digestsite: str) -> tuple[float, int, dict[str, int]]:
    """(seconds, pages, stage milliseconds) of one cold build of a fresh varied site."""
    with tempfile.TemporaryDirectory(dir=SCRATCH) as scratch:
        folder = Path(scratch)
        write_generated_site(folder, papers, "https://example.org/digest/", varied=True, settings=settings)
        seconds, _, stderr = timed([digestsite, "build", "--no-cache", "--timings"], folder)
    stderr = stderr.replace(",", "")
    pages = int(re.search(r"(\d+) pages", stderr).group(1))  # type: ignore[union-attr]
    stages = {name: int(ms) for name, ms in re.findall(r"(\S+) (\d+) ms", stderr.split("stages:", 1)[1])}
    return seconds, pages, stages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3)
    beside_python = Path(sys.executable).parent / "digestsite"
    default = str(beside_python) if beside_python.exists() else shutil.which("digestsite") or "digestsite"
    parser.add_argument("--digestsite", default=default)
    parser.add_argument("--cpu", action="store_true", help="CPU seconds instead of wall clock: for a busy machine")
    args = parser.parse_args()
    build_bench.CPU = args.cpu
    results: dict[str, list[tuple[float, int, dict[str, int]]]] = {"with": [], "without": []}
    for _ in range(args.runs):
        for name, settings in (("without", WITHOUT), ("with", "")):
            results[name].append(cold_build(args.papers, settings, args.digestsite))
    unit = "CPU s" if args.cpu else "s"
    print(f"| papers | topics and related | pages | cold {unit} (best) | parse ms | plan ms | render+write ms |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    best = {}
    for name in ("without", "with"):
        seconds, pages, stages = min(results[name], key=lambda result: result[0])
        best[name] = seconds
        cells = [args.papers, name, pages, f"{seconds:.2f}", stages.get("parse", 0), stages.get("plan", 0)]
        cells.append(stages.get("render+write", 0))
        print("| " + " | ".join(str(cell) for cell in cells) + " |")
    print(f"\nwith topics and related papers: {best['with'] / best['without'] - 1:+.1%} on the cold build")


if __name__ == "__main__":
    main()

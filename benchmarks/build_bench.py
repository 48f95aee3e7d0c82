"""Build-time benchmark: cold build, no-op rebuild, one-digest edit, peak RSS, pages per second, stages.

    python benchmarks/build_bench.py [--papers 56 1000 10000 50000] [--digestsite PATH] [--cpu] [--without-browsing]

56 papers is the bundled demo site; larger sizes use the deterministic generator in corpus.py. Every
number is one run of the installed `digestsite` command measured from outside (wall clock, or with
--cpu the CPU seconds of the build and its workers, which a busy machine disturbs less; and peak RSS
from wait4, the largest of the build's processes). Outputs go to a RAM disk
when there is one. "cold" starts with no output and no cache; "empty output" removes the output of a
finished build but keeps `.digestsite-cache/`, as a CI runner that restores its cache does. The
edits add a space to the newest digest, then to the oldest: the newest batches are the ones usually
edited.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from corpus import write_generated_site  # noqa: E402

SCRATCH = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(tempfile.gettempdir())
# An installed package runs from compiled bytecode; with PYTHONDONTWRITEBYTECODE set, every run would
# compile every module again, and the figures would measure the compiler.
ENVIRONMENT = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


CPU = False  # --cpu: report user + system CPU seconds (the build's and its workers') instead of wall clock


def timed(command: list[str], cwd: Path) -> tuple[float, float, str]:
    """(seconds, peak RSS in MiB, stderr) of one command."""
    with tempfile.TemporaryFile("w+") as log:  # a file, not a pipe: a chatty build never blocks on it
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=ENVIRONMENT, stdout=subprocess.DEVNULL, stderr=log, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        if CPU:
            seconds = usage.ru_utime + usage.ru_stime
        log.seek(0)
        stderr = log.read()
    if status:
        sys.exit(f"{' '.join(command)} failed:\n{stderr[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, stderr


BROWSING_OFF = "topics: false\nrelated: 0\n"  # --without-browsing: for a digestsite that has neither


def prepare(papers: int, folder: Path, settings: str = "") -> tuple[Path, Path]:
    """Write the site; returns its oldest and its newest digest file."""
    if papers == 56:
        shutil.copytree(REPO / "seeds", folder / "seeds")
        shutil.copy(REPO / "site.yaml", folder / "site.yaml")
        return folder / "seeds" / "001_1bbfa1e29201756a.txt", folder / "seeds" / "003_001580e75e0c0255.txt"
    files = write_generated_site(folder, papers, "https://example.org/digest/", settings=settings)
    return folder / "seeds" / "00000.md", folder / "seeds" / f"{files - 1:05d}.md"


def edited(digest: Path, folder: Path, command: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS) of a build `command` after one small edit to one digest."""
    text = digest.read_text("utf-8")
    digest.write_text(text.replace("。", "。 ", 1), "utf-8")
    seconds, rss, _ = timed(command, folder)
    return seconds, rss


def measure(papers: int, digestsite: str, settings: str = "") -> dict[str, object]:
    with tempfile.TemporaryDirectory(dir=SCRATCH) as scratch:
        folder = Path(scratch)
        oldest, newest = prepare(papers, folder, settings)
        cold, rss, stderr = timed([digestsite, "build", "--timings"], folder)
        stderr = stderr.replace(",", "")  # thousands separators
        pages = int(re.search(r"(\d+) pages", stderr).group(1))  # type: ignore[union-attr]
        stages = dict(re.findall(r"(\S+) (\d+) ms", stderr.split("stages:", 1)[1]))
        noop, _, noop_err = timed([digestsite, "build"], folder)
        assert "up to date" in noop_err, noop_err
        shutil.rmtree(folder / "_site")  # an empty output beside a full cache, as on a CI runner
        refill, refill_rss, _ = timed([digestsite, "build"], folder)
        edit_newest, newest_rss = edited(newest, folder, [digestsite, "build"])
        edit_oldest, oldest_rss = edited(oldest, folder, [digestsite, "build"])
    total = sum(int(v) for v in stages.values()) or 1
    shares = {name: int(ms) / total for name, ms in stages.items()}
    return {"papers": papers, "pages": pages, "cold": cold, "refill": refill, "noop": noop, "newest": edit_newest,
            "oldest": edit_oldest, "rss": max(rss, refill_rss, newest_rss, oldest_rss), "pages_per_s": pages / cold,
            "shares": shares}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, nargs="+", default=[56, 1000, 10000, 50000])
    beside_python = Path(sys.executable).parent / "digestsite"
    default = str(beside_python) if beside_python.exists() else shutil.which("digestsite") or "digestsite"
    parser.add_argument("--digestsite", default=default)
    parser.add_argument("--cpu", action="store_true", help="CPU seconds instead of wall clock: for a busy machine")
    parser.add_argument("--without-browsing", action="store_true", help="no topics or related papers")
    args = parser.parse_args()
    global CPU
    CPU = args.cpu
    columns = ["papers", "pages", "cold s", "empty output s", "no-op s", "edit newest s", "edit oldest s"]
    columns += ["peak RSS MiB", "pages/s"]
    columns += ["parse", "plan", "render+write", "search", "swap"]
    print("| " + " | ".join(columns) + " |")
    print("|" + "---:|" * len(columns))
    for papers in args.papers:
        r = measure(papers, args.digestsite, BROWSING_OFF if args.without_browsing else "")
        shares = r["shares"]
        stage_cells = " | ".join(f"{shares.get(s, 0):.0%}" for s in ("parse", "plan", "render+write", "search", "swap"))  # type: ignore[union-attr]
        cells = [r["papers"], r["pages"]] + [f"{r[k]:.2f}" for k in ("cold", "refill", "noop", "newest", "oldest")]
        cells += [f"{r['rss']:.0f}", f"{r['pages_per_s']:.0f}", stage_cells]
        print("| " + " | ".join(str(cell) for cell in cells) + " |", flush=True)


if __name__ == "__main__":
    main()

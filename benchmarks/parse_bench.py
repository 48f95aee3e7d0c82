"""Parse-time benchmark: the digest parser on 10,000 papers in the seed layout and in a mix of the other
layouts it reads, against the seed-only parser it replaced.

    python benchmarks/parse_bench.py [--papers 10000] [--runs 5] [--old-commit cc3f805]

The old parser is the whole package of `--old-commit`, taken from git into a temporary folder and run
in a process of its own. Each figure is the best of `--runs` passes over every file, parsing only
(files are read into memory first), in CPU seconds of the parsing process: on a machine that other work
keeps busy, wall-clock figures swing by twice as much as the difference measured.
The target: the new layouts within 1.5x the old parser's time on the seed layout.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from corpus import write_corpus  # noqa: E402
from digestsite.content.parse import parse_digest  # noqa: E402

_EN = ["Sparse", "Scaling", "Agents", "Diffusion", "Memory", "Retrieval", "Reasoning", "Alignment", "Vision", "Tokens"]
_ZH = ["稀疏", "缩放", "智能体", "扩散", "记忆", "检索", "推理", "对齐", "视觉", "词元"]
_SENTENCE = "我们研究{a}与{b}的结合，在 {n} 个基准上提升了 {p}% 的效果。"


def _layouts(rng: random.Random, n: int, arxiv_id: str) -> str:
    """One entry in one of eight layouts, chosen by `n`."""
    en = " ".join(rng.sample(_EN, 4)) + f" {n}"
    zh = "".join(rng.sample(_ZH, 3)) + f" {n}"
    summary = "".join(
        _SENTENCE.format(a=rng.choice(_ZH), b=rng.choice(_ZH), n=rng.randint(2, 20), p=rng.randint(2, 95))
        for _ in range(8)
    )
    kind = n % 8
    if kind == 0:
        return f"## {n}. [{en}](https://arxiv.org/abs/{arxiv_id})\n\n**中文标题：** {zh}\n\n{summary}\n"
    if kind == 1:
        return (
            f"### {en}\n- **原文链接**: https://arxiv.org/abs/{arxiv_id}v2\n- **中文标题**: {zh}\n"
            f"- **作者**: Ann Lee, Bo Chen\n- **关键词**: 推理, 检索\n- **摘要**: {summary}\n"
        )
    if kind == 2:
        return (
            f"## {zh}\n**论文链接：** [arXiv](https://arxiv.org/abs/{arxiv_id})\n**原文标题：** {en}\n"
            f"**发布日期：** 2024-05-01\n\n**摘要：**\n{summary}\n"
        )
    if kind == 3:
        return (
            f"### {n}. **[{en}]** (https://huggingface.co/papers/{arxiv_id})\n"
            f"[📄 论文](https://arxiv.org/abs/{arxiv_id}) | [📥 PDF](https://arxiv.org/pdf/{arxiv_id}) | "
            f"[💻 代码](https://github.com/example/p{n})\n\n{summary}\n\n---\n"
        )
    if kind == 4:
        return (
            f"## {en} / {zh}\n\n#### 背景\n\n{summary}\n\n#### 方法\n\n{summary[:80]}\n\n"
            f"[到论文主页查看详情](https://huggingface.co/papers/{arxiv_id})\n"
        )
    if kind == 5:
        return (
            f"#### {n}. {en} (评分: 7.5)\n\n**论文ID:** {arxiv_id}v1  \n**总结时间:** 2025-08-06\n\n"
            f"#### 研究背景和问题\n{summary}\n\n#### 结论和意义\n{summary[:60]}\n"
        )
    if kind == 6:
        return (
            f"### [[Papers/{n}|{en}]]\n\n- **arXiv**: [{arxiv_id}](https://arxiv.org/abs/{arxiv_id})\n"
            f"- **cs 子类**: cs.AI, cs.CL\n\n{summary}\n\n<details>\n<summary>完整摘要</summary>\n\n"
            f"We study {en.lower()} and report gains on many benchmarks.\n\n</details>\n"
        )
    return f'## {en}\n<a href="https://arxiv.org/abs/{arxiv_id}">原文</a>\n\n> {zh}\n\n{summary}\n'


def mixed_corpus(papers: int, per_batch: int = 15, seed: int = 0) -> list[bytes]:
    """Files of `per_batch` entries in the mix of layouts, with a title, a preamble and a footer each."""
    rng = random.Random(seed)
    files = []
    for start in range(0, papers, per_batch):
        parts = [f"# 每周论文精选 第 {start // per_batch + 1} 期\n\n> 本期共 {per_batch} 篇。\n\n## 论文详情\n"]
        for n in range(start, min(start + per_batch, papers)):
            block = n // 3000
            month = (23 + block // 12) * 100 + block % 12 + 1
            parts.append(_layouts(rng, n, f"{month}.{10000 + n % 3000:05d}"))
        parts.append("---\n\n*数据来源：[arXiv.org](https://arxiv.org)*\n")
        files.append("\n".join(parts).encode("utf-8"))
    return files


def seed_corpus(papers: int) -> list[bytes]:
    with tempfile.TemporaryDirectory() as folder:
        write_corpus(Path(folder), papers)
        return [path.read_bytes() for path in sorted(Path(folder).iterdir())]


_TIMER = """
import json, sys, time
from pathlib import Path
from digestsite.content.parse import parse_digest
files = [p.read_bytes() for p in sorted(Path(sys.argv[1]).iterdir())]
best, papers = float("inf"), 0
for _ in range(int(sys.argv[2])):
    start = time.process_time()
    results = [parse_digest(data, f"{i:05d}.md") for i, data in enumerate(files)]
    best = min(best, time.process_time() - start)
    papers = sum(len(r.batch.papers) if r.batch else 0 for r in results)
print(json.dumps([best, papers]))
"""


def old_parser_time(commit: str, runs: int, files: list[bytes]) -> tuple[float, int]:
    """(best seconds, papers) of the parser of `commit` on `files`, run from that commit's own package."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        archive = subprocess.run(
            ["git", "archive", commit, "src/digestsite"], cwd=REPO, capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", str(root)], input=archive.stdout, check=True)
        inputs = root / "inputs"
        inputs.mkdir()
        for number, data in enumerate(files):
            (inputs / f"{number:05d}.md").write_bytes(data)
        env = {"PYTHONPATH": str(root / "src"), "PATH": "/usr/bin:/bin"}
        timed = subprocess.run(
            [sys.executable, "-c", _TIMER, str(inputs), str(runs)], env=env, capture_output=True, text=True, check=True
        )
    best, papers = json.loads(timed.stdout)
    return best, papers


def best_of(runs: int, parse: Callable[[bytes, str], object], files: list[bytes]) -> tuple[float, int]:
    best = float("inf")
    papers = 0
    for _ in range(runs):
        start = time.process_time()
        results = [parse(data, f"{i:05d}.md") for i, data in enumerate(files)]
        best = min(best, time.process_time() - start)
        papers = sum(len(r.batch.papers) if r.batch else 0 for r in results)  # type: ignore[attr-defined]
    return best, papers


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--old-commit", default="cc3f805")
    args = parser.parse_args()
    seed_files, mixed_files = seed_corpus(args.papers), mixed_corpus(args.papers)
    rows = [
        ("old parser, seed layout", old_parser_time(args.old_commit, args.runs, seed_files)),
        ("new parser, seed layout", best_of(args.runs, parse_digest, seed_files)),
        ("new parser, mixed layouts", best_of(args.runs, parse_digest, mixed_files)),
    ]
    baseline = rows[0][1][0]
    size = {name: sum(map(len, files)) / args.papers for name, files in (("seed", seed_files), ("mixed", mixed_files))}
    print(
        f"{args.papers} papers, best of {args.runs} runs, CPU time; bytes per paper: {size['seed']:.0f} seed, "
        f"{size['mixed']:.0f} mixed"
    )
    for name, (seconds, papers) in rows:
        print(f"  {name:<28} {seconds * 1000:8.0f} ms  {papers:>6} papers  {seconds / baseline:5.2f}x")
    ratio = rows[2][1][0] / baseline
    print(f"new layouts vs old seed parsing: {ratio:.2f}x (target 1.5x)")
    return 0 if ratio <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())

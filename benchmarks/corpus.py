"""Deterministic digest corpora in the seed format, for benchmarks and for tests that need volume.

python benchmarks/corpus.py OUTDIR --papers N [--per-batch 15] [--seed 0]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

_ZH = [
    "大语言模型",
    "多模态",
    "扩散模型",
    "检索增强",
    "推理能力",
    "智能体",
    "基准测试",
    "对齐",
    "长上下文",
    "量化",
    "混合专家",
    "状态空间",
]
_EN = [
    "Scaling",
    "Sparse",
    "Multimodal",
    "Diffusion",
    "Retrieval",
    "Reasoning",
    "Agents",
    "Alignment",
    "Memory",
    "Quantization",
    "Experts",
]


def write_corpus(folder: Path, papers: int, per_batch: int = 15, seed: int = 0, summary_chars: int = 300) -> int:
    """Write `papers` entries in files of `per_batch`; returns the number of files."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    files = 0
    for start in range(0, papers, per_batch):
        lines = []
        for n in range(start, min(start + per_batch, papers)):
            block = n // 3000  # 3,000 papers a month from January 2023 on: IDs never repeat
            month = (23 + block // 12) * 100 + block % 12 + 1
            arxiv_id = f"{month}.{10000 + n % 3000:05d}"
            words = rng.sample(_EN, 5)
            lines += [
                f"# {' '.join(words)} {n}",
                f"[{''.join(rng.sample(_ZH, 3))} {n}](https://arxiv.org/abs/{arxiv_id})",
                "",
            ]
            summary = ""
            while len(summary) < summary_chars:
                summary += f"我们研究{rng.choice(_ZH)}与{rng.choice(_ZH)}的结合，提升了 {rng.randint(2, 95)}% 的效果。"
            lines += [summary, ""]
        (folder / f"{files:05d}.md").write_text("\n".join(lines), "utf-8")
        files += 1
    return files


def write_generated_site(folder: Path, papers: int, base_url: str = "https://example.org/") -> int:
    """A bilingual site in `folder`: a generated corpus in seeds/ and its site.yaml; returns the number of files."""
    files = write_corpus(folder / "seeds", papers)
    (folder / "site.yaml").write_text(f"languages: [zh, en]\nbase_url: {base_url}\n", "utf-8")
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description="Write a deterministic digest corpus.")
    parser.add_argument("out", type=Path)
    parser.add_argument("--papers", type=int, required=True)
    parser.add_argument("--per-batch", type=int, default=15)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    files = write_corpus(args.out, args.papers, args.per_batch, args.seed)
    print(f"{args.papers} papers in {files} files under {args.out}")


if __name__ == "__main__":
    main()

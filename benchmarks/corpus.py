"""Deterministic digest corpora in the seed format, for benchmarks and for tests that need volume.

python benchmarks/corpus.py OUTDIR --papers N [--per-batch 15] [--seed 0] [--varied]

Titles and summaries mix the terms readers search for (search_quality.py's query set) with near
misses that share their characters but not the phrase (多模型 and 跨模态 beside 多模态, 大语料 beside
大语言模型), so a search that matches characters rather than phrases shows up in its precision.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

# Topics of Chinese titles and summaries.
_ZH = [
    "大语言模型", "多模态", "扩散模型", "检索增强", "推理能力", "智能体", "基准测试", "对齐", "长上下文", "量化",
    "混合专家", "状态空间", "视频生成", "注意力", "数学推理", "代码生成", "图像编辑",
]  # fmt: skip
# Phrases that share characters or bigrams with the topics without containing them.
_NEAR = ["多模型", "跨模态", "大语料", "语言模型", "上下文学习", "性能体现", "混合精度", "生成式", "注意到", "专家系统"]
# Latin names summaries mention.
_LATIN = ["Mamba", "Transformer", "LoRA", "RAG", "Jamba", "state space", "mixture of experts", "1-bit", "Transformers"]
_EN = [
    "Scaling", "Sparse", "Multimodal", "Diffusion", "Retrieval", "Reasoning", "Agents", "Alignment", "Memory",
    "Quantization", "Experts",
]  # fmt: skip
# Names some English titles carry, so title matches and summary-only matches both exist.
_EN_NAMES = ["Mamba", "Transformer", "LoRA", "RAG", "Jamba", "State Space", "Mixture of Experts", "1-bit"]


def _summary(rng: random.Random, chars: int) -> str:
    summary = ""
    while len(summary) < chars:
        first = rng.choice(_ZH) if rng.random() < 0.6 else rng.choice(_NEAR)
        second = rng.choice(_ZH) if rng.random() < 0.6 else rng.choice(_LATIN)
        summary += f"我们研究{first}与{second}的结合，提升了 {rng.randint(2, 95)}% 的效果。"
    return summary


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
            if rng.random() < 0.1:
                words[rng.randrange(5)] = rng.choice(_EN_NAMES)
            lines += [
                f"# {' '.join(words)} {n}",
                f"[{''.join(rng.sample(_ZH, 3))} {n}](https://arxiv.org/abs/{arxiv_id})",
                "",
                _summary(rng, summary_chars),
                "",
            ]
        (folder / f"{files:05d}.md").write_text("\n".join(lines), "utf-8")
        files += 1
    return files


def write_varied_corpus(folder: Path, papers: int, per_batch: int = 15, seed: int = 0) -> int:
    """Like `write_corpus`, but with text whose words are as varied as real digests', for what depends on
    them (topics, related papers): summaries of about 250 characters drawn from 8,000 made-up Chinese words
    and 4,000 Latin ones, both by Zipf's law, with the words of one to three glossary topics among them."""
    rng = random.Random(seed)
    characters = [chr(code) for code in rng.sample(range(0x4E00, 0x9FA5), 3000)]
    char_weights = [1 / rank for rank in range(1, len(characters) + 1)]
    zh_words = ["".join(rng.choices(characters, char_weights, k=rng.choice((2, 2, 3)))) for _ in range(8000)]
    latin = ["".join(rng.choices("abcdefghiklmnoprstuvy", k=rng.randint(3, 9))).capitalize() for _ in range(4000)]
    weights = [1 / rank for rank in range(1, 8001)]
    latin_weights = weights[: len(latin)]
    glossary = _glossary_words()
    topic_weights = [1 / rank for rank in range(1, len(glossary) + 1)]
    folder.mkdir(parents=True, exist_ok=True)
    files = 0
    for start in range(0, papers, per_batch):
        lines = []
        for n in range(start, min(start + per_batch, papers)):
            block = n // 3000
            month = (23 + block // 12) * 100 + block % 12 + 1
            arxiv_id = f"{month}.{10000 + n % 3000:05d}"
            topics = rng.choices(glossary, topic_weights, k=rng.randint(1, 3))
            name = " ".join(rng.choices(latin, latin_weights, k=3))
            title_zh = "".join(rng.choices(zh_words, weights, k=4)) + topics[0][1]
            lines += [f"# {name} {n}: {topics[0][0]}", f"[{title_zh} {n}](https://arxiv.org/abs/{arxiv_id})", ""]
            summary = ""
            while len(summary) < 250:
                words = rng.choices(zh_words, weights, k=rng.randint(6, 14))
                if rng.random() < 0.35:
                    words.insert(rng.randrange(len(words)), rng.choice(topics)[1])
                if rng.random() < 0.2:
                    words.insert(rng.randrange(len(words)), f" {rng.choices(latin, latin_weights)[0]} ")
                summary += "".join(words) + "。"
            lines += [summary, ""]
        (folder / f"{files:05d}.md").write_text("\n".join(lines), "utf-8")
        files += 1
    return files


def _glossary_words() -> list[tuple[str, str]]:
    """(English name, a Chinese word) of each bundled topic, in the glossary's order."""
    from digestsite.site.topics import load_glossary

    pairs = []
    for term in load_glossary():
        chinese = [
            word for word in (term.names.get("zh", ""), *term.words) if any("\u4e00" <= c <= "\u9fff" for c in word)
        ]
        pairs.append((term.names.get("en", term.slug), chinese[0] if chinese else term.slug))
    return pairs


def write_generated_site(
    folder: Path, papers: int, base_url: str = "https://example.org/", varied: bool = False, settings: str = ""
) -> int:
    """A bilingual site in `folder`: a generated corpus in seeds/ and its site.yaml (with `settings` added);
    returns the number of files."""
    files = (write_varied_corpus if varied else write_corpus)(folder / "seeds", papers)
    (folder / "site.yaml").write_text(f"languages: [zh, en]\nbase_url: {base_url}\n{settings}", "utf-8")
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description="Write a deterministic digest corpus.")
    parser.add_argument("out", type=Path)
    parser.add_argument("--papers", type=int, required=True)
    parser.add_argument("--per-batch", type=int, default=15)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--varied", action="store_true", help="text as varied as real digests' (see write_varied_corpus)"
    )
    args = parser.parse_args()
    write = write_varied_corpus if args.varied else write_corpus
    files = write(args.out, args.papers, args.per_batch, args.seed)
    print(f"{args.papers} papers in {files} files under {args.out}")


if __name__ == "__main__":
    main()

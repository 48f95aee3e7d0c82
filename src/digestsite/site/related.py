"""Related papers: for each paper, the few others that share its rarer words and its topics.

Each paper is described by its features: the Latin words of its titles and the opening of its summary,
and the pairs of adjacent Chinese characters (bigrams) of its Chinese title and summary. Only features
that few papers share tell papers apart; each paper keeps its rarest few. An inverted index from feature
to papers gives each paper the others sharing at least two of its features, and each of its topics adds
the topic's papers (those nearest in reading order, when the topic is large). A candidate scores a point
per shared feature plus, for each shared topic, its rarity, 1 + ln(papers / papers with the topic). The
best `limit` scoring at least MIN_SCORE are kept; ties go to the paper nearer in reading order.

What a paper costs is bounded (its features, their postings, its topics' neighbours): papers are never
compared two by two.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence

from digestsite.content.model import Paper
from digestsite.site.topics import TopicIndex

FEATURES = 24  # per paper: its rarest features, as long as their postings fit POSTINGS_BUDGET
POSTINGS_BUDGET = 300  # papers sharing its chosen features, counted over all of them: what a paper costs
MIN_SHARED_FEATURES = 2  # papers sharing fewer of its features are scored only when they share a topic
MIN_SHARED = 2  # a feature only one paper has relates nothing
SUMMARY_CHARACTERS = 120  # of each summary, to the end of that sentence: its opening says what the paper is about
TOPIC_NEIGHBOURS = 8  # members of a large topic considered on each side of a paper, in reading order
MIN_SCORE = 3.0  # below this, two papers share too little to be called related

_LATIN_WORD = re.compile(r"[a-z][a-z0-9]{2,}")  # in lowered text
_SENTENCE_END = re.compile(r"[。！？!?]|\.(?=\s|$)")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")


def features(paper: Paper) -> set[str]:
    """The paper's Latin words (lowered) and Chinese character bigrams."""
    return set(described(paper_text(paper)).split())


def paper_text(paper: Paper) -> str:
    """What a paper's features come from: its titles and the opening of its summary."""
    return f"{paper.title}\n{paper.title_zh}\n{opening(paper.summary or paper.abstract_en)}"


def described(text: str) -> str:
    """The features of a paper's text, sorted and separated by spaces (no feature holds one): one string,
    which a build cache keeps by the text and unpickles far faster than a set of short strings."""
    lowered = text.lower()
    found = set(_LATIN_WORD.findall(lowered))
    for run in _CJK_RUN.findall(lowered):
        found.update(map(str.__add__, run, run[1:]))
    return " ".join(sorted(found))


Described = tuple[tuple[str, ...], ...]  # each paper's features, sorted, in reading order
Ranked = tuple[tuple[int, ...], ...]  # each paper's related papers as positions in reading order, best first
# text → described(text): how a build cache keeps each paper's features, keyed by the text they come from.
DescribeMemo = Callable[[str], str]
# (signature, limit, features, topics) → ranked_related(features, topics, limit), each paper's features as
# `described` gives them. The signature is one string holding the features and topics; a build cache keys on
# it and the limit, and keeps the answer from the last build: an edit that leaves every paper's features and
# topics as they were (a typo fixed beyond a summary's opening, say) then costs no ranking.
RelatedMemo = Callable[[str, int, tuple[str, ...], Described], Ranked]


def ranked(signature: str, limit: int, features_of: tuple[str, ...], paper_topics: Described) -> Ranked:
    """What a RelatedMemo keeps: `ranked_related`'s answer, keyed by `signature` and `limit`."""
    return ranked_related(tuple(tuple(found.split()) for found in features_of), paper_topics, limit)


def opening(summary: str) -> str:
    """A summary's first sentences, through the one that reaches SUMMARY_CHARACTERS: whole sentences, so
    that an edit adding a character or a space near the cut leaves the paper's features as they were."""
    end = _SENTENCE_END.search(summary, SUMMARY_CHARACTERS - 1, 2 * SUMMARY_CHARACTERS)
    return summary[: end.end() if end else SUMMARY_CHARACTERS]


def related_papers(
    papers: Sequence[Paper],
    topics: TopicIndex,
    limit: int,
    memo: RelatedMemo = ranked,
    describe: DescribeMemo = described,
) -> dict[str, tuple[Paper, ...]]:
    """arXiv ID → up to `limit` related papers, best first; papers in reading order."""
    if limit <= 0 or len(papers) < 2:
        return {}
    features_of = tuple(describe(paper_text(paper)) for paper in papers)
    paper_topics = tuple(tuple(sorted(t.slug for t in topics.of_paper.get(p.arxiv_id, ()))) for p in papers)
    signature = "\n".join(itertools.chain(features_of, map(" ".join, paper_topics)))
    chosen = zip(papers, memo(signature, limit, features_of, paper_topics), strict=True)
    return {paper.arxiv_id: tuple(papers[other] for other in others) for paper, others in chosen}


def ranked_related(described: Described, paper_topics: Described, limit: int) -> Ranked:
    """For each paper (by its features and topics, in reading order), the positions of its related papers."""
    count = len(described)
    frequency = Counter(itertools.chain.from_iterable(described))
    most_shared = max(8, count // 100)  # shared by more papers than this, a feature tells little apart
    # Every telling feature ranked once, rarest first (ties by the feature itself): a paper's own features
    # then sort as plain numbers.
    telling = sorted(
        (papers_with, feature) for feature, papers_with in frequency.items() if MIN_SHARED <= papers_with <= most_shared
    )
    rank = {feature: position for position, (_, feature) in enumerate(telling)}
    postings: list[list[int]] = [[] for _ in telling]
    selected: list[list[int]] = []
    for position, found in enumerate(described):
        chosen = []
        budget = POSTINGS_BUDGET
        for feature in sorted(rank[feature] for feature in found if feature in rank)[:FEATURES]:
            budget -= telling[feature][0]
            if budget < 0:
                break
            chosen.append(feature)
            postings[feature].append(position)
        selected.append(chosen)
    members: dict[str, list[int]] = {}
    for position, slugs in enumerate(paper_topics):
        for slug in slugs:
            members.setdefault(slug, []).append(position)
    # Whole numbers (thousandths), so that a sum is the same whatever order a set of topics comes in.
    weight = {slug: round(1000 * (1 + math.log(count / len(listed)))) for slug, listed in members.items()}
    topic_sets = [frozenset(slugs) for slugs in paper_topics]
    result: list[tuple[int, ...]] = []
    for position in range(count):
        shared = Counter(itertools.chain.from_iterable(map(postings.__getitem__, selected[position])))
        shared[position] = 0
        candidates = {other for other, times in shared.items() if times >= MIN_SHARED_FEATURES}
        mine = topic_sets[position]
        for slug in mine:
            candidates.update(_near(members[slug], position))
        candidates.discard(position)
        scored = []
        for other in candidates:
            score = 1000 * shared[other]
            common = mine & topic_sets[other]
            if common:
                score += sum(map(weight.__getitem__, common))
            if score >= 1000 * MIN_SCORE:
                scored.append((-score, abs(other - position), other))
        scored.sort()
        result.append(tuple(other for _, _, other in scored[:limit]))
    return tuple(result)


def _near(listed: list[int], position: int) -> list[int]:
    """The members of a topic nearest to `position` in reading order (all of them, for a small topic)."""
    if len(listed) <= 2 * TOPIC_NEIGHBOURS:
        return listed
    at = bisect.bisect_left(listed, position)
    return listed[max(0, at - TOPIC_NEIGHBOURS) : at + TOPIC_NEIGHBOURS + 1]

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
from collections.abc import Sequence

from digestsite.content.model import Paper
from digestsite.site.topics import TopicIndex

FEATURES = 24  # per paper: its rarest features, as long as their postings fit POSTINGS_BUDGET
POSTINGS_BUDGET = 300  # papers sharing its chosen features, counted over all of them: what a paper costs
MIN_SHARED_FEATURES = 2  # papers sharing fewer of its features are scored only when they share a topic
MIN_SHARED = 2  # a feature only one paper has relates nothing
SUMMARY_CHARACTERS = 120  # of each summary: its opening says what the paper is about
TOPIC_NEIGHBOURS = 8  # members of a large topic considered on each side of a paper, in reading order
MIN_SCORE = 3.0  # below this, two papers share too little to be called related

_LATIN_WORD = re.compile(r"[a-z][a-z0-9]{2,}")  # in lowered text
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")


def features(paper: Paper) -> set[str]:
    """The paper's Latin words (lowered) and Chinese character bigrams."""
    text = f"{paper.title}\n{paper.title_zh}\n{(paper.summary or paper.abstract_en)[:SUMMARY_CHARACTERS]}".lower()
    found = set(_LATIN_WORD.findall(text))
    for run in _CJK_RUN.findall(text):
        found.update(map(str.__add__, run, run[1:]))
    return found


def related_papers(papers: Sequence[Paper], topics: TopicIndex, limit: int) -> dict[str, tuple[Paper, ...]]:
    """arXiv ID → up to `limit` related papers, best first; papers in reading order."""
    count = len(papers)
    if limit <= 0 or count < 2:
        return {}
    described = [features(paper) for paper in papers]
    frequency = Counter(itertools.chain.from_iterable(described))
    most_shared = max(8, count // 100)  # shared by more papers than this, a feature tells little apart
    # Every telling feature ranked once, rarest first (ties by the feature itself): a paper's own features
    # then sort as plain numbers.
    ranked = sorted(
        (papers_with, feature) for feature, papers_with in frequency.items() if MIN_SHARED <= papers_with <= most_shared
    )
    rank = {feature: position for position, (_, feature) in enumerate(ranked)}
    telling = set(rank)
    postings: list[list[int]] = [[] for _ in ranked]
    selected: list[list[int]] = []
    for position, found in enumerate(described):
        chosen = []
        budget = POSTINGS_BUDGET
        for feature in sorted(map(rank.__getitem__, found & telling))[:FEATURES]:
            budget -= ranked[feature][0]
            if budget < 0:
                break
            chosen.append(feature)
            postings[feature].append(position)
        selected.append(chosen)
    members = _members(papers, topics)
    # Whole numbers (thousandths), so that a sum is the same whatever order a set of topics comes in.
    weight = {slug: round(1000 * (1 + math.log(count / len(listed)))) for slug, listed in members.items() if listed}
    paper_topics = [frozenset(t.slug for t in topics.of_paper.get(paper.arxiv_id, ())) for paper in papers]
    related: dict[str, tuple[Paper, ...]] = {}
    for position, paper in enumerate(papers):
        shared = Counter(itertools.chain.from_iterable(map(postings.__getitem__, selected[position])))
        shared[position] = 0
        candidates = {other for other, times in shared.items() if times >= MIN_SHARED_FEATURES}
        mine = paper_topics[position]
        for slug in mine:
            candidates.update(_near(members[slug], position))
        candidates.discard(position)
        scored = []
        for other in candidates:
            score = 1000 * shared[other]
            common = mine & paper_topics[other]
            if common:
                score += sum(map(weight.__getitem__, common))
            if score >= 1000 * MIN_SCORE:
                scored.append((-score, abs(other - position), other))
        scored.sort()
        related[paper.arxiv_id] = tuple(papers[other] for _, _, other in scored[:limit])
    return related


def _members(papers: Sequence[Paper], topics: TopicIndex) -> dict[str, list[int]]:
    """Each topic's papers as positions in reading order."""
    position_of = {paper.arxiv_id: position for position, paper in enumerate(papers)}
    return {
        slug: [position_of[p.arxiv_id] for p in listed if p.arxiv_id in position_of]
        for slug, listed in topics.papers.items()
    }


def _near(listed: list[int], position: int) -> list[int]:
    """The members of a topic nearest to `position` in reading order (all of them, for a small topic)."""
    if len(listed) <= 2 * TOPIC_NEIGHBOURS:
        return listed
    at = bisect.bisect_left(listed, position)
    return listed[max(0, at - TOPIC_NEIGHBOURS) : at + TOPIC_NEIGHBOURS + 1]

"""Topics: the bundled bilingual glossary of AI research terms with site.yaml's changes, and which papers
each topic tags, with the words that tagged them and where (so every tag can be explained).

A word in a paper's title (English or Chinese) or keywords tags it; a word in its summary or English
abstract tags it when the topic's words occur there at least twice, so a passing mention does not. arXiv
subject classes, when metadata gives them, are topics too.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from digestsite.config import TopicSettings
from digestsite.content.categories import category_name
from digestsite.content.model import Paper
from digestsite.content.yaml_lines import load_mapping

GLOSSARY = Path(__file__).with_name("glossary.yaml")
FIELDS = ("title", "title_zh", "keywords", "summary", "abstract")  # where words are looked for, in this order
STRONG_FIELDS = ("title", "title_zh", "keywords")  # one word here tags the paper
BODY_FIELDS = ("summary", "abstract")  # the topic's words must occur twice across these
BODY_MINIMUM = 2
CATEGORY_FIELD = "category"

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CAPITAL_INSIDE = re.compile(r"[A-Za-z0-9][A-Z]")  # MoE, SSM, LoRA: only these capitals match
_SEPARATOR = re.compile(r"[\s\-]+")
_URL = re.compile(r"https?://\S+")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_WORD_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


@dataclass(frozen=True)
class Term:
    """A glossary entry: its slug, its name per language (zh and en) and the words that tag a paper with it."""

    slug: str
    names: Mapping[str, str]
    words: tuple[str, ...]


@dataclass(frozen=True)
class Topic:
    """A topic as pages show it: its slug (its URL) and its name in every interface language."""

    slug: str
    name: Mapping[str, str]
    category: bool = False  # an arXiv subject class rather than a glossary term


@dataclass(frozen=True)
class Evidence:
    """Why a paper has a topic: the words of the topic found in one field of the paper."""

    topic: str
    field: str  # title, title_zh, keywords, summary, abstract, or category
    words: tuple[str, ...]


@dataclass(frozen=True)
class TopicIndex:
    """Every topic with papers, each paper's topics and the evidence for them, and each topic's papers."""

    topics: tuple[Topic, ...] = ()  # glossary order, then subject classes by code
    of_paper: Mapping[str, tuple[Topic, ...]] = field(default_factory=dict)  # arXiv ID → topics
    evidence: Mapping[str, tuple[Evidence, ...]] = field(default_factory=dict)  # arXiv ID → evidence
    papers: Mapping[str, tuple[Paper, ...]] = field(default_factory=dict)  # topic slug → papers, reading order
    terms: tuple[Term, ...] = ()  # the glossary that tagged them: with the papers, it decides the evidence

    def topic(self, slug: str) -> Topic:
        return next(topic for topic in self.topics if topic.slug == slug)


def load_glossary(path: Path = GLOSSARY) -> list[Term]:
    """The bundled glossary, in its file's order."""
    terms = []
    for entry in load_mapping(path.read_text("utf-8")):
        spec = entry.value if isinstance(entry.value, dict) else {}
        names = {lang: str(spec[lang]) for lang in ("zh", "en") if spec.get(lang)}
        terms.append(Term(entry.key, names, tuple(str(word) for word in spec.get("match", ()))))
    return terms


def site_glossary(settings: TopicSettings, bundled: Iterable[Term] | None = None) -> list[Term]:
    """The bundled glossary with site.yaml's changes: renamed and extended topics keep their place, removed
    ones go, and the site's own topics follow in the order site.yaml gives them."""
    if not settings.enabled:
        return []
    terms = {term.slug: term for term in (load_glossary() if bundled is None else bundled)}
    for setting in settings.entries:
        if setting.remove:
            terms.pop(setting.slug, None)
            continue
        known = terms.get(setting.slug)
        names = {**(known.names if known else {}), **setting.names}
        if not names:
            names = {"en": setting.slug.replace("-", " ").capitalize()}
        terms[setting.slug] = Term(setting.slug, names, (*(known.words if known else ()), *setting.match))
    return list(terms.values())


class Tagger:
    """Finds the glossary's words in papers.

    Two regular expressions hold every word, as tries so that a text is read once whatever the size of the
    glossary: Latin words on the text with ASCII capitals lowered (whole words, an optional plural ending or
    version as in YOLOv9, spaces and hyphens alike), then words with Chinese characters anywhere.
    """

    def __init__(self, terms: Iterable[Term]) -> None:
        self.order: dict[str, int] = {}
        words: dict[str, tuple[str, list[str]]] = {}  # key (lowered, no spaces or hyphens) → (spelling, topics)
        for position, term in enumerate(terms):
            self.order[term.slug] = position
            for word in (*term.names.values(), *term.words):
                word = " ".join(word.split())
                topics = words.setdefault(_key(word), (word, []))[1]
                if term.slug not in topics:
                    topics.append(term.slug)
        # key → (spelling, topics, the key in its own capitals when only those match)
        self._latin: dict[str, tuple[str, tuple[str, ...], str]] = {}
        self._cjk: dict[str, tuple[str, tuple[str, ...], str]] = {}
        for key, (word, topics) in words.items():
            table = self._cjk if _CJK.search(word) else self._latin
            table[key] = (word, tuple(topics), _key(word, lower=False) if _exact(word) else "")
        self._found: dict[str, tuple[str, tuple[str, ...], str]] = {}
        # Each distinct piece of evidence once: a few hundred among tens of thousands of papers' topics, so
        # papers share them in memory and a build cache pickles (and unpickles) each once.
        self._evidence: dict[Evidence, Evidence] = {}
        latin = [_SEPARATOR.sub(" ", word.translate(_ASCII_LOWER)) for word, _, _ in self._latin.values()]
        # No look-behind for the start of a word: a pattern that opens with a plain character lets the engine
        # skip to where a word could start, which in Chinese text is rare. `find` checks the start instead.
        ending = r"(?:e?s|v[0-9]+(?:\.[0-9]+)*)?(?![a-z0-9])"  # a plural or a version, then the end of the word
        self._latin_pattern = re.compile(f"({_trie(latin)}){ending}") if latin else None
        cjk = [" ".join(word.lower().split()) for word, _, _ in self._cjk.values()]
        self._cjk_pattern = re.compile(_trie(cjk)) if cjk else None

    def find(self, text: str) -> list[tuple[int, str, str]]:
        """Every (position, topic slug, glossary word) found in `text`."""
        found: list[tuple[int, str, str]] = []
        lowered = _ascii_lower(text)  # the same length: spans fit the text as written
        if self._latin_pattern is not None:
            search, position = self._latin_pattern.search, 0
            while (match := search(lowered, position)) is not None:
                start = position = match.start()
                position += 1
                if start and lowered[start - 1] in _WORD_CHARACTERS:
                    continue  # inside a word: "rag" in "drag"; a word may start further on
                position = match.end()
                word, topics, exact = self._entry(self._latin, match.group(1))
                if exact and _key(text[start : match.end(1)], lower=False) != exact:
                    continue  # "moe" is not MoE
                found += [(start, slug, word) for slug in topics]
        if self._cjk_pattern is not None:
            for match in self._cjk_pattern.finditer(lowered):
                word, topics, _ = self._entry(self._cjk, match.group())
                found += [(match.start(), slug, word) for slug in topics]
        return found

    def _entry(
        self, table: dict[str, tuple[str, tuple[str, ...], str]], written: str
    ) -> tuple[str, tuple[str, ...], str]:
        """The glossary entry of a word as found; remembered by its spelling, as most words recur."""
        entry = self._found.get(written)
        if entry is None:
            entry = self._found[written] = table[_key(written)]
        return entry

    def tag(self, paper: Paper) -> tuple[Evidence, ...]:
        """The evidence for each of the paper's glossary topics, in glossary order, then field order."""
        texts = (
            paper.title,
            paper.title_zh,
            " · ".join(paper.keywords),
            _URL.sub(" ", paper.summary),
            paper.abstract_en,
        )
        starts = list(itertools.accumulate((len(text) + 1 for text in texts[:-1]), initial=0))
        words: dict[tuple[str, str], list[str]] = {}
        body_hits: dict[str, int] = {}
        for position, slug, word in sorted(self.find("\n".join(texts))):
            name = FIELDS[bisect.bisect_right(starts, position) - 1]
            found = words.setdefault((slug, name), [])
            if word not in found:
                found.append(word)
            if name in BODY_FIELDS:
                body_hits[slug] = body_hits.get(slug, 0) + 1
        strong = {slug for slug, name in words if name in STRONG_FIELDS}
        tagged = strong | {slug for slug, hits in body_hits.items() if hits >= BODY_MINIMUM}
        shared = self._evidence.setdefault
        evidence = [
            shared(found, found)
            for found in (Evidence(slug, name, tuple(found)) for (slug, name), found in words.items() if slug in tagged)
        ]
        evidence.sort(key=lambda e: (self.order[e.topic], FIELDS.index(e.field)))
        return tuple(evidence)


def _ascii_lower(text: str) -> str:
    """`text` with A-Z lowered and every other character as it was (str.lower is much faster, and gives the
    same unless some character lowers to two, like İ)."""
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else text.translate(_ASCII_LOWER)


def _key(word: str, lower: bool = True) -> str:
    joined = _SEPARATOR.sub("", word)
    return joined.lower() if lower else joined


def _exact(word: str) -> bool:
    """A word with a capital after its first letter (MoE, SSM, LoRA) matches in those capitals only."""
    return _CAPITAL_INSIDE.search(word) is not None


def _trie(words: Iterable[str]) -> str:
    """One pattern for many words, as a trie: `混合专家|混合深度` becomes `混合(?:专家|深度)`, which the regex
    engine tries in one pass instead of word by word. A space in a word matches a space, a hyphen or nothing."""
    root: dict[str, dict] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict[str, dict]) -> str:
        branches = [
            (r"[\s\-]?" if char == " " else re.escape(char)) + pattern(child)
            for char, child in sorted(node.items())
            if char
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        return f"(?:{body})?" if "" in node else body  # greedy: the longest word wins

    return pattern(root)


Tag = Callable[[Paper], tuple[Evidence, ...]]
# (glossary, paper, tag) → tag(paper): how a build cache reuses a paper's evidence from an earlier build,
# keyed by the glossary and the paper (`tag` follows from the glossary).
TagMemo = Callable[[tuple[Term, ...], Paper, Tag], tuple[Evidence, ...]]


def tagged(terms: tuple[Term, ...], paper: Paper, tag: Tag) -> tuple[Evidence, ...]:
    """The paper's evidence under the glossary `terms`, found by `tag` (the function a TagMemo keeps)."""
    return tag(paper)


def index_topics(
    papers: Iterable[Paper], terms: list[Term], languages: tuple[str, ...], memo: TagMemo = tagged
) -> TopicIndex:
    """Tag every paper (in reading order) with the glossary's topics and its arXiv subject classes."""
    papers = list(papers)
    if not terms:
        return TopicIndex()
    tagger = Tagger(terms)
    glossary = tuple(terms)
    evidence: dict[str, tuple[Evidence, ...]] = {}
    members: dict[str, list[Paper]] = {}
    for paper in papers:
        found = memo(glossary, paper, tagger.tag)
        categories = tuple(Evidence(code, CATEGORY_FIELD, (code,)) for code in dict.fromkeys(paper.categories))
        evidence[paper.arxiv_id] = found + categories
        for slug in dict.fromkeys(e.topic for e in evidence[paper.arxiv_id]):
            members.setdefault(slug, []).append(paper)
    topics = {term.slug: Topic(term.slug, _names(term.names, languages)) for term in terms if term.slug in members}
    for code in sorted(slug for slug in members if slug not in tagger.order):
        topics[code] = Topic(code, {lang: _category_label(code, lang) for lang in languages}, category=True)
    of_paper = {
        arxiv_id: tuple(topics[slug] for slug in dict.fromkeys(e.topic for e in found))
        for arxiv_id, found in evidence.items()
    }
    members_of = {slug: tuple(members[slug]) for slug in topics}
    return TopicIndex(tuple(topics.values()), of_paper, evidence, members_of, glossary)


def _names(names: Mapping[str, str], languages: tuple[str, ...]) -> dict[str, str]:
    """A name in every interface language: its own, else English, else Chinese."""
    fallback = names.get("en") or names.get("zh") or next(iter(names.values()))
    return {lang: names.get(lang) or names.get(lang.split("-")[0]) or fallback for lang in languages}


def _category_label(code: str, lang: str) -> str:
    name = category_name(code, lang)
    return f"{name} ({code})" if name else code

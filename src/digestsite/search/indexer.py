"""The search index: written here at build time, read by static/search.js; no server, no binary.

Everything lives under `search-index/`, one index for every interface language:
- `meta.js`: the format, the number of chunks, the CJK class the tokens were cut by, the languages, and
  every batch (oldest first) with its date, number of papers and titles: the search page's filters, and
  how paper numbers map to batches;
- `c/<n>.js`: chunk n of the postings (postings.py); a query fetches the chunks its tokens are filed in;
- `p/<batch>/<i>.js`: the i-th indexed paper of a batch as a result shows it, fetched only when shown.
Every file is a script that calls `digestsiteIndex(name, data)`, so the index loads over HTTP under any
path and from disk (file://) alike.

An edit rewrites only what it changed. An `IndexStore` (the build cache) keeps each batch's search
records and each chunk's JSON by content, and the state of the last index: a build works out which
batches changed from their keys, diffs their papers' tokens against the stored records, and patches
just the chunks those tokens are filed in. Paper numbers count from the oldest batch, so new batches
and edits keep every number; when they do not (a paper added to an old batch), the index is made anew.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Protocol

from digestsite.content.model import Batch
from digestsite.search.documents import SearchRecord, search_record
from digestsite.search.postings import Entry, chunk_json, entry, patched
from digestsite.search.tokens import CJK, chunk_of
from digestsite.site.assemble import Site
from digestsite.site.pages import owned_papers

INDEX_DIR = "search-index"
INDEX_META = f"{INDEX_DIR}/meta.js"  # what the search page loads first
FORMAT = 1
DOCS_PER_CHUNK = 8  # chunks grow in number with the papers: a query's few chunks stay a few kilobytes each
MIN_CHUNKS, MAX_CHUNKS = 16, 4096
REDO_LIMIT = 1000  # papers renumbered past this many (a paper added to an old batch): index anew
_STATE = "state"

Tokens = tuple[set[str], set[str]]  # a paper's tokens, and those of its titles and authors


class IndexStore(Protocol):
    """What a build keeps for the next one: values by name, and keys over inputs to name them by."""

    def key(self, inputs: tuple[object, ...]) -> str: ...

    def get(self, name: str) -> object | None: ...

    def put(self, name: str, value: object) -> None: ...

    def keep_only(self, names: Collection[str]) -> None: ...


class NoIndexStore:
    """Nothing kept: every build indexes every paper."""

    def key(self, inputs: tuple[object, ...]) -> str:
        return ""

    def get(self, name: str) -> object | None:
        return None

    def put(self, name: str, value: object) -> None:
        pass

    def keep_only(self, names: Collection[str]) -> None:
        pass


@dataclass(frozen=True)
class IndexState:
    """An index as the store keeps it: each chunk's JSON by name, each batch by key, the meta file's digest."""

    chunks: tuple[str, ...]
    batches: tuple[tuple[str, str, int], ...]  # oldest first: slug, key of its papers, papers indexed
    meta: str

    @cached_property
    def id(self) -> str:
        return _digest(repr((FORMAT, self.chunks, self.batches, self.meta)))

    def names(self) -> set[str]:
        return {_STATE, *(_chunk_name(c) for c in self.chunks), *(_batch_name(key) for _, key, _ in self.batches)}


def chunk_count(papers: int) -> int:
    """A power of two near papers / DOCS_PER_CHUNK: it changes (and the index is made anew) only as the
    archive doubles."""
    wanted = max(1, papers // DOCS_PER_CHUNK)
    return min(MAX_CHUNKS, max(MIN_CHUNKS, 1 << (wanted - 1).bit_length()))


class SearchIndexer:
    """Makes a site's index (anew, or by patching the stored one), then writes it or just its changes.

    `wait()` does the work; `finish(into)` writes the whole index under `into`, `place_changes(…)` only
    the files that differ from a live site's index. `keys` names the index made, for the next build.
    """

    def __init__(self, site: Site, store: IndexStore | None = None) -> None:
        self.site = site
        self.store: IndexStore = store or NoIndexStore()
        batches = list(reversed(site.batches))  # oldest first: paper numbers only grow
        self._papers = [owned_papers(batch) for batch in batches]
        self._batches = batches
        self._layout = tuple(
            (batch.slug, self.store.key((FORMAT, batch.slug, batch.papers)), len(papers))
            for batch, papers in zip(batches, self._papers, strict=True)
        )
        self.chunks = chunk_count(sum(count for _, _, count in self._layout))
        self._meta = _script("meta", _meta_data(site, batches, self._layout, self.chunks))
        prior = self.store.get(_STATE)
        self._prior = prior if isinstance(prior, IndexState) else None
        self._state: IndexState | None = None
        self._records: dict[int, tuple[SearchRecord, ...]] = {}  # made this build, by batch position
        self._chunk_json: dict[int, str] = {}  # made this build
        self._changed: set[int] | None = None  # patched batches' positions, or None: made anew
        self._before: dict[str, SearchRecord] = {}  # the fragments of the patched batches, as they were

    @property
    def keys(self) -> list[str]:
        """The index's name for the build record: what `place_changes` compares a live index with."""
        self.wait()
        assert self._state is not None
        return [self._state.id] if self._layout else []

    def wait(self) -> None:
        """Make the index: patch the stored one when only some batches changed, else index every paper."""
        if self._state is not None:
            return
        if not self._patch():
            self._index_all()
        if self._layout:
            self.store.keep_only(self._state.names() if self._state else ())

    def finish(self, into: Path) -> None:
        """Write the whole index under `into`, which holds none yet."""
        self.wait()
        if self._layout:
            self._write(into, self._all_files())

    def place_changes(self, into: Path, previous: Sequence[str], live: Path) -> tuple[list[str], list[str]]:
        """Write under `into` what differs from the index of the live site `live`, whose keys are `previous`.
        Returns the paths that replace live ones and the live paths to remove."""
        self.wait()
        if not self._layout:
            return [], [INDEX_DIR] if (live / INDEX_DIR).exists() else []
        prior = self._prior
        if self._changed is None or prior is None or list(previous) != [prior.id] or not (live / INDEX_DIR).is_dir():
            self._write(into, self._all_files())
            return [INDEX_DIR], []
        files, removed = self._changed_files(prior)
        self._write(into, files)
        return [f"{INDEX_DIR}/{path}" for path in files], [f"{INDEX_DIR}/{path}" for path in removed]

    # Making the index

    def _index_all(self) -> None:
        papers: dict[str, list[int]] = defaultdict(list)
        heads: dict[str, list[int]] = defaultdict(list)
        doc = 0
        for position, batch_papers in enumerate(self._papers):
            records = self._records[position] = tuple(search_record(paper) for paper in batch_papers)
            for record in records:
                head = record.head_tokens()
                for token in record.tokens(head):
                    papers[token].append(doc)
                for token in head:
                    heads[token].append(doc)
                doc += 1
        chunks: list[dict[str, Entry]] = [{} for _ in range(self.chunks)]
        for token, docs in papers.items():
            chunks[chunk_of(token, self.chunks)][token] = entry(docs, heads.get(token, ()))
        self._chunk_json = {number: chunk_json(entries) for number, entries in enumerate(chunks)}
        for position, records in self._records.items():
            self.store.put(_batch_name(self._layout[position][1]), records)
        self._save({number: self._chunk_json[number] for number in range(self.chunks)})

    def _patch(self) -> bool:
        """Patch the stored index for the batches that changed; False when it cannot (or should not) be."""
        prior = self._prior
        if prior is None or len(prior.chunks) != self.chunks or not all(key for _, key, _ in self._layout):
            return False
        same = 0  # batches at the same place with as many papers: their papers keep their numbers
        for old, new in zip(prior.batches, self._layout, strict=False):
            if old[0] != new[0] or old[2] != new[2]:
                break
            same += 1
        renumbered = sum(count for _, _, count in prior.batches[same:]) + sum(c for _, _, c in self._layout[same:])
        if renumbered > REDO_LIMIT:
            return False
        changed = {i for i in range(same) if prior.batches[i][1] != self._layout[i][1]}
        changed |= set(range(same, len(self._layout)))
        old = self._stored_tokens(prior, [i for i in range(len(prior.batches)) if i in changed or i >= same])
        if old is None:
            return False
        new = self._tokens_of(sorted(changed))
        edits = _token_edits(old, new, self.chunks)
        chunks = {}
        for number, changes in edits.items():
            stored = self.store.get(_chunk_name(prior.chunks[number]))
            if not isinstance(stored, str):
                return False
            chunks[number] = chunk_json(patched(json.loads(stored), changes))
        self._chunk_json = chunks
        self._changed = changed
        for position in changed:
            self.store.put(_batch_name(self._layout[position][1]), self._records[position])
        self._save(chunks)
        return True

    def _stored_tokens(self, prior: IndexState, positions: Iterable[int]) -> dict[int, Tokens] | None:
        """The tokens of the papers of the prior index's batches at `positions`, by paper number."""
        bases = _bases(count for _, _, count in prior.batches)
        tokens: dict[int, Tokens] = {}
        for position in positions:
            records = self.store.get(_batch_name(prior.batches[position][1]))
            if not isinstance(records, tuple):
                return None
            tokens.update(_numbered_tokens(bases[position], records))
            self._before.update(zip(_paths(prior.batches[position][0], len(records)), records, strict=True))
        return tokens

    def _tokens_of(self, positions: Iterable[int]) -> dict[int, Tokens]:
        bases = _bases(count for _, _, count in self._layout)
        tokens: dict[int, Tokens] = {}
        for position in positions:
            records = self._records[position] = tuple(search_record(p) for p in self._papers[position])
            tokens.update(_numbered_tokens(bases[position], records))
        return tokens

    def _save(self, chunks: dict[int, str]) -> None:
        """Keep the chunks made this build and the new state (what the next build patches)."""
        names = list(self._prior.chunks) if self._prior and len(self._prior.chunks) == self.chunks else []
        for number, text in chunks.items():
            digest = _digest(text)
            if len(names) <= number:
                names.append(digest)
            else:
                names[number] = digest
            self.store.put(_chunk_name(digest), text)
        self._state = IndexState(tuple(names), self._layout, _digest(self._meta))
        if self._layout:
            self.store.put(_STATE, self._state)

    # Writing the index

    def _all_files(self) -> dict[str, str]:
        assert self._state is not None
        for number, name in enumerate(self._state.chunks):
            if number not in self._chunk_json:
                stored = self.store.get(_chunk_name(name))
                if not isinstance(stored, str):  # the store lost a chunk: make them all anew
                    self._index_all()
                    break
                self._chunk_json[number] = stored
        files = {"meta.js": self._meta}
        for number, text in sorted(self._chunk_json.items()):
            files[f"c/{number}.js"] = _script(f"c/{number}", text)
        for position, batch in enumerate(self._batches):
            records = self._records.get(position)
            if records is None:  # a batch this build did not index: its records as the store kept them
                stored = self.store.get(_batch_name(self._layout[position][1])) if self._layout[position][1] else None
                fresh = stored if isinstance(stored, tuple) else tuple(search_record(p) for p in self._papers[position])
                records = self._records[position] = fresh
            files.update(_fragments(batch.slug, records))
        return files

    def _changed_files(self, prior: IndexState) -> tuple[dict[str, str], list[str]]:
        """The files that differ from the prior index, and the prior index's files that are gone."""
        assert self._changed is not None
        files = {} if prior.meta == _digest(self._meta) else {"meta.js": self._meta}
        for number, text in self._chunk_json.items():
            files[f"c/{number}.js"] = _script(f"c/{number}", text)
        for position in self._changed:
            records = self._records[position]
            for path, record in zip(_paths(self._layout[position][0], len(records)), records, strict=True):
                if self._before.get(path) != record:
                    files[path] = _fragment(path, record)
        removed = sorted(_fragment_paths(prior.batches) - _fragment_paths(self._layout))
        return files, removed

    def _write(self, into: Path, files: dict[str, str]) -> None:
        root = os.path.join(into, INDEX_DIR)  # strings, not Paths: a full index is some twelve thousand files
        made: set[str] = set()
        for path, text in files.items():
            folder, _, _ = path.rpartition("/")
            if folder not in made:
                os.makedirs(os.path.join(root, folder), exist_ok=True)
                made.add(folder)
            with open(os.path.join(root, path), "w", encoding="utf-8") as file:
                file.write(text)


def _numbered_tokens(base: int, records: Sequence[SearchRecord]) -> dict[int, Tokens]:
    tokens = {}
    for offset, record in enumerate(records):
        head = record.head_tokens()
        tokens[base + offset] = (record.tokens(head), head)
    return tokens


Edits = dict[int, dict[str, list[tuple[int, bool, bool]]]]


def _token_edits(old: dict[int, Tokens], new: dict[int, Tokens], chunk_total: int) -> Edits:
    """By chunk number, each token whose papers changed: (paper, holds it now, holds it in its head now)."""
    empty: Tokens = (set(), set())
    edits: Edits = {}
    chunks: dict[str, int] = {}
    for doc in old.keys() | new.keys():
        old_all, old_head = old.get(doc, empty)
        new_all, new_head = new.get(doc, empty)
        for token in (old_all ^ new_all) | (old_head ^ new_head):
            number = chunks.get(token)
            if number is None:
                number = chunks[token] = chunk_of(token, chunk_total)
            edits.setdefault(number, {}).setdefault(token, []).append((doc, token in new_all, token in new_head))
    return edits


def _paths(slug: str, count: int) -> list[str]:
    """The fragment files of a batch's papers."""
    return [f"p/{slug}/{i}.js" for i in range(count)]


def _fragment(path: str, record: SearchRecord) -> str:
    return _script(path.removesuffix(".js"), _json(record.fragment()))


def _fragments(slug: str, records: Sequence[SearchRecord]) -> dict[str, str]:
    return {path: _fragment(path, record) for path, record in zip(_paths(slug, len(records)), records, strict=True)}


def _fragment_paths(layout: Iterable[tuple[str, str, int]]) -> set[str]:
    return {path for slug, _, count in layout for path in _paths(slug, count)}


def _meta_data(site: Site, batches: Sequence[Batch], layout: Sequence[tuple[str, str, int]], chunks: int) -> str:
    languages = site.config.languages
    listed = [
        [batch.slug, batch.date.isoformat(), count, *(batch.title[lang] for lang in languages)]
        for batch, (_, _, count) in zip(batches, layout, strict=True)
    ]
    tags = {code: locale.html_lang for code, locale in sorted(site.locales.items())}  # zh → zh-CN, for lang=""
    data = {"format": FORMAT, "chunks": chunks, "cjk": CJK, "languages": list(languages), "tags": tags}
    return _json({**data, "batches": listed})


def _script(name: str, data_json: str) -> str:
    """A file of the index: a script handing its data to the search page, which asked for it by name."""
    return f"digestsiteIndex({_json(name)},{data_json});\n"


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _bases(counts: Iterable[int]) -> list[int]:
    """The number of each batch's first paper, from the batches' sizes."""
    bases, total = [], 0
    for count in counts:
        bases.append(total)
        total += count
    return bases


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _chunk_name(digest: str) -> str:
    return f"chunk-{digest}"


def _batch_name(key: str) -> str:
    return f"batch-{key}"

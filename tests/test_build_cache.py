"""The build cache never changes output: cached and uncached builds agree byte for byte after any change."""

from __future__ import annotations

import functools
import shutil

import pytest

from arxiv_api import fetch_fixture_metadata
from digestsite.cache.build_cache import DiskCache
from digestsite.cache.keys import Keys
from digestsite.commands.build import BuildOptions, build
from digestsite.config import load_config
from digestsite.render.renderer import Renderer
from digestsite.search import documents, indexer
from digestsite.site import related, topics
from digestsite.site.assemble import load_site
from helpers import REPO, run, snapshot, write_site

JAMBA = "seeds/000_9dc9e78c6ea22407.txt"
GENIE_AGAIN = "# Genie again\n[Genie](https://arxiv.org/abs/2402.15391)\n\n摘要。\n\n"  # also in batch 002


def test_unchanged_site_is_up_to_date_and_untouched(bundled_site):
    root = bundled_site.parent
    assert run(root, "build").returncode == 0
    inode = (root / "_site").stat().st_ino
    before = snapshot(root / "_site")
    again = run(root, "build")
    assert again.returncode == 0 and "_site is up to date" in again.stderr
    assert "seeds/003_001580e75e0c0255.txt:27: warning:" in again.stderr  # warnings are still reported
    assert (root / "_site").stat().st_ino == inode and snapshot(root / "_site") == before


def edit(path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")


@pytest.mark.slow  # twenty seconds of builds: the slow run keeps it
def test_cached_and_uncached_builds_agree_after_edits_deletions_and_template_changes(bundled_site):
    root = bundled_site.parent
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "static", root / "static")
    changes = [
        lambda: None,
        lambda: edit(root / JAMBA, "我们推出了 Jamba", "我们隆重推出了 Jamba"),
        # The first paper of a batch: the neighbouring batch's last paper page links to it by title.
        lambda: edit(root / "seeds" / "002_d9196b8b15d8655a.txt", "# MobileLLM: Optimizing", "# MobileLLM: Optimising"),
        # A paper listed by a second batch: which batch owns its page may move.
        lambda: edit(root / JAMBA, "# Jamba:", GENIE_AGAIN + "# Jamba:"),
        lambda: (root / "seeds" / "001_1bbfa1e29201756a.txt").unlink(),
        lambda: edit(root / "templates" / "paper.html", "<article", "<article data-edited"),
        lambda: edit(root / "static" / "style.css", "--measure: 42rem;", "--measure: 44rem;"),
        lambda: edit(bundled_site, "AI Paper Digest", "AI Papers Weekly"),
        lambda: (root / "seeds" / "005_new.md").write_text("# New\n[新](https://arxiv.org/abs/2407.00001)\n\n摘要。\n"),
    ]
    for change in changes:
        change()
        cached = run(root, "build", "--output", "cached")
        fresh = run(root, "build", "--no-cache", "--output", "fresh")
        assert cached.returncode == fresh.returncode == 0
        assert "up to date" not in cached.stderr or change is changes[0]
        assert snapshot(root / "cached") == snapshot(root / "fresh")
        assert "up to date" in run(root, "build", "--output", "cached").stderr


def test_removed_output_is_rebuilt(bundled_site):
    root = bundled_site.parent
    assert run(root, "build").returncode == 0
    shutil.rmtree(root / "_site")
    result = run(root, "build")
    assert "up to date" not in result.stderr and (root / "_site" / "index.html").is_file()


def test_strict_still_fails_on_warnings_when_nothing_changed(bundled_site):
    root = bundled_site.parent
    assert run(root, "build").returncode == 0
    strict = run(root, "build", "--strict")
    assert strict.returncode == 1 and "003_001580e75e0c0255.txt:27: warning:" in strict.stderr


@pytest.mark.slow  # twenty seconds of builds: the slow run keeps it
def test_in_place_updates_patch_the_search_index_and_match_fresh_builds(bundled_site, monkeypatch):
    root = bundled_site.parent
    cached = load_config(bundled_site, {"output": str(root / "cached")})
    fresh = load_config(bundled_site, {"output": str(root / "fresh")})
    first = build(cached, cache=DiskCache(cached))
    assert first.pages == 218 and (root / "cached" / "search-index" / "meta.js").is_file()
    changes = [
        lambda: edit(root / JAMBA, "我们推出了 Jamba", "我们隆重推出了 Jamba"),
        # The first paper of a batch: the neighbouring batch's last paper page links to it by title.
        lambda: edit(root / "seeds" / "002_d9196b8b15d8655a.txt", "# MobileLLM: Optimizing", "# MobileLLM: Optimising"),
        # A paper listed by a second batch: which batch owns its page may move.
        lambda: edit(root / JAMBA, "# Jamba:", GENIE_AGAIN + "# Jamba:"),
        lambda: (root / "seeds" / "001_1bbfa1e29201756a.txt").unlink(),
        lambda: (root / "seeds" / "005_new.md").write_text("# New\n[新](https://arxiv.org/abs/2407.00001)\n\n摘要。\n"),
    ]
    for change in changes:
        change()
        with monkeypatch.context() as patch:
            patch.setattr(indexer.SearchIndexer, "_index_all", lambda _: pytest.fail("the index was made anew"))
            updated = build(cached, cache=DiskCache(cached))
        assert updated.in_place and 0 < updated.pages < 218  # only the pages that changed
        build(fresh)
        assert snapshot(root / "cached") == snapshot(root / "fresh")


def test_a_build_into_an_empty_folder_takes_pages_and_index_from_the_cache(bundled_site, monkeypatch):
    root = bundled_site.parent
    config = load_config(bundled_site)
    build(config, cache=DiskCache(config))
    before = snapshot(config.output_dir)
    shutil.rmtree(config.output_dir)
    monkeypatch.setattr(Renderer, "render", lambda *_: pytest.fail("a cached page was rendered again"))
    monkeypatch.setattr(documents, "add_tokens", lambda *_: pytest.fail("a cached paper was indexed again"))
    keyed = []
    combine = Keys.combine
    monkeypatch.setattr(Keys, "combine", lambda self, *parts: keyed.append(parts[1]) or combine(self, *parts))
    build(config, cache=DiskCache(config))
    assert snapshot(config.output_dir) == before
    # A batch whose inputs were recorded takes its pages' fingerprints from the record: none is worked out.
    assert "index.html" in keyed and not [part for part in keyed if str(part).startswith(("papers/", "batches/"))]
    assert (root / ".digestsite-cache" / "pages" / "index.pickle").is_file()


def test_topics_and_related_papers_are_worked_out_again_only_for_what_changed(bundled_site, monkeypatch):
    """An edit tags and describes only the papers it changed; an edit that leaves every paper's words and topics as they
    were reuses the ranking of related papers, and one that changes them ranks again. Each matches a build
    without the cache."""
    root = bundled_site.parent
    cached = load_config(bundled_site, {"output": str(root / "cached")})
    fresh = load_config(bundled_site, {"output": str(root / "fresh")})
    build(cached, cache=DiskCache(cached))
    tagged, ranked, described = [], [], []
    tag, rank, describe = topics.Tagger.tag, related.ranked_related, related.described
    monkeypatch.setattr(topics.Tagger, "tag", lambda self, paper: tagged.append(paper.arxiv_id) or tag(self, paper))
    monkeypatch.setattr(related, "ranked_related", lambda *args: ranked.append(1) or rank(*args))
    counted = functools.wraps(describe)(lambda text: described.append(text.split("\n")[0]) or describe(text))
    monkeypatch.setattr(related, "described", counted)
    cases = [
        (lambda: edit(root / JAMBA, "我们推出了 Jamba", "我们推出了 Jamba "), 0),  # the same words
        (lambda: edit(root / JAMBA, "# Jamba:", "# Jamba Turbo:"), 1),  # a new word in a title
    ]
    for change, rankings in cases:
        change()
        tagged.clear(), ranked.clear(), described.clear()
        build(cached, cache=DiskCache(cached))
        assert tagged == ["2403.19887"] and len(ranked) == rankings
        assert len(described) == 1 and described[0].startswith("Jamba")
        build(fresh)
        assert snapshot(root / "cached") == snapshot(root / "fresh")


def test_a_damaged_page_store_costs_time_never_correctness(bundled_site):
    root = bundled_site.parent
    config = load_config(bundled_site)
    build(config, cache=DiskCache(config))
    before = snapshot(config.output_dir)
    for segment in (root / ".digestsite-cache" / "pages").glob("segment-*"):
        segment.write_bytes(segment.read_bytes()[:1000])  # truncated: most pages can no longer be read
    shutil.rmtree(config.output_dir)
    build(config, cache=DiskCache(config))
    assert snapshot(config.output_dir) == before


@pytest.fixture
def themed_site(bundled_site):
    """The demo site with its own copy of the theme's templates and static files, and a locale file."""
    root = bundled_site.parent
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "static", root / "static")
    (root / "locales").mkdir()
    (root / "locales" / "en.yaml").write_text('archive:\n  heading: "Archive"\n', "utf-8")
    return bundled_site


def with_key(config_file, line: str) -> None:
    """Append (or replace) one top-level key of site.yaml."""
    key = line.split(":", 1)[0]
    kept, dropping = [], False
    for row in config_file.read_text("utf-8").splitlines():
        dropping = row.startswith(f"{key}:") or (dropping and row.startswith(" "))  # the key and its nested lines
        if not dropping:
            kept.append(row)
    config_file.write_text("\n".join([*kept, line]) + "\n", "utf-8")


def other_folder(root, name: str, source: str) -> None:
    shutil.copytree(root / source, root / name)


# Made up for this test, as the text says: only the build's reaction to the file is under test.
METADATA_LINE = '{"id": "2403.19887", "abstract": "An abstract made up for the cache test."}\n'


def metadata_file(folder, line: str = METADATA_LINE) -> None:
    folder.mkdir(exist_ok=True)
    (folder / "arxiv.jsonl").write_text(line, "utf-8")


INPUT_CHANGES = {
    "digest": lambda root, cfg: edit(root / JAMBA, "我们推出了 Jamba", "我们隆重推出了 Jamba"),
    "template": lambda root, cfg: edit(root / "templates" / "paper.html", "<article", "<article data-edited"),
    "static file": lambda root, cfg: edit(root / "static" / "style.css", "--measure: 42rem;", "--measure: 40rem;"),
    "locale": lambda root, cfg: edit(root / "locales" / "en.yaml", '"Archive"', '"All issues"'),
    "metadata file": lambda root, cfg: metadata_file(root / "metadata"),
    "title": lambda root, cfg: with_key(cfg, "title: Another Title"),
    "description": lambda root, cfg: with_key(cfg, "description: Another description"),
    "base_url": lambda root, cfg: with_key(cfg, "base_url: https://another.example/"),
    "languages": lambda root, cfg: with_key(cfg, "languages: [zh]"),
    "seeds": lambda root, cfg: (
        other_folder(root, "seeds2", "seeds"),
        (root / "seeds2" / JAMBA.split("/")[1]).unlink(),
        with_key(cfg, "seeds: seeds2"),
    ),
    "output": lambda root, cfg: with_key(cfg, "output: public"),
    "templates": lambda root, cfg: (
        other_folder(root, "templates2", "templates"),
        edit(root / "templates2" / "base.html", "<body", "<body data-t2"),
        with_key(cfg, "templates: templates2"),
    ),
    "static": lambda root, cfg: (
        other_folder(root, "static2", "static"),
        edit(root / "static2" / "style.css", "--measure: 42rem;", "--measure: 41rem;"),
        with_key(cfg, "static: static2"),
    ),
    "locales": lambda root, cfg: (
        (root / "locales2").mkdir(),
        (root / "locales2" / "zh.yaml").write_text('archive:\n  heading: "往期"\n', "utf-8"),
        with_key(cfg, "locales: locales2"),
    ),
    "metadata": lambda root, cfg: (metadata_file(root / "metadata2"), with_key(cfg, "metadata: metadata2")),
    "feed_size": lambda root, cfg: with_key(cfg, "feed_size: 3"),
    "cname": lambda root, cfg: with_key(cfg, "cname: digest.example.org"),
}


# The default run; -m slow: all.
QUICK_KINDS = ("digest", "template", "static file", "locale", "metadata file", "base_url")


@pytest.mark.parametrize(
    "kind", [kind if kind in QUICK_KINDS else pytest.param(kind, marks=pytest.mark.slow) for kind in INPUT_CHANGES]
)
def test_every_kind_of_input_change_reaches_the_output(themed_site, kind):
    """Each input kind, and each site.yaml key, is part of the cache's keys: no stale output."""
    root = themed_site.parent
    config = load_config(themed_site)
    no_search = BuildOptions(search=False)  # the search index has tests of its own; this keeps the test quick
    build(config, options=no_search, cache=DiskCache(config))
    before = snapshot(config.output_dir)
    INPUT_CHANGES[kind](root, themed_site)
    config = load_config(themed_site)
    result = build(config, options=no_search, cache=DiskCache(config))
    assert not result.up_to_date
    cached = snapshot(config.output_dir)
    if kind == "output":  # the same site, now in a folder of its own
        assert config.output_dir == root / "public" and cached == before
    else:
        assert cached != before
    shutil.rmtree(config.output_dir)
    build(config, options=no_search)  # from scratch, with no cache
    assert snapshot(config.output_dir) == cached


def test_no_cache_build_leaves_no_cache_folder(bundled_site):
    root = bundled_site.parent
    assert run(root, "build", "--no-cache").returncode == 0
    assert (root / "_site" / "index.html").is_file()
    assert not (root / ".digestsite-cache").exists()
    assert sorted(p.name for p in root.iterdir()) == ["_site", "seeds", "site.yaml"]


def test_a_metadata_edit_rewrites_only_the_pages_that_show_it(tmp_path):
    older = "---\ndate: 2029-11-01\n---\n# Older Paper\n[旧论文](https://arxiv.org/abs/2911.00001)\n\n摘要。\n"
    digest = (REPO / "tests/fixtures/arxiv/digest.md").read_text("utf-8")
    config_file = write_site(tmp_path, {"sample.md": digest, "older.md": older})
    fetch_fixture_metadata(config_file)
    config = load_config(config_file)
    no_search = BuildOptions(search=False)
    build(config, options=no_search, cache=DiskCache(config))
    pages = {
        p: (config.output_dir / p / "index.html").stat().st_ino for p in ("papers/2912.00101", "papers/2911.00001")
    }
    edit(config.metadata_file, "Accepted at ICLR 2030", "Accepted at ICML 2030")
    result = build(config, options=no_search, cache=DiskCache(config))
    assert result.in_place
    after = {p: (config.output_dir / p / "index.html").stat().st_ino for p in pages}
    assert after["papers/2912.00101"] != pages["papers/2912.00101"]  # rewritten
    assert after["papers/2911.00001"] == pages["papers/2911.00001"]  # another batch: untouched
    cached = snapshot(config.output_dir)
    shutil.rmtree(config.output_dir)
    build(config, options=no_search)
    assert snapshot(config.output_dir) == cached


def test_papers_filled_from_metadata_are_keyed_without_hashing_them(tmp_path, monkeypatch):
    config_file = write_site(tmp_path, {"sample.md": (REPO / "tests/fixtures/arxiv/digest.md").read_text("utf-8")})
    fetch_fixture_metadata(config_file)
    config = load_config(config_file)
    cache = DiskCache(config)
    site = load_site(config, cache.parses(config), cache.metadata(config))
    hashed: list[str] = []
    compute = Keys._compute
    monkeypatch.setattr(
        Keys, "_compute", lambda keys, value: hashed.append(type(value).__name__) or compute(keys, value)
    )
    assert len({cache.keys.of(paper) for paper in site.papers}) == 6
    assert hashed == []  # each key was derived from the parse's and the metadata line's: 10,000 papers cost nothing

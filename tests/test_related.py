"""Related papers: from shared topics and shared rare words, the same on every run, on every paper page."""

from __future__ import annotations

import os
import posixpath
import subprocess
import sys
from pathlib import Path

import pytest

from digestsite.config import load_config
from digestsite.site.assemble import load_site
from digestsite.site.related import features, related_papers
from helpers import REPO, write_site
from htmldom import parse_html


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("related")
    (root / "seeds").symlink_to(REPO / "seeds")
    (root / "site.yaml").write_text((REPO / "site.yaml").read_text("utf-8"), "utf-8")
    return load_site(load_config(root / "site.yaml"))


def ids(papers) -> list[str]:
    return [p.arxiv_id for p in papers]


def test_jambas_related_papers_include_mamba_2(site):
    jamba = ids(site.related["2403.19887"])
    assert "2405.21060" in jamba  # Mamba-2: both state space models, both about Mamba
    assert "2402.10644" in jamba  # linear Transformers, which it compares with state space models
    assert ids(site.related["2405.21060"])[:2] == ["2402.10644", "2403.19887"]


def test_every_paper_gets_at_most_five_others(site):
    assert set(site.related) == {p.arxiv_id for p in site.papers}
    for arxiv_id, others in site.related.items():
        assert len(others) <= 5 and arxiv_id not in ids(others) and len(set(ids(others))) == len(others)
    assert sum(1 for others in site.related.values() if others) >= 50  # nearly every paper has some


def test_features_are_latin_words_and_chinese_bigrams(site):
    jamba = next(p for p in site.papers if p.arxiv_id == "2403.19887")
    found = features(jamba)
    assert {"jamba", "mamba", "transformer", "混合", "专家"} <= found
    assert "混合专家" not in found and "a" not in found  # bigrams only; words of three letters or more


def test_the_same_on_every_run_whatever_the_hash_seed(site):
    """Python salts string hashes per process: nothing may depend on the order of a set of words."""
    script = (
        "from digestsite.config import load_config; from digestsite.site.assemble import load_site;"
        f"site = load_site(load_config({str(REPO / 'site.yaml')!r}));"
        "print(sorted((k, [p.arxiv_id for p in v]) for k, v in site.related.items()))"
    )
    environment = {**os.environ, "PYTHONHASHSEED": "12345"}
    other = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=environment, cwd=REPO)
    assert other.stdout.strip() == str(sorted((k, ids(v)) for k, v in site.related.items()))


def test_related_follows_site_yaml(tmp_path):
    entries = "".join(
        f"# Mixture of Experts Routing {n}\n[混合专家路由 {n}](https://arxiv.org/abs/2401.0000{n})\n\n混合专家。\n\n"
        for n in range(1, 5)
    )
    for setting, expected in (("related: 0\n", 0), ("related: 2\n", 2), ("", 3)):
        config = load_config(write_site(tmp_path / str(expected), {"a.md": entries}, setting))
        site = load_site(config)
        assert {len(site.related_to(paper)) for paper in site.papers} == {expected}
    papers = load_site(config).papers
    assert related_papers(papers, load_site(config).topics, 1)["2401.00001"] == (papers[1],)  # nearest first


def test_paper_pages_list_related_papers_whose_links_resolve(demo_output):
    out: Path = demo_output
    doc = parse_html((out / "en" / "papers" / "2403.19887" / "index.html").read_text("utf-8"))
    section = doc.find("section", class_="related")
    assert section.find("h2").text() == "Related papers"
    links = section.find_all("a")
    mamba_2 = next(link for link in links if link.attrs["href"] == "../2405.21060/")
    assert mamba_2.text().startswith("Transformers are SSMs")  # the English title first in English
    checked = 0
    for page in out.glob("**/papers/*/index.html"):
        base = posixpath.dirname(page.relative_to(out).as_posix())
        for section in parse_html(page.read_text("utf-8")).find_all("section", class_="related"):
            for link in section.find_all("a"):
                target = posixpath.normpath(posixpath.join(base, link.attrs["href"]))
                assert (out / target / "index.html").is_file(), (page, link.attrs["href"])
                checked += 1
    assert checked > 400

"""A site built with and without fetched metadata: where none is stored nothing changes, and where some
is, the pages, JSON-LD, feeds, papers.json, search records and BibTeX carry it."""

from __future__ import annotations

import html
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import bibtexparser
import feedparser
import pytest

from arxiv_api import fetch_fixture_metadata
from digestsite.commands.build import BuildOptions, build
from digestsite.config import load_config
from digestsite.search.documents import search_record
from digestsite.site.assemble import load_site
from helpers import REPO, snapshot, write_site
from htmldom import parse_html

DIGEST = REPO / "tests" / "fixtures" / "arxiv" / "digest.md"
WITH_METADATA = {"2912.00101", "2912.00102", "2912.00103", "2912.00104", "2912.00105"}


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> Iterator[tuple[dict[str, bytes], Path]]:
    """The fixture site's output without a metadata file, and the output folder of a build with one."""
    root = tmp_path_factory.mktemp("metadata-site")
    config_file = write_site(root, {"sample.md": DIGEST.read_text("utf-8")}, "base_url: https://example.org/d/\n")
    build(load_config(config_file), options=BuildOptions(search=False))
    without = snapshot(root / "_site")
    shutil.rmtree(root / "_site")
    fetch_fixture_metadata(config_file)
    build(load_config(config_file), options=BuildOptions(search=False))
    yield without, root / "_site"


def page(site: Path, path: str):
    return parse_html((site / path).read_text("utf-8"))


def test_only_what_shows_metadata_changes(builds):
    without, site = builds
    with_file = snapshot(site)
    # The stylesheet was already there for the digest's own authors; arXiv's subject classes add topics.
    added = set(with_file) - set(without)
    assert {path.removeprefix("en/").split("/")[1] for path in added} == {"cs.AI", "cs.CL", "cs.CV", "cs.LG", "stat.ML"}
    assert all(path.removeprefix("en/").startswith("topics/") for path in added)
    assert set(without) <= set(with_file)
    changed = {path for path in without if with_file[path] != without[path] and "topics/" not in path}
    papers = {f"{lang}papers/{i}/index.html" for lang in ("", "en/") for i in WITH_METADATA}
    batches = {"batches/metadata-sample/index.html", "en/batches/metadata-sample/index.html"}
    homes = {"index.html", "en/index.html"}  # their cards name the authors
    assert changed == papers | batches | homes | {"papers.json", "feed.xml", "en/feed.xml", "sitemap.xml"}


def test_the_chinese_paper_page(builds):
    _, site = builds
    doc = page(site, "papers/2912.00101/index.html")
    header = doc.find("header", class_="page-header")
    assert header.find("p", class_="authors").text() == "作者: Zoë Ångström, José Núñez-Pérez, 李雷 等"
    every = header.find("details", class_="all-authors")
    assert every.find("summary").text() == "全部 5 位作者"
    assert every.find("p").text() == "Zoë Ångström, José Núñez-Pérez, 李雷, 韩梅梅, Ólafur Þórsson"
    times = header.find("p", class_="dates").find_all("time")
    assert [(t.attrs["datetime"], t.text()) for t in times] == [
        ("2029-12-02", "提交于 2029 年 12 月 2 日"),
        ("2030-01-15", "更新于 2030 年 1 月 15 日"),
    ]
    comment = header.find("li", class_="comment")
    assert comment.text() == "作者备注: Accepted at ICLR 2030" and comment.find("span", lang="en")
    categories = header.find("ul", class_="categories").find_all("li")
    assert [c.text() for c in categories] == ["cs.CL 计算与语言", "cs.AI 人工智能", "cs.LG 机器学习"]
    assert categories[0].attrs["class"] == "primary"
    code = [a for a in header.find("ul", class_="paper-links").find_all("a") if a.text() == "代码"]
    assert code[0].attrs["href"] == "https://github.com/example/tiny-experts"
    abstract = doc.find("section", class_="summary-section").find("details", class_="abstract-en")  # collapsed
    assert "open" not in abstract.attrs and abstract.find("summary").text() == "英文摘要"
    assert [p.text() for p in abstract.find("div", lang="en").find_all("p")][
        1
    ] == "A second paragraph reports the ablations."


def test_the_english_paper_page_opens_with_the_abstract(builds):
    _, site = builds
    doc = page(site, "en/papers/2912.00102/index.html")
    sections = doc.find("article").find_all("section")
    assert [s.attrs["class"] for s in sections][:2] == ["abstract-section", "summary-section"]
    abstract = sections[0].find("div", class_="abstract")
    assert abstract.closest_lang() == "en" and abstract.find_all("script") == []  # arXiv's text stays text
    assert "<script>alert(1)</script>" in abstract.text()
    header = doc.find("header", class_="page-header")
    assert header.find("p", class_="authors").text() == "Authors: Anna O'Neil, Research and Development Team"
    assert header.find_all("details", class_="all-authors") == []  # three or fewer: all are shown
    badges = [li.text() for li in header.find("ul", class_="badges").find_all("li")]
    assert badges == ["Journal: J. Fictional Res. 7 (2030) 1-20", "DOI: 10.5555/example.2912"]
    assert header.find("a", href="https://doi.org/10.5555/example.2912")
    assert [li.text() for li in header.find("ul", class_="categories").find_all("li")] == [
        "cs.LG Machine Learning",
        "stat.ML Machine Learning",
    ]
    assert [t.text() for t in header.find("p", class_="dates").find_all("time")] == ["Submitted December 3, 2029"]


def test_a_paper_arxiv_does_not_know_shows_nothing_more(builds):
    _, site = builds
    doc = page(site, "papers/2912.00199/index.html")
    for tag, cls in (("p", "authors"), ("p", "dates"), ("ul", "categories"), ("ul", "badges")):
        assert doc.find_all(tag, class_=cls) == []
    assert not [link for link in doc.find_all("link") if "metadata" in link.attrs.get("href", "")]


def test_batch_pages_list_the_authors(builds):
    _, site = builds
    doc = page(site, "en/batches/metadata-sample/index.html")
    authors = {a.parent.attrs["id"]: a.text() for a in doc.find_all("p", class_="authors")}
    assert authors["p-2912.00101"] == "Authors: Zoë Ångström, José Núñez-Pérez, 李雷 et al."
    assert authors["p-2912.00104"] == "Authors: Digest Author, Second Author"  # the digest's, not arXiv's
    assert "p-2912.00199" not in authors


def test_json_ld_names_authors_dates_abstract_and_doi(builds):
    _, site = builds
    doc = page(site, "en/papers/2912.00102/index.html")
    data = json.loads(doc.find("script", type="application/ld+json").text())
    assert data["author"] == [
        {"@type": "Person", "name": "Anna O'Neil"},
        {"@type": "Person", "name": "Research and Development Team"},
    ]
    assert data["datePublished"] == "2029-12-03" and "dateModified" not in data
    assert data["abstract"].startswith("We learn in linear time.")
    assert data["sameAs"] == ["https://arxiv.org/abs/2912.00102", "https://doi.org/10.5555/example.2912"]
    tiny = json.loads(page(site, "papers/2912.00101/index.html").find("script", type="application/ld+json").text())
    assert tiny["dateModified"] == "2030-01-15" and len(tiny["author"]) == 5


def test_feeds_carry_authors_dates_and_categories(builds):
    _, site = builds
    feed = feedparser.parse((site / "en" / "feed.xml").read_bytes())
    assert not feed.bozo
    entries = {e.id.rsplit("/", 1)[1]: e for e in feed.entries}
    tiny = entries["2912.00101"]
    assert [a.name for a in tiny.authors] == ["Zoë Ångström", "José Núñez-Pérez", "李雷", "韩梅梅", "Ólafur Þórsson"]
    assert (tiny.published[:10], tiny.updated[:10]) == ("2029-12-02", "2030-01-15")
    assert [(t.term, t.label) for t in tiny.tags if t.scheme == "http://arxiv.org/schemas/atom"] == [
        ("cs.CL", "Computation and Language"),
        ("cs.AI", "Artificial Intelligence"),
        ("cs.LG", "Machine Learning"),
    ]
    assert "A second paragraph reports the ablations." in tiny.content[0].value  # the English feed has the abstract
    unknown = entries["2912.00199"]
    assert unknown.published[:10] == unknown.updated[:10] == "2029-12-20"  # the batch's date, as before
    assert [a.name for a in unknown.authors] == ["AI Paper Digest"]
    assert feed.feed.updated[:10] == "2030-01-20"  # the latest version of any paper in it
    chinese = feedparser.parse((site / "feed.xml").read_bytes())
    # The batch, the paper's research topics, then its subject classes.
    assert [t.label for t in chinese.entries[0].tags][1:] == ["混合专家", "计算与语言", "人工智能", "机器学习"]
    assert "A second paragraph" not in chinese.entries[0].content[0].value


def test_papers_json_has_the_known_fields_only(builds):
    _, site = builds
    papers = {p["arxiv_id"]: p for p in json.loads((site / "papers.json").read_text("utf-8"))["papers"]}
    tiny = papers["2912.00101"]
    assert tiny["authors"][2] == "李雷" and tiny["categories"] == ["cs.CL", "cs.AI", "cs.LG"]
    assert (tiny["published"], tiny["updated"], tiny["primary_category"]) == ("2029-12-02", "2030-01-15", "cs.CL")
    assert tiny["comment"] == "Accepted at ICLR 2030" and tiny["code_url"] == "https://github.com/example/tiny-experts"
    assert papers["2912.00102"]["doi"] == "10.5555/example.2912" and "updated" not in papers["2912.00102"]
    assert "authors" not in papers["2912.00199"]


def bibtex_of(site: Path, path: str):
    text = html.unescape(page(site, path).find("pre", class_="bibtex").text())
    library = bibtexparser.loads(text, bibtexparser.bparser.BibTexParser(common_strings=True))
    assert len(library.entries) == 1, text
    return library.entries[0]


def test_bibtex_parses_back_with_authors_month_class_doi_and_journal(builds):
    _, site = builds
    tiny = bibtex_of(site, "papers/2912.00101/index.html")
    names = [name.strip() for name in tiny["author"].split(" and ")]
    assert names == ["Zoë Ångström", "José Núñez-Pérez", "李雷", "韩梅梅", "Ólafur Þórsson"]
    assert (tiny["year"], tiny["month"], tiny["primaryclass"]) == ("2029", "December", "cs.CL")
    assert tiny["ENTRYTYPE"] == "misc" and tiny["eprint"] == "2912.00101" and tiny["archiveprefix"] == "arXiv"
    robust = bibtex_of(site, "en/papers/2912.00102/index.html")
    assert robust["author"] == "Anna O'Neil and {Research and Development Team}"  # the team stays one author
    assert robust["title"] == r"{Robust \{Braces\} \& 100\% \$O(n)\$ Learning}"
    assert (robust["doi"], robust["journal"]) == ("10.5555/example.2912", "J. Fictional Res. 7 (2030) 1-20")
    unknown = bibtex_of(site, "papers/2912.00199/index.html")
    assert set(unknown) == {"ENTRYTYPE", "ID", "title", "year", "eprint", "archiveprefix", "url"}


def test_authors_are_searchable(tmp_path):
    config_file = write_site(tmp_path, {"sample.md": DIGEST.read_text("utf-8")})
    fetch_fixture_metadata(config_file)
    site = load_site(load_config(config_file))
    tiny = next(p for p in site.papers if p.arxiv_id == "2912.00101")
    record = search_record(tiny)
    assert record.authors == ("Zoë Ångström", "José Núñez-Pérez", "李雷", "韩梅梅", "Ólafur Þórsson")
    assert {"zoë", "ångström", "núñez pérez", "李雷", "韩梅梅", "ólafur"} <= record.head_tokens()  # found by name


def test_home_cards_name_the_first_authors(builds):
    _, site = builds
    cards = {c.find("a").attrs["href"]: c for c in page(site, "index.html").find_all("article", class_="card")}
    assert cards["papers/2912.00101/"].find("span", class_="card-authors").text() == "Zoë Ångström, José Núñez-Pérez 等"

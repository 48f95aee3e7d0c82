"""Hostile and broken input: clear located errors, no traceback, and the previous output never lost."""

from __future__ import annotations

import json
import os
import random
import resource
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus import write_corpus
from digestsite.commands.build import BuildOptions, build
from digestsite.config import load_config
from digestsite.content.arxiv import is_valid_id
from digestsite.content.model import Diagnostic, Severity
from digestsite.content.parse import parse_digest
from digestsite.content.yaml_lines import DuplicateKey, describe_value, load_mapping
from helpers import EXECUTABLE, HOSTILE, alias_bomb, run, snapshot, write_site
from htmldom import is_theme_script, parse_html

GOOD = "# Good Paper\n[好论文](https://arxiv.org/abs/2401.00001)\n\n一段摘要。\n"


@pytest.fixture
def built_site(tmp_path: Path) -> Path:
    """A small site already built once; returns its folder."""
    write_site(tmp_path, {"a.md": GOOD}, "base_url: https://example.org/d/\n")
    assert run(tmp_path, "build").returncode == 0
    return tmp_path


def fails_and_keeps_output(site: Path, expected_exit: int, *args: str) -> str:
    before = snapshot(site / "_site")
    result = run(site, "build", *args)
    assert result.returncode == expected_exit, result.stderr
    assert snapshot(site / "_site") == before
    return result.stderr


def test_gbk_digest_exits_1_naming_file_and_first_bad_line(built_site):
    (built_site / "seeds" / "b.md").write_bytes(
        GOOD.replace("2401.00001", "2401.00002").encode() + "# 中文\n".encode("gbk")
    )
    stderr = fails_and_keeps_output(built_site, 1)
    assert "seeds/b.md:5: error: not valid UTF-8" in stderr


def test_empty_and_entry_less_digests_are_skipped_with_a_warning(built_site):
    (built_site / "seeds" / "empty.md").write_text("", "utf-8")
    (built_site / "seeds" / "notes.txt").write_text("只是笔记，没有条目。\n", "utf-8")
    result = run(built_site, "build")
    assert result.returncode == 0
    assert "seeds/empty.md:1: warning: empty digest file; skipped" in result.stderr
    assert "seeds/notes.txt:1: warning: no entries" in result.stderr
    assert len(list((built_site / "_site" / "batches").iterdir())) == 1


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html;base64,PHNjcmlwdD4=", "vbscript:x"])
def test_non_http_link_is_not_a_paper_and_never_reaches_an_href(built_site, url):
    (built_site / "seeds" / "b.md").write_text(f"# Bad\n[坏]({url})\n\n摘要。\n", "utf-8")
    result = run(built_site, "build")
    assert result.returncode == 0 and "seeds/b.md:1: warning:" in result.stderr  # skipped, with one warning
    for page in (built_site / "_site").rglob("*.html"):
        assert url.split(":")[0] + ":" not in page.read_text("utf-8")


def test_unsafe_links_inside_summaries_never_reach_an_href(tmp_path):
    summary = "[点我](javascript:alert(1)) [数据](data:text/html,x) <a href='javascript:y'>z</a> javascript:alert(2)"
    write_site(tmp_path, {"a.md": GOOD.replace("一段摘要。", summary)})
    assert run(tmp_path, "build").returncode == 0
    for page in (tmp_path / "_site").rglob("*.html"):
        hrefs = [n.attrs.get("href", "") for n in parse_html(page.read_text("utf-8")).find_all()]
        assert not any(h.strip().lower().startswith(("javascript:", "data:", "vbscript:")) for h in hrefs)


def test_raw_html_is_text_in_pages_feeds_json_ld_and_papers_json(tmp_path):
    write_site(tmp_path, {"a.md": HOSTILE}, "base_url: https://example.org/d/\n")
    assert run(tmp_path, "build").returncode == 0
    out = tmp_path / "_site"
    for page in out.rglob("*.html"):
        tree = parse_html(page.read_text("utf-8"))
        assert [n.tag for n in tree.find_all() if n.tag in ("img", "svg", "iframe")] == []
        assert all(not name.startswith("on") for n in tree.find_all() for name in n.attrs)
        for script in tree.find_all("script"):
            if is_theme_script(script):
                continue
            assert script.attrs.get("type") == "application/ld+json"
            data = json.loads(script.text())
            assert data["name"].startswith("<script>alert('t')</script>")
    page = parse_html((out / "papers/2401.00009/index.html").read_text("utf-8"))
    assert page.find("h1").text().startswith("<script>alert('t')</script></title>")
    for feed in ("feed.xml", "en/feed.xml"):
        text = (out / feed).read_text("utf-8")
        assert "<script" not in text and "<svg" not in text and "<iframe" not in text
    papers = (out / "papers.json").read_text("utf-8")
    assert "<" not in papers and json.loads(papers)["papers"][0]["title_zh"] == "<svg onload=alert(2)>中文</svg>"


def test_hostile_metadata_is_text_in_pages_feeds_json_ld_bibtex_and_papers_json(tmp_path):
    write_site(tmp_path, {"a.md": GOOD}, "base_url: https://example.org/d/\n")
    evil = "<script>alert(1)</script></script><!--\x01"
    line = {
        "id": "2401.00001", "authors": [evil, "A & B"], "published": evil, "updated": "2024-02-30",
        "primary_category": evil, "categories": [evil], "abstract": evil, "comment": evil, "journal_ref": evil,
        "doi": '10.1/"><script>alert(2)</script>',
    }  # fmt: skip
    (tmp_path / "metadata").mkdir()
    (tmp_path / "metadata" / "arxiv.jsonl").write_text(json.dumps(line) + "\n", "utf-8")
    out = build(load_config(tmp_path / "site.yaml"), options=BuildOptions(search=False)).output_dir
    for path in ("papers/2401.00001/index.html", "en/papers/2401.00001/index.html", "batches/a/index.html"):
        text = (out / path).read_text("utf-8")
        assert "\x01" not in text
        tree = parse_html(text)
        scripts = [s for s in tree.find_all("script") if not is_theme_script(s)]
        assert [s.attrs.get("type") for s in scripts] == (["application/ld+json"] if "papers" in path else [])
        assert all(not name.startswith("on") for n in tree.find_all() for name in n.attrs)
    page = parse_html((out / "papers/2401.00001/index.html").read_text("utf-8"))
    assert page.find("p", class_="authors").text().endswith("<script>alert(1)</script></script><!--, A & B")
    doi = page.find("li", class_="badge").parent.find_all("a")[-1]
    assert doi.attrs["href"].startswith("https://doi.org/10.1/%22%3E%3Cscript%3E")
    data = json.loads(page.find("script", type="application/ld+json").text())
    assert data["author"][0]["name"] == evil and "datePublished" not in data  # JSON escapes the control character
    bibtex = page.find("pre", class_="bibtex").text()
    assert "author = {<script>alert(1)</script></script><!-- and A \\& B}" in bibtex
    for feed in ("feed.xml", "en/feed.xml"):
        text = (out / feed).read_text("utf-8")
        ET.fromstring(text.encode())  # well-formed
        assert "<script" not in text
    papers = (out / "papers.json").read_text("utf-8")
    assert "<" not in papers and json.loads(papers)["papers"][0]["authors"][1] == "A & B"


def test_same_paper_in_two_batches_warns_with_both_places(built_site):
    (built_site / "seeds" / "b.md").write_text(GOOD.replace("Good Paper", "Again"), "utf-8")
    result = run(built_site, "build")
    assert result.returncode == 0
    assert "seeds/b.md:1: warning: arXiv 2401.00001 is also in seeds/a.md:1" in result.stderr
    assert len(list((built_site / "_site" / "papers").iterdir())) == 1
    for slug in ("a", "b"):
        batch = parse_html((built_site / "_site" / "batches" / slug / "index.html").read_text("utf-8"))
        assert batch.find("article").attrs["id"] == "p-2401.00001"


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("base_url: https://x.org/\nlanguages: [zh, en\n", "site.yaml:3: error: invalid YAML"),
        ("titel: 速递\n", "site.yaml:1: error: unknown key 'titel'; did you mean 'title'?"),
        ("languages: {zh: 1}\n", "site.yaml:1: error: 'languages' must be a non-empty list of language codes"),
        (
            'base_url: "https://x.org/\\nDisallow: /"\n',
            "site.yaml:1: error: 'base_url' must be an absolute http(s) URL",
        ),
        ("title: a\ntitle: b\n", "site.yaml:2: error: key 'title' is set twice (first on line 1)"),
    ],
)
def test_bad_site_yaml_exits_2_and_keeps_output(built_site, config, expected):
    (built_site / "site.yaml").write_text(config, "utf-8")
    assert expected in fails_and_keeps_output(built_site, 2)


@pytest.mark.parametrize("output", [".", "..", "seeds", "/", "~"])
def test_output_at_site_root_parent_seeds_root_or_home_is_refused_first(built_site, output):
    target = str(Path.home()) if output == "~" else output
    stderr = fails_and_keeps_output(built_site, 2, "--output", target)
    assert "choose a separate folder" in stderr
    assert (built_site / "seeds" / "a.md").read_text("utf-8") == GOOD


@pytest.mark.slow
def test_sigkill_mid_build_never_damages_the_previous_output(tmp_path):
    write_site(tmp_path, {"a.md": GOOD})
    assert run(tmp_path, "build").returncode == 0
    before = snapshot(tmp_path / "_site")
    write_corpus(tmp_path / "seeds", papers=1500)
    rng = random.Random(7)
    for _ in range(4):
        process = subprocess.Popen([EXECUTABLE, "build", "--quiet"], cwd=tmp_path, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, 2.5))
        assert process.poll() is None, "the build ended before it could be killed: nothing was tested"
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert snapshot(tmp_path / "_site") == before
    assert run(tmp_path, "build", "--quiet").returncode == 0
    assert len(list((tmp_path / "_site" / "papers").iterdir())) == 1501
    assert sorted(p.name for p in tmp_path.iterdir()) == [".digestsite-cache", "_site", "seeds", "site.yaml"]


@pytest.mark.slow
def test_huge_digest_builds_with_bounded_memory(tmp_path):
    write_corpus(tmp_path / "seeds", papers=20_000, per_batch=20_000, summary_chars=345)
    # Everything on: topics and related papers are worked out over all 20,000 papers of the one batch.
    (tmp_path / "site.yaml").write_text("languages: [zh, en]\n", "utf-8")
    size = (tmp_path / "seeds" / "00000.md").stat().st_size
    assert size > 20_000_000
    script = "import resource, sys\nfrom digestsite.cli import main\ncode = main(['build', '--quiet'])\n"
    script += "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\nsys.exit(code)\n"
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    peak_mib = int(result.stdout.strip()) / 1024
    assert peak_mib < 600, f"peak RSS {peak_mib:.0f} MiB for a {size / 1e6:.0f} MB digest"
    assert len(list((tmp_path / "_site" / "papers").iterdir())) == 20_000


@pytest.mark.parametrize("body", ["摘要" * 500_000, "[" * 1_000_000, "*_" * 500_000, "<" * 1_000_000])
def test_megabyte_line_in_a_summary_parses_without_hanging(body):
    data = f"# T\n[标题](https://arxiv.org/abs/2401.00001)\n\n{body}\n".encode()
    start = resource.getrusage(resource.RUSAGE_SELF).ru_utime
    result = parse_digest(data, "big.md")
    assert len(result.batch.papers[0].summary) == len(body)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_utime - start < 60  # a hang would be unbounded


def test_symlink_loop_and_fifo_in_seeds_are_skipped_with_a_warning(built_site):
    seeds = built_site / "seeds"
    os.symlink("loop.md", seeds / "loop.md")
    os.mkfifo(seeds / "pipe.md")
    result = subprocess.run([EXECUTABLE, "build"], cwd=built_site, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "seeds/loop.md:1: warning: skipped: cannot follow" in result.stderr
    assert "seeds/pipe.md:1: warning: skipped: not a regular file" in result.stderr


# Property-based: for any text the parser returns papers and diagnostics, never an exception.
LINE = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ["", "#", "# ", "## Title", "### Deep", "---", "title: x", "date: 2024-13-45", "...", "数据来源：x"]
    ),
    st.builds(lambda t: f"# {t}", st.text(max_size=20)),
    st.builds(
        lambda t, i, v: f"[{t}](https://arxiv.org/abs/{i}{v})",
        st.text(max_size=10),
        st.from_regex(r"\d{4}\.\d{4,5}", fullmatch=True),
        st.sampled_from(["", "v1", "v12"]),
    ),
    st.builds(lambda i: f"https://arxiv.org/pdf/{i}", st.from_regex(r"[0-9]{4}\.[0-9]{5}", fullmatch=True)),
    st.sampled_from(["[x](javascript:alert(1))", "[x](https://example.com)", "<script>", "摘要...", "- item"]),
)
DIGEST = st.lists(LINE, max_size=30).map("\n".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DIGEST)
def test_parser_never_raises_and_every_paper_is_valid_and_located(text):
    result = parse_digest(text.encode("utf-8"), "p.md")
    line_count = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1  # a lone CR ends a line too
    for diagnostic in result.diagnostics:
        assert 1 <= diagnostic.line <= line_count
    for paper in result.batch.papers if result.batch else ():
        assert is_valid_id(paper.arxiv_id)
        assert 1 <= paper.source.line <= line_count
        assert paper.summary.strip() == paper.summary
        if not paper.summary:  # kept, but said
            assert any("has no summary" in d.message for d in result.diagnostics)


@settings(max_examples=200, deadline=None)
@given(DIGEST, st.sampled_from(["\r\n", "\r"]))
def test_parsing_ignores_line_endings_and_a_trailing_newline(text, newline):
    if "\r" in text:
        text = text.replace("\r", "")
    plain = parse_digest(text.encode("utf-8"), "p.md")
    assert parse_digest(text.replace("\n", newline).encode("utf-8"), "p.md") == plain
    assert parse_digest((text + "\n").encode("utf-8"), "p.md") == plain


def test_front_matter_alias_bomb_is_a_short_located_warning_found_quickly(tmp_path):
    # 7 levels: 9**7 = 4.8 million items once expanded; its repr alone was a 35 MB line taking seconds.
    front = "---\n" + alias_bomb(7) + "title: *a6\n---\n"
    write_site(tmp_path, {"a.md": front + GOOD})
    started = time.monotonic()
    result = run(tmp_path, "check")
    assert time.monotonic() - started < 20
    assert result.returncode == 0  # bad front matter is ignored with a warning; the papers still build
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and len(lines[0]) < 200
    assert lines[0].startswith("seeds/a.md:6: warning:") and "through aliases" in lines[0]


def test_front_matter_keys_set_twice_are_reported_by_yaml_lines():
    duplicates: list[DuplicateKey] = []
    entries = load_mapping("title: a\nslug: s\ntitle: b\ndate: {x: 1, x: 2}\n", duplicates)
    assert [e.key for e in entries] == ["title", "slug", "title", "date"]
    assert [(d.key, d.line, d.first_line) for d in duplicates] == [("title", 3, 1), ("x", 4, 4)]
    assert duplicates[0].message(offset=1) == "key 'title' is set twice (first on line 2)"


def test_describe_value_stays_short_and_fast_on_bombs_cycles_and_huge_numbers():
    bomb: list[object] = ["x"]
    for _ in range(30):  # 2**30 leaves once expanded
        bomb = [bomb, bomb]
    cycle: list[object] = [1]
    cycle.append(cycle)
    started = time.monotonic()
    shown = [describe_value(v, 60) for v in (bomb, cycle, 1 << 60000, "\x1b[2J" * 10**6, {"k": b"\x00" * 10**6})]
    assert time.monotonic() - started < 1
    assert all(len(text) <= 60 for text in shown)
    assert shown[0].startswith("[[[[") and shown[0].endswith("…")
    assert shown[1] == "[1, [...]]" and shown[2] == "<a 60001-bit number>"
    assert shown[3].startswith("'\\x1b[2J") and "\x1b" not in shown[3]


def test_diagnostics_are_one_line_with_control_characters_and_escapes_shown_escaped(tmp_path):
    forged = "x\nseeds:1: error: forged.md"
    heading = "# \x1b[2J\x1b]0;owned\x07Title\u202e\r\n[t](https://arxiv.org/abs/2401.00002)\n"
    write_site(tmp_path, {"a.md": GOOD, forged: "", "b.md": heading})
    result = run(tmp_path, "check")
    assert result.returncode == 0  # the forged file name yields no error line: its newline is escaped
    lines = result.stderr.splitlines()
    assert len(lines) == 3, lines
    assert "seeds/x\\nseeds:1: error: forged.md:1: warning: empty digest file; skipped" in lines
    assert "seeds/b.md:1: warning: entry '\\x1b[2J\\x1b]0;owned\\x07Title\\u202e' has no summary" in lines
    assert not any(c in result.stderr for c in "\x1b\x07\r\u202e")
    report = json.loads(run(tmp_path, "check", "--format", "json").stdout)
    assert {d["path"] for d in report["diagnostics"]} == {"seeds/" + forged, "seeds/b.md"}


def test_diagnostic_format_cuts_long_messages_before_escaping():
    diagnostic = Diagnostic("a.md", 3, Severity.ERROR, "\x00" * 10_000_000)
    text = diagnostic.format()
    assert text.startswith("a.md:3: error: \\x00") and len(text) < 5000 and "\n" not in text
    assert len(diagnostic.as_dict()["message"]) <= Diagnostic.MESSAGE_LIMIT


def test_yaml_constructor_errors_in_front_matter_are_one_line(tmp_path):
    write_site(tmp_path, {"a.md": "---\ntitle: !!python/object:os.system x\n---\n" + GOOD})
    result = run(tmp_path, "check")
    assert result.returncode == 0
    lines = result.stderr.splitlines()
    assert lines[0] == (
        "seeds/a.md:2: warning: front matter: invalid value: could not determine a constructor for the tag "
        "'tag:yaml.org,2002:python/object:os.system'; ignored"
    )
    assert len(lines) == 2


CONTROL = "\x01\x00\x08\x0b\x0c\x1b\x7f\x85\ufffe"


def test_control_characters_never_reach_feeds_sitemap_or_pages(tmp_path):
    digest = (
        "# Title\x01 with \x1b[31mcontrol\x7f\n"
        "[中文\x08标题](https://arxiv.org/abs/2401.00001)\n\n"
        "摘要\x00含有\x0b控制\x85字符\ufffe。\n"
    )
    write_site(tmp_path, {"a.md": digest}, 'base_url: https://example.org/d/\ntitle: "速递\\f"\n')
    result = run(tmp_path, "build")
    assert result.returncode == 0, result.stderr
    out = tmp_path / "_site"
    for name in ("feed.xml", "en/feed.xml", "sitemap.xml"):
        ET.fromstring((out / name).read_bytes())  # well-formed: raises otherwise
    feed = ET.fromstring((out / "feed.xml").read_bytes())
    assert feed.findtext("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}title").startswith(
        "Title with [31mcontrol"
    )
    for page in out.rglob("*.html"):
        text = page.read_text("utf-8")
        assert not any(c in text for c in CONTROL), page
    page = parse_html((out / "papers/2401.00001/index.html").read_text("utf-8"))
    assert page.find("meta", name="description").attrs["content"].startswith("摘要含有")
    assert page.find("h1").text() == "Title with [31mcontrol"


def test_remote_images_become_links_unless_the_site_allows_them(tmp_path):
    summary = "跟踪 ![像素](https://evil.example/track.png) 与 ![](//evil.example/x.gif) 和 ![本地](figure.png)"
    write_site(tmp_path, {"a.md": GOOD.replace("一段摘要。", summary)}, "base_url: https://example.org/d/\n")
    assert run(tmp_path, "build").returncode == 0
    out = tmp_path / "_site"
    page = parse_html((out / "papers/2401.00001/index.html").read_text("utf-8"))
    assert [n.attrs["src"] for n in page.find_all("img")] == ["figure.png"]
    links = {a.attrs["href"]: a.text() for a in page.find_all("a")}
    assert links["https://evil.example/track.png"] == "像素" and links["//evil.example/x.gif"] == "//evil.example/x.gif"
    assert "evil.example/track.png" in (out / "feed.xml").read_text("utf-8")
    assert "<img" not in ET.fromstring((out / "feed.xml").read_bytes()).findall(".//{*}content")[0].text.replace(
        '<img src="figure.png"', ""
    )
    (tmp_path / "site.yaml").write_text("base_url: https://example.org/d/\nallow_remote_images: true\n", "utf-8")
    assert run(tmp_path, "build", "--no-cache").returncode == 0
    page = parse_html((out / "papers/2401.00001/index.html").read_text("utf-8"))
    assert "https://evil.example/track.png" in [n.attrs["src"] for n in page.find_all("img")]


def test_a_control_character_in_site_yaml_is_reported_on_its_line(tmp_path):
    write_site(tmp_path, {"a.md": GOOD}, "languages: [zh, en]\ntitle: 速递\x0c\n")
    result = run(tmp_path, "check")
    assert result.returncode == 2
    assert result.stderr.startswith("site.yaml:2: error: invalid YAML: unacceptable character #x000c")


def test_404_page_keeps_readable_colours_when_its_stylesheet_may_not_load(tmp_path):
    # Without base_url the 404 page links its stylesheet from the host root; below a subpath it misses, and
    # Chromium's dark default link colour (#9e9eff) then failed axe's contrast check 6 times.
    write_site(tmp_path, {"a.md": GOOD})
    assert run(tmp_path, "build").returncode == 0
    head = parse_html((tmp_path / "_site" / "404.html").read_text("utf-8")).find("head")
    style = head.find("style").text()
    assert ":where(a) { color: #7db7f5; }" in style and ":where(body) { background: #16181b; color: #e6e6e3; }" in style
    (tmp_path / "site.yaml").write_text("base_url: https://example.org/d/\n", "utf-8")
    assert run(tmp_path, "build").returncode == 0
    assert parse_html((tmp_path / "_site" / "404.html").read_text("utf-8")).find_all("style") == []

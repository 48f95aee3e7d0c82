"""The metadata file: arXiv's Atom entries as records, one sorted JSON line each, read back with located
problems; stored values fill only what a digest left empty."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from digestsite.cli import main
from digestsite.content.model import Severity
from digestsite.metadata.atom import FeedError, abstract_text, parse_feed
from digestsite.metadata.merge import with_metadata
from digestsite.metadata.record import KEYS, ArxivRecord, to_line
from digestsite.metadata.store import append_records, parse_store, read_store, write_store
from digestsite.site.assemble import load_site
from helpers import REPO, run, write_site

FIXTURES = REPO / "tests" / "fixtures" / "arxiv"


@pytest.fixture(scope="module")
def records() -> dict[str, ArxivRecord]:
    feed = parse_feed((FIXTURES / "feed.xml").read_bytes())
    return {record.arxiv_id: record for record in feed.records}


def test_the_manuals_entry_form_gives_every_field(records):
    tiny = records["2912.00101"]
    assert tiny.title == "Sparse Mixtures of Tiny Experts"  # the wrapped title made one line
    assert tiny.authors == ("Zoë Ångström", "José Núñez-Pérez", "李雷", "韩梅梅", "Ólafur Þórsson")
    assert (tiny.published, tiny.updated) == ("2029-12-02T18:59:59Z", "2030-01-15T09:30:00Z")
    assert (tiny.primary_category, tiny.categories) == ("cs.CL", ("cs.CL", "cs.AI", "cs.LG"))
    assert tiny.comment == "Accepted at ICLR 2030" and not tiny.withdrawn
    assert tiny.abstract.split("\n\n") == [
        "We split one large model into many tiny experts and route each token to two of them. "
        "Code is available at https://github.com/example/tiny-experts.",
        "A second paragraph reports the ablations.",
    ]
    robust = records["2912.00102"]
    assert (robust.doi, robust.journal_ref) == ("10.5555/example.2912", "J. Fictional Res. 7 (2030) 1-20")
    assert "<script>alert(1)</script>" in robust.abstract  # text, to be escaped wherever it is shown
    assert records["2912.00103"].withdrawn
    assert "2912.00199" not in records  # arXiv leaves out what it does not know


def test_error_entries_and_answers_that_are_not_feeds():
    error = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/api/errors#incorrect_id_format_for_x'
        b"</id><title>Error</title><summary>incorrect id format for x</summary></entry></feed>"
    )
    assert parse_feed(error).errors == ["incorrect id format for x"] and parse_feed(error).records == []
    for answer in (b"<html><body>Service Unavailable</body></html>", b"<feed", b""):
        with pytest.raises(FeedError):
            parse_feed(answer)


def test_abstract_paragraphs_follow_arxivs_indentation():
    assert abstract_text("  One\nline.\n  Two\nlines.\n") == "One line.\n\nTwo lines."


def test_lines_are_sorted_with_stable_keys_and_rewriting_changes_no_byte(tmp_path, records):
    path = tmp_path / "metadata" / "arxiv.jsonl"
    write_store(path, reversed(list(records.values())))
    text = path.read_text("utf-8")
    lines = text.splitlines()
    assert [json.loads(line)["id"] for line in lines] == sorted(records)
    assert all(list(json.loads(line)) == list(KEYS) for line in lines)  # every key, always in one order
    assert "李雷" in text  # names as written, not \\u escapes
    stored = read_store(path)
    assert stored.diagnostics == () and dict(stored.records) == records
    write_store(path, stored.records.values())
    assert path.read_text("utf-8") == text


def test_unknown_ids_are_remembered_in_one_short_line(tmp_path):
    line = to_line(ArxivRecord("2912.00199", found=False))
    assert json.loads(line) == {"id": "2912.00199", "found": False}
    assert parse_store(line.encode(), "m.jsonl").records["2912.00199"].found is False


def test_appended_lines_replace_earlier_ones_and_a_cut_short_last_line_is_a_warning(tmp_path, records):
    path = tmp_path / "arxiv.jsonl"
    write_store(path, [records["2912.00101"]])
    append_records(path, [replace(records["2912.00101"], comment="Accepted at NeurIPS 2030")])
    with open(path, "a", encoding="utf-8") as file:
        file.write(to_line(records["2912.00102"])[:40])  # a kill in the middle of a write
    stored = read_store(path)
    assert stored.records["2912.00101"].comment == "Accepted at NeurIPS 2030"
    assert [d.format() for d in stored.diagnostics] == [
        f"{path}:3: warning: the last line is incomplete (an interrupted fetch-metadata?); ignored"
    ]
    assert read_store(tmp_path / "absent.jsonl").records == {}


@pytest.mark.parametrize(
    ("line", "severity", "message"),
    [
        ('{"id": "2912.00101", "title": ', Severity.ERROR, "not a JSON line: Expecting value at column 31"),
        ('["2912.00101"]', Severity.ERROR, 'a line must be a JSON object such as {"id": "2403.19887", ...}'),
        ('{"title": "No ID"}', Severity.ERROR, 'the line has no "id" (the arXiv ID as a string)'),
        ('{"id": "2912.00101v2"}', Severity.ERROR, "\"id\" '2912.00101v2' is not an arXiv ID without version"),
        ('{"id": "2912.00101", "authors": "A, B"}', Severity.ERROR, '"authors" must be a list of strings'),
        ('{"id": "2912.00101", "doi": 5}', Severity.ERROR, '"doi" must be a string'),
        ('{"id": "2912.00101", "found": "no"}', Severity.ERROR, '"found" must be true or false'),
        ('{"id": "2912.00101", "votes": 3}', Severity.WARNING, "unknown key 'votes' ignored"),
    ],
)
def test_each_bad_line_is_named_by_file_and_line(line, severity, message):
    data = f'{{"id": "2912.00102"}}\n{line}\n{{"id": "2912.00103"}}\n'.encode()
    stored = parse_store(data, "metadata/arxiv.jsonl")
    assert len(stored.diagnostics) == 1
    diagnostic = stored.diagnostics[0]
    assert (diagnostic.path, diagnostic.line, diagnostic.severity) == ("metadata/arxiv.jsonl", 2, severity)
    assert diagnostic.message.startswith(message)
    assert {"2912.00102", "2912.00103"} <= set(stored.records)  # the good lines still count


def test_invalid_utf8_is_an_error_on_its_line():
    stored = parse_store(b'{"id": "2912.00102"}\n{"id": "2912.00103", "title": "\xff"}\n', "m.jsonl")
    assert [d.format() for d in stored.diagnostics] == ["m.jsonl:2: error: not valid UTF-8"]


def test_stored_values_fill_only_what_the_digest_left_empty(tmp_path, records):
    config = write_site(tmp_path, {"sample.md": (FIXTURES / "digest.md").read_text("utf-8")})
    write_store(tmp_path / "metadata" / "arxiv.jsonl", [*records.values(), ArxivRecord("2912.00199", found=False)])
    from digestsite.config import load_config

    site = load_site(load_config(config))
    papers = {p.arxiv_id: p for p in site.papers}
    tiny = papers["2912.00101"]
    assert tiny.authors[2] == "李雷" and tiny.published == "2029-12-02" and tiny.updated == "2030-01-15"
    assert tiny.categories == ("cs.CL", "cs.AI", "cs.LG") and tiny.primary_category == "cs.CL"
    assert tiny.code_url == "https://github.com/example/tiny-experts"  # found in arXiv's abstract
    assert tiny.abstract_en.startswith("We split one large model")
    assert papers["2912.00102"].updated == ""  # one version only: nothing was updated
    assert papers["2912.00104"].authors == ("Digest Author", "Second Author")  # the digest wins
    assert papers["2912.00104"].abstract_en.startswith("An abstract from arXiv")  # what it left empty is filled
    assert papers["2912.00199"].authors == ()
    assert site.diagnostics == ()


def test_a_paper_without_a_record_stays_the_same_object():
    site_paper = next(iter(load_bundled_papers()))
    assert with_metadata(site_paper, None) is site_paper
    assert with_metadata(site_paper, ArxivRecord(site_paper.arxiv_id, found=False)) is site_paper


def load_bundled_papers():
    from digestsite.config import load_config

    return load_site(load_config(REPO / "site.yaml")).papers


def test_a_malformed_line_fails_build_and_check_with_its_location(tmp_path, monkeypatch, capsys):
    write_site(tmp_path, {"sample.md": (FIXTURES / "digest.md").read_text("utf-8")})
    (tmp_path / "metadata").mkdir()
    (tmp_path / "metadata" / "arxiv.jsonl").write_text('{"id": "2912.00101"}\n{"id": \n', "utf-8")
    where = "metadata/arxiv.jsonl:2: error: not a JSON line: Expecting value at column 8"
    built = run(tmp_path, "build")  # the installed command: exit code 1, no traceback
    assert built.returncode == 1 and where in built.stderr
    assert not (tmp_path / "_site").exists()
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 1 and where in capsys.readouterr().err

"""Site assembly: batch order, inferred titles, dedupe across batches, reading order."""

from __future__ import annotations

import datetime as dt
import posixpath

from hypothesis import assume, given
from hypothesis import strategies as st

from digestsite.config import load_config
from digestsite.content.model import Severity
from digestsite.site.assemble import load_site
from digestsite.site.routes import relative_url
from helpers import write_site


def entry(title: str, arxiv_id: str) -> str:
    return f"# {title}\n[{title} 中文](https://arxiv.org/abs/{arxiv_id})\n\n{title} 的摘要。\n\n"


def test_bundled_batches_newest_first_with_distinct_inferred_titles(bundled_site):
    site = load_site(load_config(bundled_site))
    assert [b.date for b in site.batches] == [
        dt.date(2024, 6, 1),
        dt.date(2024, 4, 1),
        dt.date(2024, 2, 1),
        dt.date(2024, 2, 1),
    ]
    # The two February batches are told apart by their newest arXiv ID, and by number in their titles.
    assert [b.source_path[-24:-21] for b in site.batches] == ["003", "000", "002", "001"]
    assert [b.slug for b in site.batches] == ["2024-06", "2024-04", "2024-02-2", "2024-02"]  # named by month
    assert [b.title["zh"] for b in site.batches] == [
        "第 4 期 · 2024 年 6 月",
        "第 3 期 · 2024 年 4 月",
        "第 2 期 · 2024 年 2 月",
        "第 1 期 · 2024 年 2 月",
    ]
    assert site.batches[2].title["en"] == "Issue 2 · Feb 2024"
    assert len(site.papers) == 56


def test_reading_order_and_neighbours(bundled_site):
    site = load_site(load_config(bundled_site))
    first, second = site.papers[0], site.papers[1]
    assert first.arxiv_id == "2405.21060"
    assert site.neighbours(first) == (None, second)
    assert site.neighbours(site.papers[-1])[1] is None


def test_same_paper_in_two_batches_warns_naming_both_places_and_gets_one_page(tmp_path):
    config = write_site(
        tmp_path,
        {
            "a.md": entry("Old", "2401.00001") + entry("Shared", "2401.00002"),
            "b.md": entry("New", "2402.00001") + entry("Shared", "2401.00002"),
        },
    )
    site = load_site(load_config(config))
    assert [p.arxiv_id for p in site.papers].count("2401.00002") == 1
    shared = next(p for p in site.papers if p.arxiv_id == "2401.00002")
    assert shared.batch == "a"
    assert all("2401.00002" in [p.arxiv_id for p in b.papers] for b in site.batches)
    (warning,) = [d for d in site.diagnostics if d.severity == Severity.WARNING]
    assert (warning.path.endswith("b.md"), warning.line) == (True, 6)
    assert "seeds/a.md:6" in warning.message


def test_front_matter_title_beats_inferred_title(tmp_path):
    config = write_site(tmp_path, {"a.md": "---\ntitle: {zh: 特刊, en: Special}\n---\n" + entry("X", "2401.00001")})
    batch = load_site(load_config(config)).batches[0]
    assert batch.title == {"zh": "特刊", "en": "Special"}


def test_relative_urls_work_at_any_depth():
    assert relative_url("papers/1/index.html", "batches/a/index.html") == "../../batches/a/"
    assert relative_url("index.html", "index.html") == "./"
    assert relative_url("en/index.html", "index.html") == "../"
    assert relative_url("en/papers/1/index.html", "papers/1/index.html", local=True) == "../../../papers/1/index.html"


SEGMENT = st.sampled_from(["a", "b", "en", "papers", "2403.19887", "index.html", "x.css"])


@given(st.lists(SEGMENT, min_size=1, max_size=4), st.lists(SEGMENT, min_size=1, max_size=4), st.booleans())
def test_relative_url_agrees_with_posixpath(source, target, local):
    # In an output tree no path is both a file and a folder.
    assume(source[: len(target)] != target or len(target) >= len(source))
    assume(target[: len(source)] != source or len(source) >= len(target))
    from_path, to_path = "/".join(source), "/".join(target)
    expected = posixpath.relpath(to_path, posixpath.dirname(from_path) or ".")
    if not local and (expected == "index.html" or expected.endswith("/index.html")):
        expected = expected[: -len("index.html")]
    assert relative_url(from_path, to_path, local) == (expected or "./")


def test_batch_urls_come_from_the_slug_a_readable_file_name_or_the_date(tmp_path):
    """A slug in front matter wins; a file name a reader can make sense of is kept (its URL never moves);
    a hash or random ID gives way to the batch's date, with -2, -3 for more batches of that day."""
    config = write_site(
        tmp_path,
        {
            "week-45.md": entry("A", "2311.00001"),
            "0a1b2c3d4e5f6a7b.md": "---\ndate: 2024-04-07\n---\n" + entry("B", "2404.00002"),
            "1f2e3d4c5b6a7980.md": "---\ndate: 2024-04-07\n---\n" + entry("C", "2404.00003"),
            "9f8e7d6c5b4a3f2e.md": entry("D", "2405.00004"),
            "deadbeef01.md": "---\nslug: special-issue\n---\n" + entry("E", "2406.00005"),
        },
    )
    site = load_site(load_config(config))
    slugs = {b.source_path.rsplit("/", 1)[1]: b.slug for b in site.batches}
    assert slugs == {
        "week-45.md": "week-45",
        "0a1b2c3d4e5f6a7b.md": "2024-04-07",  # the first of the day: the older papers
        "1f2e3d4c5b6a7980.md": "2024-04-07-2",
        "9f8e7d6c5b4a3f2e.md": "2024-05",  # no date in front matter: the month of its newest paper
        "deadbeef01.md": "special-issue",
    }
    assert next(p for p in site.papers if p.arxiv_id == "2404.00003").batch == "2024-04-07-2"
    assert site.diagnostics == ()


def test_a_later_batch_of_the_same_day_never_moves_the_urls_already_there(tmp_path):
    """Batches named by one date are counted by their papers' age, not their (random) file names: a new
    batch holding newer papers takes the next number even when its file name sorts first, and removing
    the newest batch of a day moves no other."""
    dated = "---\ndate: 2024-04-07\n---\n"
    digests = {
        "5e5e5e5e5e5e5e5e.md": dated + entry("B", "2404.00002"),
        "9a9a9a9a9a9a9a9a.md": dated + entry("C", "2404.00003"),
    }
    config = write_site(tmp_path, digests)
    before = {b.source_path: b.slug for b in load_site(load_config(config)).batches}
    (tmp_path / "seeds" / "0000aaaa0000aaaa.md").write_text(dated + entry("D", "2404.00009"), "utf-8")
    after = {b.source_path: b.slug for b in load_site(load_config(config)).batches}
    assert sorted(before.values()) == ["2024-04-07", "2024-04-07-2"]
    assert {path: after[path] for path in before} == before
    assert after[next(path for path in after if path.endswith("0000aaaa0000aaaa.md"))] == "2024-04-07-3"
    (tmp_path / "seeds" / "0000aaaa0000aaaa.md").unlink()
    assert {b.source_path: b.slug for b in load_site(load_config(config)).batches} == before


def test_two_batches_given_one_slug_is_an_error(tmp_path):
    config = write_site(
        tmp_path,
        {
            "a.md": "---\nslug: x\n---\n" + entry("A", "2401.00001"),
            "b.md": "---\nslug: x\n---\n" + entry("B", "2401.00002"),
        },
    )
    (error,) = load_site(load_config(config)).diagnostics
    assert error.severity == Severity.ERROR and error.path.endswith("b.md") and "already used by" in error.message

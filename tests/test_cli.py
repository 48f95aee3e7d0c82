"""The installed `digestsite` command: exit codes, located messages on stderr, never a traceback."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from digestsite.messages import ProgressLine
from helpers import run, snapshot, write_site


def test_check_passes_with_the_parrot_warning_located(bundled_site):
    result = run(bundled_site.parent, "check")
    assert result.returncode == 0
    assert "seeds/003_001580e75e0c0255.txt:27: warning: 'Parrot: Multilingual Visual Instruction Tuning' has no " in (
        result.stderr
    )
    assert "56 papers in 4 batches: 0 errors, 2 warnings" in result.stderr


def test_check_json_and_strict(bundled_site):
    result = run(bundled_site.parent, "check", "--format", "json", "--strict")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False and report["papers"] == 56
    assert {(d["line"], d["severity"]) for d in report["diagnostics"]} == {(27, "warning"), (39, "warning")}


def test_build_then_broken_entry_exits_1_and_keeps_previous_site(bundled_site):
    root = bundled_site.parent
    assert run(root, "build").returncode == 0
    before = snapshot(root / "_site")
    (root / "seeds" / "005_bad.md").write_text(
        "# Fine\n[好](https://arxiv.org/abs/2405.00001)\n\n摘要。\n\n# Bad ID\n[坏](https://arxiv.org/abs/2413.00001)\n\n摘要。\n"
    )
    result = run(root, "build")
    assert result.returncode == 1
    assert (
        "seeds/005_bad.md:7: error: link 'https://arxiv.org/abs/2413.00001' has a malformed arXiv ID" in result.stderr
    )
    assert snapshot(root / "_site") == before


def test_build_into_a_foreign_folder_exits_2_and_touches_nothing(bundled_site, tmp_path):
    foreign = tmp_path / "docs"
    foreign.mkdir()
    (foreign / "index.md").write_text("mine", "utf-8")
    result = run(bundled_site.parent, "build", "--output", str(foreign))
    assert result.returncode == 2
    assert "refusing to replace it" in result.stderr
    assert snapshot(foreign) == {"index.md": b"mine"}


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("title: [unclosed\n", "site.yaml:2: error: invalid YAML"),
        ("languges: [zh]\n", "site.yaml:1: error: unknown key 'languges'; did you mean 'languages'?"),
        ("feed_size: ten\n", "site.yaml:1: error: 'feed_size' must be a positive whole number, not 'ten'"),
    ],
)
def test_bad_config_exits_2_naming_file_and_line(bundled_site, config, expected):
    bundled_site.write_text(config, "utf-8")
    result = run(bundled_site.parent, "build")
    assert result.returncode == 2
    assert expected in result.stderr


def test_missing_config_exits_2(tmp_path):
    result = run(tmp_path, "build")
    assert result.returncode == 2
    assert "site.yaml: error: config file not found" in result.stderr


def test_build_reports_pages_written(bundled_site):
    result = run(bundled_site.parent, "build", "--output", "public")
    assert result.returncode == 0
    assert "built 56 papers in 4 batches: 218 pages written, 316 files" in result.stderr
    assert (bundled_site.parent / "public" / "index.html").is_file()


def test_quiet_build_prints_nothing_on_success(bundled_site):
    result = run(bundled_site.parent, "build", "--quiet")
    assert result.returncode == 0 and result.stderr == "" and result.stdout == ""


def test_a_file_system_refusal_exits_3_naming_the_path(bundled_site):
    root = bundled_site.parent
    (root / "blocker").write_text("a file where a folder must go", "utf-8")
    result = run(root, "build", "--output", "blocker/site")
    assert result.returncode == 3
    assert "blocker" in result.stderr and "error:" in result.stderr
    assert (root / "blocker").read_text("utf-8") == "a file where a folder must go"


def test_counts_are_worded_with_the_right_plural(tmp_path):
    write_site(tmp_path, {"a.md": "# One Paper\nhttps://arxiv.org/abs/2401.00001\n\n一段摘要。\n"})
    checked = run(tmp_path, "check")
    assert "1 paper in 1 batch: 0 errors, 1 warning" in checked.stderr
    built = run(tmp_path, "build")
    assert "built 1 paper in 1 batch: " in built.stderr and "(s)" not in built.stderr
    broken = run(tmp_path, "build", "--strict")
    assert broken.returncode == 1 and "1 warning under --strict in the digest files" in broken.stderr


def test_quiet_and_verbose(bundled_site):
    root = bundled_site.parent
    quiet = run(root, "build", "-q", "--no-cache")
    assert quiet.returncode == 0 and quiet.stderr == ""
    verbose = run(root, "build", "-v", "--no-cache")
    assert "stages: parse" in verbose.stderr and "render+write" in verbose.stderr
    assert run(root, "build", "-q", "-v").returncode == 2  # one or the other


def test_help_shows_examples_for_every_command():
    assert "examples:" in run(Path("."), "--help").stdout
    for command in ("build", "check", "serve", "new", "deploy"):
        assert f"digestsite {command}" in run(Path("."), command, "--help").stdout.split("examples:")[1]


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_line_shows_on_a_terminal_after_a_delay_and_clears():
    terminal = FakeTerminal()
    ProgressLine(terminal, delay=60)("render+write", 10, 100)
    assert terminal.getvalue() == ""  # a quick build prints nothing extra
    line = ProgressLine(terminal, delay=0)
    line("parse")
    line("render+write", 50, 200)
    assert "parse…" in terminal.getvalue() and "[######.................." in terminal.getvalue()
    assert "50/200" in terminal.getvalue()
    line.clear()
    assert terminal.getvalue().endswith("\r\033[K")


def test_no_progress_line_in_logs(bundled_site):
    piped = run(bundled_site.parent, "build", "--no-cache")
    assert "\r" not in piped.stderr and "\033" not in piped.stderr

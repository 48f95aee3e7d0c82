"""The README stays true: its `check --explain` transcripts are what the command prints, and its command
summary shows every command and option."""

from __future__ import annotations

import re
import shutil

import pytest

from helpers import REPO, run

TRANSCRIPTS = dict(
    re.findall(r"```\n\$ digestsite check --explain (\S+)\n(.*?)```", (REPO / "README.md").read_text("utf-8"), re.S)
)
FIXTURES = {"seeds/2024-05-02.md": "05-fullwidth-fields.md", "seeds/week-45.md": "22-news-and-empty-link.md"}


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_the_readmes_explain_transcripts_are_what_the_command_prints(tmp_path, name):
    (tmp_path / "seeds").mkdir()
    shutil.copy(REPO / "tests" / "fixtures" / "layouts" / FIXTURES[name], tmp_path / name)
    result = run(tmp_path, "check", "--explain", name)
    assert result.stdout == TRANSCRIPTS[name]


def test_the_command_summary_shows_every_command_and_option():
    import argparse

    from digestsite.cli import make_parser

    summary = re.search(r"## Commands\n\n```\n(.*?)```", (REPO / "README.md").read_text("utf-8"), re.S)
    assert summary
    blocks = re.split(r"\n(?=digestsite )", summary.group(1))
    commands = next(a for a in make_parser()._actions if isinstance(a, argparse._SubParsersAction))
    for name, parser in commands.choices.items():
        block = next((b for b in blocks if b.startswith(f"digestsite {name} ")), "")
        assert block, f"the README's command summary has no `digestsite {name}`"
        for action in parser._actions:
            names = [o for o in action.option_strings if o not in ("-h", "--help")]
            if names:
                assert any(re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", block) for o in names), (name, names)

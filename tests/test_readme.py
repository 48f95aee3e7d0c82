"""The README's examples stay true: its `check --explain` transcripts are what the command prints."""

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

"""site.yaml: defaults, every error at once with its line, close-match suggestions, unsafe outputs refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from digestsite.config import load_config
from digestsite.errors import ConfigError


def config_error(tmp_path: Path, text: str, **overrides) -> list[str]:
    (tmp_path / "site.yaml").write_text(text, "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "site.yaml", overrides, cwd=tmp_path)
    return caught.value.messages


def test_defaults_and_paths_resolve_against_the_config_folder(tmp_path):
    (tmp_path / "site.yaml").write_text("title: 速递\nbase_url: https://u.github.io/repo\n", "utf-8")
    config = load_config(tmp_path / "site.yaml", cwd=Path("/"))
    assert config.languages == ("zh", "en")
    assert config.title == {"zh": "速递", "en": "速递"}
    assert config.base_url == "https://u.github.io/repo/"
    assert config.seeds_dir == tmp_path.resolve() / "seeds"
    assert config.output_dir == tmp_path.resolve() / "_site"
    assert config.feed_size == 50


def test_per_language_text_falls_back_to_the_first_language(tmp_path):
    (tmp_path / "site.yaml").write_text("languages: [zh, en, fr]\ntitle: {zh: 速递, en: Digest}\n", "utf-8")
    assert load_config(tmp_path / "site.yaml").title == {"zh": "速递", "en": "Digest", "fr": "速递"}


def test_syntax_error_names_the_line(tmp_path):
    messages = config_error(tmp_path, "title: ok\nlanguages: [zh, en\nseeds: s\n")
    assert len(messages) == 1 and messages[0].startswith("site.yaml:3: error: invalid YAML")


def test_unknown_key_suggests_the_closest_one_and_all_errors_are_reported(tmp_path):
    messages = config_error(tmp_path, "langauges: [zh]\nfeed_size: many\nbase_url: ftp://x\n")
    assert messages == [
        "site.yaml:1: error: unknown key 'langauges'; did you mean 'languages'?",
        "site.yaml:2: error: 'feed_size' must be a positive whole number, not 'many'",
        "site.yaml:3: error: 'base_url' must be an absolute http(s) URL such as https://user.github.io/repo/, "
        "not 'ftp://x'",
    ]


def test_wrong_type_names_key_and_expected_type(tmp_path):
    messages = config_error(tmp_path, "languages: zh\n")
    assert messages == [
        "site.yaml:1: error: 'languages' must be a non-empty list of language codes such as [zh, en], not 'zh'"
    ]


def test_missing_config_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "nope.yaml", cwd=tmp_path)
    assert "config file not found" in caught.value.messages[0]


@pytest.mark.parametrize("output", [".", "..", "seeds", "seeds/out", "/", "~"])
def test_output_that_would_destroy_sources_or_home_is_refused(tmp_path, output):
    (tmp_path / "seeds").mkdir()
    target = str(Path.home()) if output == "~" else output
    messages = config_error(tmp_path, f"output: '{target}'\n")
    assert "choose a separate folder" in messages[0]


def test_output_override_resolves_against_the_working_folder(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "site.yaml").write_text("", "utf-8")
    config = load_config(Path("site/site.yaml"), {"output": "public"}, cwd=tmp_path)
    assert config.output_dir == tmp_path.resolve() / "public"

"""site.yaml: defaults, every error at once with its line, close-match suggestions, unsafe outputs refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import helpers
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


@pytest.mark.parametrize(
    "text",
    [
        'base_url: "https://u.github.io/repo/\\nDisallow: /"\n',
        'base_url: "https://u.github.io/re po/"\n',
        'base_url: "https://u.github.io/\\trepo/"\n',
        'base_url: "https://u.github.io/\\x1b[2J/"\n',
    ],
)
def test_base_url_with_whitespace_or_control_characters_is_a_located_error(tmp_path, text):
    messages = config_error(tmp_path, "title: t\n" + text)
    assert len(messages) == 1 and messages[0].startswith("site.yaml:2: error: 'base_url' must be an absolute")
    assert "\n" not in messages[0] and "\x1b" not in messages[0]


@pytest.mark.parametrize("cname", ['"digest.example.org\\nevil.example"', '"digest.example.org "', '"a\\tb.org"'])
def test_cname_with_whitespace_or_control_characters_is_a_located_error(tmp_path, cname):
    messages = config_error(tmp_path, f"cname: {cname}\n")
    assert len(messages) == 1 and messages[0].startswith("site.yaml:1: error: 'cname' must be a bare domain name")


def test_base_url_override_with_a_newline_is_refused(tmp_path):
    messages = config_error(tmp_path, "", base_url="https://x.org/\nDisallow: /")
    assert len(messages) == 1 and messages[0].startswith("error: --base-url must be") and "\n" not in messages[0]


def test_keys_set_twice_at_any_depth_are_located_errors(tmp_path):
    messages = config_error(tmp_path, "feed_size: 5\ntitle:\n  zh: 一\n  zh: 二\nfeed_size: 6\n")
    assert messages == [
        "site.yaml:4: error: key 'zh' is set twice (first on line 3)",
        "site.yaml:5: error: key 'feed_size' is set twice (first on line 1)",
    ]


def test_an_alias_bomb_is_refused_quickly_with_a_short_message(tmp_path):
    # 8 levels: 9**8 = 43 million items once expanded, a 360 MB repr.
    messages = config_error(tmp_path, helpers.alias_bomb(8) + "title: *a7\n")
    assert len(messages) == 1 and len(messages[0]) < 200
    assert messages[0].startswith("site.yaml:") and "through aliases" in messages[0]


def test_a_bad_value_is_shown_cut_short_before_it_is_formatted(tmp_path):
    text = "feed_size: [" + ", ".join(["'" + "x" * 1000 + "'"] * 500) + "]\n"
    messages = config_error(tmp_path, text)
    assert len(messages) == 1 and len(messages[0]) < 200 and messages[0].endswith("…")


def test_yaml_constructor_errors_are_one_line(tmp_path):
    messages = config_error(tmp_path, "title: !!python/object:os.system x\n")
    assert len(messages) == 1 and messages[0].startswith("site.yaml:1: error: invalid value: could not determine")
    assert "\n" not in messages[0]


def test_allow_remote_images_is_off_by_default_and_must_be_a_boolean(tmp_path):
    (tmp_path / "site.yaml").write_text("", "utf-8")
    assert load_config(tmp_path / "site.yaml").allow_remote_images is False
    (tmp_path / "site.yaml").write_text("allow_remote_images: true\n", "utf-8")
    assert load_config(tmp_path / "site.yaml").allow_remote_images is True
    messages = config_error(tmp_path, "allow_remote_images: 'yes please'\n")
    assert messages == ["site.yaml:1: error: 'allow_remote_images' must be true or false, not 'yes please'"]


@pytest.mark.parametrize("kind", ["fifo", "device", "directory", "huge"])
def test_config_that_is_not_a_regular_file_of_sane_size_exits_2_without_reading_it(tmp_path, kind):
    target = {"fifo": tmp_path / "pipe.yaml", "device": Path("/dev/zero"), "directory": tmp_path / "dir"}
    if kind == "fifo":
        os.mkfifo(target["fifo"])
    elif kind == "directory":
        target["directory"].mkdir()
    elif kind == "huge":
        target["huge"] = tmp_path / "huge.yaml"
        target["huge"].write_text("# padding\n" * 200_000, "utf-8")
    result = helpers.run(tmp_path, "check", "--config", str(target[kind]), timeout=30)
    assert result.returncode == 2
    expected = "is larger than 1024 KiB" if kind == "huge" else "is not a regular file"
    shown = target[kind].relative_to(tmp_path) if target[kind].is_relative_to(tmp_path) else target[kind]
    assert result.stderr == f"{shown}: error: config file {expected}\n"


def test_config_path_with_a_newline_is_named_on_one_line(tmp_path):
    result = helpers.run(tmp_path, "check", "--config", "a\nsite.yaml:1: error: forged")
    assert result.returncode == 2
    assert (
        result.stderr.count("\n") == 1
        and "a\\nsite.yaml:1: error: forged: error: config file not found" in result.stderr
    )

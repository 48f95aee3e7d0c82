"""Load and validate `site.yaml` into a frozen `Config`; every problem is reported at once, with its line."""

from __future__ import annotations

import difflib
import os
import re
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from digestsite.content.model import LANGUAGE_CODE, Diagnostic, Severity
from digestsite.content.yaml_lines import DuplicateKey, YamlSyntaxError, describe_value, load_mapping
from digestsite.errors import ConfigError

# Whitespace or control characters in a URL or host name end up as new lines in robots.txt or CNAME.
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")
MAX_CONFIG_BYTES = 1024 * 1024  # far above any real site.yaml; /dev/zero or a huge file is a mistake
SOURCE_KEYS = ("seeds", "templates", "static", "locales", "metadata")  # folders read by a build, never written
_TOPIC_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_TOPIC_FIELDS = ("zh", "en", "match")
MAX_RELATED = 20


@dataclass(frozen=True)
class TopicSetting:
    """site.yaml's word on one topic: new names and words for a bundled topic, a topic of the site's own,
    or (`remove`) a bundled topic the site does without."""

    slug: str
    names: Mapping[str, str] = field(default_factory=dict)  # language → name
    match: tuple[str, ...] = ()
    remove: bool = False


@dataclass(frozen=True)
class TopicSettings:
    """site.yaml's `topics`: `enabled` false turns topics off; `entries` change the bundled glossary."""

    enabled: bool = True
    entries: tuple[TopicSetting, ...] = ()


@dataclass(frozen=True)
class Config:
    """Validated site settings; every path is absolute, resolved against site.yaml's folder."""

    root: Path
    config_file: Path | None
    title: Mapping[str, str]
    description: Mapping[str, str]
    base_url: str
    languages: tuple[str, ...]
    seeds_dir: Path
    output_dir: Path
    templates_dir: Path
    static_dir: Path
    locales_dir: Path
    metadata_dir: Path
    feed_size: int
    cname: str
    allow_remote_images: bool = False
    topics: TopicSettings = TopicSettings()
    related: int = 5  # related papers on each paper page; 0: none

    @property
    def default_language(self) -> str:
        return self.languages[0]

    @property
    def source_folders(self) -> tuple[Path, ...]:
        """The folders a build reads besides site.yaml: what the dev server watches and the cache hashes."""
        return (self.seeds_dir, self.templates_dir, self.static_dir, self.locales_dir, self.metadata_dir)

    @property
    def metadata_file(self) -> Path:
        """Paper metadata fetched from arXiv by `digestsite fetch-metadata`, one JSON line per paper."""
        return self.metadata_dir / "arxiv.jsonl"


class _Invalid(ValueError):
    """A value of the wrong shape; the message says what was expected."""


def _text_per_language(value: object) -> dict[str, str]:
    if isinstance(value, str):
        return {"*": value.strip()}
    if isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
        return {str(k): v.strip() for k, v in value.items()}
    raise _Invalid("a string, or a mapping of language code to string")


def _languages(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, (str, int, float)) for v in value):
        raise _Invalid("a non-empty list of language codes such as [zh, en]")
    codes = [str(v) for v in value]
    bad = [c for c in codes if not LANGUAGE_CODE.fullmatch(c)]
    if bad:
        raise _Invalid(f"a list of language codes such as [zh, en] ({', '.join(map(repr, bad))} is not one)")
    if len(set(codes)) != len(codes):
        raise _Invalid("a list of distinct language codes")
    return tuple(codes)


def _base_url(value: object) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or _SPACE_OR_CONTROL.search(value):
        raise _Invalid("an absolute http(s) URL such as https://user.github.io/repo/, without spaces")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise _Invalid("an absolute http(s) URL such as https://user.github.io/repo/")
    return value if value.endswith("/") else value + "/"


def _path(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Invalid("a folder path (a non-empty string)")
    return value


def _positive_int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _Invalid("a positive whole number")
    return value


def _hostname(value: object) -> str:
    if value in (None, ""):
        return ""
    if (
        not isinstance(value, str)
        or _SPACE_OR_CONTROL.search(value)
        or not re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9.\-]*[A-Za-z0-9])?", value)
    ):
        raise _Invalid("a bare domain name such as digest.example.org")
    return value


def _boolean(value: object) -> bool:
    if not isinstance(value, bool):
        raise _Invalid("true or false")
    return value


def _topics(value: object) -> TopicSettings:
    if isinstance(value, bool):
        return TopicSettings(enabled=value)
    if not isinstance(value, dict):
        raise _Invalid("true, false, or a mapping of topic slugs to false or to {zh, en, match}")
    return TopicSettings(entries=tuple(_topic_setting(str(slug), spec) for slug, spec in value.items()))


def _topic_setting(slug: str, spec: object) -> TopicSetting:
    if not _TOPIC_SLUG.fullmatch(slug):
        raise _Invalid(f"a mapping whose keys are topic slugs of a-z, 0-9 and dashes ({slug!r} is not one)")
    if spec is False:
        return TopicSetting(slug, remove=True)
    if not isinstance(spec, dict) or not spec or any(key not in _TOPIC_FIELDS for key in spec):
        raise _Invalid(f"a mapping of topic slugs to false or to {{zh, en, match}} ({slug!r} is not one)")
    names = {str(lang): value.strip() for lang, value in spec.items() if lang != "match" and isinstance(value, str)}
    words = spec.get("match", [])
    if isinstance(words, str):
        words = [words]
    if (
        len(names) != len(spec) - ("match" in spec)
        or not all(names.values())
        or not isinstance(words, list)
        or not all(isinstance(word, str) and word.strip() for word in words)
    ):
        raise _Invalid(f"names as strings and `match` as a list of words ({slug!r} is not so)")
    return TopicSetting(slug, names, tuple(word.strip() for word in words))


def _related(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_RELATED:
        raise _Invalid(f"a whole number from 0 to {MAX_RELATED}")
    return value


@dataclass(frozen=True)
class _Option:
    convert: Callable[[object], object]
    default: object


OPTIONS: dict[str, _Option] = {
    "title": _Option(_text_per_language, {"zh": "AI 论文速递", "en": "AI Paper Digest"}),
    "description": _Option(_text_per_language, {"*": ""}),
    "base_url": _Option(_base_url, ""),
    "languages": _Option(_languages, ["zh", "en"]),
    "seeds": _Option(_path, "seeds"),
    "output": _Option(_path, "_site"),
    "templates": _Option(_path, "templates"),
    "static": _Option(_path, "static"),
    "locales": _Option(_path, "locales"),
    "metadata": _Option(_path, "metadata"),
    "feed_size": _Option(_positive_int, 50),
    "cname": _Option(_hostname, ""),
    "allow_remote_images": _Option(_boolean, False),
    "topics": _Option(_topics, True),
    "related": _Option(_related, 5),
}


def load_config(config_file: Path, overrides: Mapping[str, object] | None = None, cwd: Path | None = None) -> Config:
    """Read site.yaml (which may be absent only when it is the default) and apply CLI overrides.

    Overrides given on the command line resolve paths against the working directory, not site.yaml's.
    """
    cwd = (cwd or Path.cwd()).resolve()
    config_file = (cwd / config_file).resolve()
    label = display_path(config_file, cwd)
    text = _read_config(config_file, label)
    duplicates: list[DuplicateKey] = []
    try:
        entries = load_mapping(text, duplicates)
    except YamlSyntaxError as exc:
        raise ConfigError([_error(label, exc.line, exc.message)]) from None
    values: dict[str, object] = {}
    problems = [(d.line, _error(label, d.line, d.message())) for d in duplicates]
    seen: set[str] = set()
    for entry in entries:
        if entry.key in seen:
            continue  # reported with the duplicates
        seen.add(entry.key)
        option = OPTIONS.get(entry.key)
        if option is None:
            problems.append(
                (entry.line, _error(label, entry.line, f"unknown key '{entry.key}'{_suggestion(entry.key)}"))
            )
            continue
        try:
            values[entry.key] = option.convert(entry.value)
        except _Invalid as exc:
            message = f"'{entry.key}' must be {exc}, not {_show(entry.value)}"
            problems.append((entry.line, _error(label, entry.line, message)))
    if problems:
        raise ConfigError([message for _, message in sorted(problems, key=lambda p: p[0])])
    root = config_file.parent
    paths = {key: root / str(values.get(key, OPTIONS[key].default)) for key in SOURCE_KEYS}
    paths["output"] = root / str(values.get("output", OPTIONS["output"].default))
    for key, value in (overrides or {}).items():
        if value is None:
            continue
        try:
            converted = OPTIONS[key].convert(value)
        except _Invalid as exc:
            message = f"--{key.replace('_', '-')} must be {exc}, not {_show(value)}"
            raise ConfigError([f"error: {Diagnostic.clean(message)}"]) from None
        if key == "output":
            paths["output"] = cwd / str(converted)
        else:
            values[key] = converted
    for key in (
        "title",
        "description",
        "languages",
        "base_url",
        "feed_size",
        "cname",
        "allow_remote_images",
        "topics",
        "related",
    ):
        values.setdefault(key, OPTIONS[key].convert(OPTIONS[key].default))
    languages: tuple[str, ...] = values["languages"]  # type: ignore[assignment]
    _check_no_broken_link(paths["output"], label)
    resolved = {key: path.resolve() for key, path in paths.items()}
    _check_output_dir(resolved["output"], root, resolved, label)
    return Config(
        root=root,
        config_file=config_file,
        title=_per_language(values["title"], languages),  # type: ignore[arg-type]
        description=_per_language(values["description"], languages),  # type: ignore[arg-type]
        base_url=str(values["base_url"]),
        languages=languages,
        seeds_dir=resolved["seeds"],
        output_dir=resolved["output"],
        templates_dir=resolved["templates"],
        static_dir=resolved["static"],
        locales_dir=resolved["locales"],
        metadata_dir=resolved["metadata"],
        feed_size=int(values["feed_size"]),  # type: ignore[call-overload]
        cname=str(values["cname"]),
        allow_remote_images=bool(values["allow_remote_images"]),
        topics=values["topics"],  # type: ignore[arg-type]
        related=int(values["related"]),  # type: ignore[call-overload]
    )


def _per_language(text: dict[str, str], languages: tuple[str, ...]) -> dict[str, str]:
    """Fills every language: its own text, else the generic one, else the first language's."""
    fallback = text.get("*") or next((text[lang] for lang in languages if text.get(lang)), "")
    if not fallback and text:
        fallback = next(iter(text.values()))
    return {lang: text.get(lang) or fallback for lang in languages}


def _check_no_broken_link(output: Path, label: str) -> None:
    """Refuse an output path through a link to nothing: making its folders would follow the link and
    create folders wherever it points."""
    for part in (output, *output.parents):
        if part.is_symlink() and not part.exists():
            message = f"output folder {output} goes through {part}, a link to {os.readlink(part)}, which does not exist"
            raise ConfigError([_error(label, 0, message)])


def _check_output_dir(output: Path, root: Path, sources: Mapping[str, Path], label: str) -> None:
    """Refuse an output folder whose replacement would destroy sources or a home folder."""
    reason = ""
    if output == Path(output.anchor) or output == Path.home().resolve():
        reason = "is the filesystem root or your home folder"
    elif output == root or output in root.parents:
        reason = "is the site folder or one of its parents"
    else:
        for key in SOURCE_KEYS:
            source = sources[key]
            if output == source or source in output.parents or output in source.parents:
                reason = f"overlaps the {key} folder {source}"
                break
    if reason:
        raise ConfigError(
            [_error(label, 0, f"output folder {output} {reason}; choose a separate folder such as _site")]
        )


def _suggestion(key: str) -> str:
    close = difflib.get_close_matches(key, OPTIONS, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else f" (known keys: {', '.join(OPTIONS)})"


def _show(value: object) -> str:
    return describe_value(value, 60)


def _error(label: str, line: int, message: str) -> str:
    """`label:line: error: message` on one line (`label: error: …` without a line), escaped and cut short."""
    if line:
        return Diagnostic(label, line, Severity.ERROR, message).format()
    return f"{Diagnostic.clean(label)}: error: {Diagnostic.clean(message)}"


_TOO_LARGE = f"config file is larger than {MAX_CONFIG_BYTES // 1024} KiB"


def _check_regular(info: os.stat_result, label: str) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError([_error(label, 0, "config file is not a regular file")])
    if info.st_size > MAX_CONFIG_BYTES:
        raise ConfigError([_error(label, 0, _TOO_LARGE)])


def _read_config(config_file: Path, label: str) -> str:
    """The text of a regular file of sane size; FIFOs and devices are refused before they are read."""
    try:
        # Non-blocking, so opening a FIFO returns at once instead of waiting for a writer.
        descriptor = os.open(config_file, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise ConfigError([_error(label, 0, "config file not found (create one with `digestsite new DIR`)")]) from None
    except OSError as exc:
        raise ConfigError([_error(label, 0, f"cannot read config file: {exc.strerror}")]) from None
    try:
        _check_regular(os.fstat(descriptor), label)
        with os.fdopen(descriptor, "rb", closefd=False) as file:
            data = file.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError([_error(label, 0, f"cannot read config file: {exc.strerror}")]) from None
    finally:
        os.close(descriptor)
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError([_error(label, 0, _TOO_LARGE)])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError([_error(label, line, "not valid UTF-8; save the file as UTF-8")]) from None


def display_path(path: Path, cwd: Path | None = None) -> str:
    """How messages name a file: as the user would type it, relative to the working folder when inside it."""
    try:
        return str(path.relative_to(cwd or Path.cwd()))
    except ValueError:
        return str(path)

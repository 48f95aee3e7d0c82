"""UI strings and date formats per language, from `locales/<lang>.yaml` (the site's over the bundled ones)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from digestsite.content.yaml_lines import YamlSyntaxError, load_mapping
from digestsite.errors import ConfigError

BUNDLED_LOCALES = Path(__file__).parents[1] / "locales"
_REFERENCE_LANGUAGE = "en"
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@dataclass(frozen=True)
class Locale:
    """One language's UI: a flat table of dotted keys (`paper.previous`) to strings."""

    lang: str
    strings: Mapping[str, str]

    def t(self, key: str, **values: object) -> str:
        """The string for `key`, with `{name}` placeholders filled from `values`."""
        text = self.strings[key]
        return text.format(**values) if values else text

    @property
    def html_lang(self) -> str:
        return self.strings["meta.html_lang"]

    @property
    def name(self) -> str:
        return self.strings["meta.language_name"]

    def format_date(self, date: dt.date) -> str:
        return self.t("meta.date_format", **_date_parts(date))

    def format_month(self, date: dt.date) -> str:
        return self.t("meta.month_format", **_date_parts(date))

    def issue_title(self, number: int, date: dt.date) -> str:
        """The inferred title of a batch without one: its number and month."""
        return self.t("meta.issue_title", number=number, month=self.format_month(date))


def _date_parts(date: dt.date) -> dict[str, object]:
    name = _MONTHS[date.month - 1]
    return {"year": date.year, "month": date.month, "day": date.day, "month_name": name, "month_abbr": name[:3]}


def load_locales(languages: Iterable[str], site_locales_dir: Path) -> dict[str, Locale]:
    """Every configured language's locale; a missing language or key is a configuration error."""
    reference = _read_strings(BUNDLED_LOCALES / f"{_REFERENCE_LANGUAGE}.yaml")
    locales: dict[str, Locale] = {}
    problems: list[str] = []
    for lang in languages:
        files = [p for p in (BUNDLED_LOCALES / f"{lang}.yaml", site_locales_dir / f"{lang}.yaml") if p.is_file()]
        if not files:
            problems.append(f"error: no UI strings for language '{lang}': add {site_locales_dir / (lang + '.yaml')}")
            continue
        strings: dict[str, str] = {}
        try:
            for path in files:
                strings.update(_read_strings(path))
        except ConfigError as exc:
            problems.extend(exc.messages)
            continue
        missing = sorted(set(reference) - set(strings))
        if missing:
            problems.append(f"{files[-1]}: error: missing UI strings: {', '.join(missing)}")
            continue
        locales[lang] = Locale(lang, strings)
    if problems:
        raise ConfigError(problems)
    return locales


def _read_strings(path: Path) -> dict[str, str]:
    try:
        entries = load_mapping(path.read_text("utf-8-sig"))
    except YamlSyntaxError as exc:
        raise ConfigError([f"{path}:{exc.line}: error: {exc.message}"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: error: cannot read: {exc}"]) from None
    flat: dict[str, str] = {}
    for entry in entries:
        _flatten(entry.key, entry.value, flat, f"{path}:{entry.line}")
    return flat


def _flatten(prefix: str, value: object, into: dict[str, str], where: str) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(f"{prefix}.{key}", inner, into, where)
    elif isinstance(value, (str, int, float)):
        into[prefix] = str(value)
    else:
        raise ConfigError([f"{where}: error: '{prefix}' must be a string or a mapping of strings"])

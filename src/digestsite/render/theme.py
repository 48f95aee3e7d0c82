"""Where the bundled default theme (templates/ and static/) lives, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path

from digestsite.site.i18n import BUNDLED_LOCALES

_PACKAGED = Path(__file__).parents[1] / "theme"
_CHECKOUT = Path(__file__).resolve().parents[3]


def theme_dir() -> Path:
    """The folder holding the default `templates/` and `static/`.

    A wheel carries them inside the package; a source checkout (editable install, tests) keeps them at
    the repository root, where authors edit them.
    """
    if (_PACKAGED / "templates").is_dir():
        return _PACKAGED
    return _CHECKOUT


def bundled_folders() -> tuple[Path, ...]:
    """Every folder of files that ships with digestsite and shapes the output: templates, static, locales."""
    theme = theme_dir()
    return (theme / "templates", theme / "static", BUNDLED_LOCALES)

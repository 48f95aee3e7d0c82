"""The Jinja environment: the site's `templates/` over the bundled theme, autoescaped, strict."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context

from digestsite.content.model import iso_date
from digestsite.errors import DigestsiteError
from digestsite.render.inlining import InliningLoader
from digestsite.render.theme import theme_dir


class TemplateProblem(DigestsiteError):
    """A template is missing or broken; names the template and line."""


@pass_context
def _date_filter(context: Context, value: dt.date) -> str:
    return context["locale"].format_date(value)


@pass_context
def _month_filter(context: Context, value: dt.date) -> str:
    return context["locale"].format_month(value)


def create_environment(site_templates: Path, compiled: Path | None = None) -> Environment:
    """The site's templates over the bundled theme; `theme/base.html` always names the bundled file.

    The environment holds nothing of a particular build; the dev server keeps one for as long as no
    template file changes (see cache/build_cache.py, ServeCache) and makes a new one when one does. So
    Jinja need not check a template's file each time a page includes it (`auto_reload` off: a `stat`
    per include, a tenth of a paper page's render). With `compiled`, a folder of the build cache,
    compiled templates are kept there (checked against their source), which spares every build the
    50 ms of compiling them.
    """
    theme = InliningLoader(theme_dir() / "templates", lambda name: (site_templates / name).is_file())
    loaders = [FileSystemLoader(site_templates)] if site_templates.is_dir() else []
    env = Environment(
        loader=ChoiceLoader([*loaders, theme, PrefixLoader({"theme": theme})]),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        bytecode_cache=FileSystemBytecodeCache(str(compiled)) if compiled is not None else None,
    )
    env.filters["date"] = _date_filter
    env.filters["month"] = _month_filter
    env.filters["as_date"] = iso_date  # a date to format and put in `datetime`, else None: shown as written
    return env


def template_folders(site_templates: Path) -> tuple[Path, ...]:
    """Every folder a template may come from: what a change to any template file changes."""
    return (site_templates, theme_dir() / "templates")

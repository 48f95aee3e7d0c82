"""The bundled theme's templates with their bundled partials written in place of `{% include %}`.

Jinja makes a new context for every include (a copy of the page's fifty names), and a paper page has
seven, a batch page four for each of its papers: a quarter of their render. Written in place, with the
whitespace the include's tag would have trimmed trimmed as well, a partial renders byte for byte as it
did included. Only a bundled template's includes of bundled partials are written in: a partial the site
overrides, and every template of the site's own, are included as Jinja does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from jinja2 import Environment, FileSystemLoader

# A plain include of a partial; with the spaces before it when it starts its line (`lstrip_blocks`
# strips them) and the newline after it (`trim_blocks` drops that).
_INCLUDE = re.compile(r'(?m)(?:^[ \t]*)?\{% include "(partials/[^"]+)" %\}\n?')


class InliningLoader(FileSystemLoader):
    """The theme's folder; `overridden(name)` says whether the site has a template of that name."""

    def __init__(self, folder: Path, overridden: Callable[[str], bool]) -> None:
        super().__init__(folder)
        self.overridden = overridden

    def get_source(self, environment: Environment, template: str) -> tuple[str, str | None, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        checks = [uptodate]

        def written_in(match: re.Match[str], seen: tuple[str, ...]) -> str:
            name = match.group(1)
            if name in seen or self.overridden(name):
                return match.group(0)
            partial, _, partial_uptodate = super(InliningLoader, self).get_source(environment, name)
            checks.append(partial_uptodate)
            return _INCLUDE.sub(lambda inner: written_in(inner, (*seen, name)), partial)

        source = _INCLUDE.sub(lambda match: written_in(match, (template,)), source)
        return source, filename, lambda: all(check() for check in checks)

"""The package layout is the architecture: stages never reach up into the cache or the commands.

Each sub-package may import only the ones listed for it (and the top-level `config`, `errors`, `messages` and
`lifetime` modules); there is no import cycle between modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "digestsite"
FOUNDATION = {"config", "errors", "lifetime", "messages", "__init__"}
ALLOWED = {
    "content": set(),
    "metadata": {"content", "output"},  # output only for its one atomic-write helper
    "site": {"content", "metadata"},
    "render": {"content", "site"},
    "search": {"content", "site", "output"},
    "output": {"content", "site", "render", "search"},
    "cache": {"content", "metadata", "site", "render", "search", "output"},
    "devserver": set(),
    "commands": {"content", "metadata", "site", "render", "search", "output", "cache", "devserver", "commands"},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """The digestsite modules `path` imports, at any depth of the file (deferred imports count too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("digestsite"):
            base = node.module.removeprefix("digestsite").lstrip(".")
            for alias in node.names:
                candidate = f"{base}.{alias.name}" if base else alias.name
                found.add(candidate if (PACKAGE / Path(*candidate.split("."))).with_suffix(".py").exists() else base)
        elif isinstance(node, ast.Import):
            found.update(a.name.removeprefix("digestsite.") for a in node.names if a.name.startswith("digestsite."))
    return {name for name in found if name}


def graph() -> dict[str, set[str]]:
    return {module_name(path): imports_of(path) for path in PACKAGE.rglob("*.py")}


def test_each_stage_imports_only_the_stages_below_it():
    problems = []
    for module, imported in graph().items():
        package = module.split(".")[0]
        if package not in ALLOWED:
            continue
        for target in imported:
            top = target.split(".")[0]
            if top not in FOUNDATION and top != package and top not in ALLOWED[package]:
                problems.append(f"{module} imports {target}")
    assert problems == []


def test_no_stage_imports_the_cache_or_a_command():
    for module, imported in graph().items():
        if module.split(".")[0] in ("content", "metadata", "site", "render", "search", "output"):
            assert not {t for t in imported if t.split(".")[0] in ("cache", "commands", "cli")}, module


def test_there_is_no_import_cycle():
    edges = graph()

    def visit(module: str, trail: tuple[str, ...]) -> None:
        if module in trail:
            raise AssertionError(" -> ".join((*trail[trail.index(module) :], module)))
        if module in done:
            return
        for target in edges.get(module, ()):
            if target in edges:
                visit(target, (*trail, module))
        done.add(module)

    done: set[str] = set()
    for module in edges:
        visit(module, ())

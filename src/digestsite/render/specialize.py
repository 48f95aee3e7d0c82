"""Templates compiled once more for each family of pages, with what the family's pages share written in.

A paper page's template calls `t` thirty times, `link` and `asset` a dozen, and tests `page.kind`, yet
for every paper page of one language these give the same strings: most of the page is the same text.
Jinja folds constants into the text it yields at compile time; this tells it which names are constant
for a family (pages of one template, kind and language at one place in the route table: see the
renderer's `_family_key`), so it writes their values in and escapes them once. The templates stay
Jinja templates read through the same loader, so a site's own `templates/` override them as before;
the folded template renders what the plain one renders, byte for byte.

What may be folded, and when it is not:
- a name the family gives one value (`lang`, `site_title`), and attributes of a few (`page.kind`);
- a call of a function the family names (`t`, `link`, `asset`) whose arguments are all constants, when
  the function gives a result (it refuses, by raising, a link that depends on the page's own folder);
- nothing that a template of the family binds (`{% set %}`, a loop variable, a macro argument): such
  a name is left alone in later templates, and a family that folded it before is given up;
- no template that includes or imports without context, or switches autoescaping by an expression
  (where a name is not the page's), is specialized: its family renders with the plain templates.

A family is specialized only once it has rendered `THRESHOLD` pages the plain way, so an edit that
renders a few pages never pays for compiling the templates again.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import markupsafe
from jinja2 import Environment, Template, nodes
from jinja2.compiler import CodeGenerator, Frame, has_safe_repr, optimizeconst
from jinja2.nodes import EvalContext
from jinja2.visitor import NodeTransformer

THRESHOLD = 128  # pages of a family rendered with the plain templates before it gets its own
_SIMPLE = (str, bool, int, type(None))


class Refused(Exception):
    """A value that cannot be written into the templates of a family (raised by a family's function)."""


class Unspecializable(Exception):
    """A template the family cannot fold: the family renders with the plain templates."""


@dataclass
class Family:
    """What every page of a family shares: `names` with one value, `attributes` of names with one value
    (`page.kind`), and `calls` whose result follows from their arguments (they may raise to refuse)."""

    names: Mapping[str, object]
    attributes: Mapping[str, Mapping[str, object]]
    calls: Mapping[str, Callable[..., object]]
    bound: set[str] = field(default_factory=set)  # names some template of the family binds
    folded: set[str] = field(default_factory=set)  # names folded in some template of the family

    def foldable(self) -> set[str]:
        return (set(self.names) | set(self.attributes) | set(self.calls)) - self.bound


def _bound_names(template: nodes.Template) -> set[str]:
    """Every name the template binds anywhere: assignments, loop and `with` targets, macro and call
    arguments, macro names and import targets."""
    bound = {node.name for node in template.find_all(nodes.Name) if node.ctx in ("store", "param")}
    bound |= {node.name for node in template.find_all(nodes.Macro)}
    bound |= {node.target for node in template.find_all(nodes.Import)}
    for node in template.find_all(nodes.FromImport):
        bound |= {name[1] if isinstance(name, tuple) else name for name in node.names}
    return bound


def _check_context(template: nodes.Template) -> None:
    """Refuse a template where a name might not be the page's: one that includes or imports without the
    page's context, or sets autoescaping by an expression."""
    for node in template.find_all((nodes.Include, nodes.Import, nodes.FromImport)):
        if not node.with_context:
            raise Unspecializable
    if any(True for _ in template.find_all((nodes.EvalContextModifier, nodes.ScopedEvalContextModifier))):
        raise Unspecializable


class _Folder(NodeTransformer):
    """Writes in the values of `names` (a subset of the family's) and drops branches decided by them."""

    def __init__(self, family: Family, names: set[str], environment: Environment, template: str | None) -> None:
        self.family = family
        self.names = names
        self.environment = environment
        self.eval_ctx = EvalContext(environment, template)
        self.used: set[str] = set()

    def _const(self, value: object, node: nodes.Node) -> nodes.Node:
        if type(value) not in _SIMPLE or not has_safe_repr(value):
            return node
        return nodes.Const(value, lineno=node.lineno, environment=self.environment)

    def visit_Name(self, node: nodes.Name) -> nodes.Node:
        if node.ctx == "load" and node.name in self.names and node.name in self.family.names:
            self.used.add(node.name)
            return self._const(self.family.names[node.name], node)
        return node

    def visit_Getattr(self, node: nodes.Getattr) -> nodes.Node:
        target = node.node
        if isinstance(target, nodes.Name) and target.ctx == "load" and target.name in self.names:
            values = self.family.attributes.get(target.name, {})
            if node.attr in values:
                self.used.add(target.name)
                return self._const(values[node.attr], node)
        return self.generic_visit(node)

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        node = self.generic_visit(node)
        callee = node.node
        if not (isinstance(callee, nodes.Name) and callee.name in self.names and callee.name in self.family.calls):
            return node
        if node.dyn_args is not None or node.dyn_kwargs is not None:
            return node
        if not all(isinstance(arg, nodes.Const) for arg in [*node.args, *(kw.value for kw in node.kwargs)]):
            return node
        try:
            args = [arg.value for arg in node.args]
            kwargs = {kw.key: kw.value.value for kw in node.kwargs}
            value = self.family.calls[callee.name](*args, **kwargs)
        except Exception:  # refused, or an error the page should raise when it renders
            return node
        folded = self._const(value, node)
        if folded is not node:
            self.used.add(callee.name)
        return folded

    def visit_If(self, node: nodes.If) -> nodes.Node | list[nodes.Node]:
        node = self.generic_visit(node)
        try:  # a test of constants (`page.kind != '404'`) is decided now
            decided = node.test.as_const(self.eval_ctx)
        except nodes.Impossible:
            return node
        if decided:
            return node.body
        if node.elif_:
            first, *rest = node.elif_
            return self.visit_If(nodes.If(first.test, first.body, rest, node.else_, lineno=first.lineno))
        return node.else_


def _joined_outputs(template: nodes.Template) -> None:
    """Merge neighbouring `Output` nodes (left by dropped branches), so their text is yielded at once."""
    for parent in [template, *template.find_all(nodes.Node)]:
        for name in parent.fields:
            children = getattr(parent, name)
            if not isinstance(children, list) or not any(isinstance(child, nodes.Output) for child in children):
                continue
            merged: list[Any] = []
            for child in children:
                if isinstance(child, nodes.Output) and merged and isinstance(merged[-1], nodes.Output):
                    last = merged[-1]
                    joined = [*last.nodes, *child.nodes]
                    merged[-1] = nodes.Output(joined, lineno=last.lineno, environment=last.environment)
                else:
                    merged.append(child)
            setattr(parent, name, merged)


def _generator(family: Family) -> type[CodeGenerator]:
    class FoldingGenerator(_LeanGenerator):
        def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
            _check_context(node)
            bound = _bound_names(node)
            if bound & family.folded:  # an earlier template wrote in a value this one rebinds
                raise Unspecializable
            family.bound |= bound
            folder = _Folder(family, family.foldable(), self.environment, self.name)
            node = folder.visit(node)
            family.folded |= folder.used
            _joined_outputs(node)
            super().visit_Template(node, frame)

    return FoldingGenerator


class _LeanGenerator(CodeGenerator):
    """Jinja's code, with the two commonest steps of a page written inline rather than as calls:

    - `obj.attr` reads the attribute with the built-in `getattr`, and only when there is none goes on as
      Jinja does (`environment.getattr`: the item of that name, else undefined);
    - an autoescaped value that is a plain string is escaped by markupsafe's own escaping function,
      without making a `Markup` of it first (the page's text is the same: it is joined into a string).
    """

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        self.writeline("from markupsafe import _escape_inner as _escape_str")
        super().visit_Template(node, frame)

    @optimizeconst
    def visit_Getattr(self, node: nodes.Getattr, frame: Frame) -> None:
        if self.environment.is_async or self.environment.sandboxed:
            CodeGenerator.visit_Getattr(self, node, frame)
            return
        self.write("(_attr if (_attr := getattr((_owner := ")
        self.visit(node.node, frame)
        self.write(f"), {node.attr!r}, missing)) is not missing else environment.getattr(_owner, {node.attr!r}))")

    def _inline_escape(self, frame: Frame, finalize: Any) -> bool:
        return frame.eval_ctx.autoescape and not frame.eval_ctx.volatile and finalize.src is None

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        if not self._inline_escape(frame, finalize):
            super()._output_child_pre(node, frame, finalize)
            return
        self.write("(_escape_str(_text) if (_text := ")

    def _output_child_post(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        if not self._inline_escape(frame, finalize):
            super()._output_child_post(node, frame, finalize)
            return
        self.write(").__class__ is str else escape(_text))")


class Specializer:
    """Each family's templates: the plain ones for its first `THRESHOLD` pages, then its own."""

    def __init__(self, env: Environment, threshold: int | None = None) -> None:
        self.env = env
        self.threshold = THRESHOLD if threshold is None else threshold
        if not hasattr(markupsafe, "_escape_inner"):  # a MarkupSafe before 3.0: every page renders plainly
            self.threshold = sys.maxsize
        self._seen: dict[object, int] = {}
        self._envs: dict[object, Environment | None] = {}  # None: the family renders with the plain ones

    def template(self, key: object, name: str, family: Callable[[], Family]) -> Template | None:
        """The family's own compiled `name`, or None while (or if) it renders with the plain templates."""
        env = self._envs.get(key)
        if env is None:
            if key in self._envs:
                return None
            seen = self._seen[key] = self._seen.get(key, 0) + 1
            if seen <= self.threshold:
                return None
            env = self._envs[key] = self._environment(family())
        try:
            return env.get_template(name)
        except Unspecializable:
            self._envs[key] = None
            return None

    def give_up(self, key: object) -> None:
        """Render the family with the plain templates from now on (a template met while rendering
        could not be specialized)."""
        self._envs[key] = None

    def _environment(self, family: Family) -> Environment:
        # A cache of its own (a copy of the plain one would hand out plain templates), and no bytecode
        # cache: the folded code differs from the plain code of the same source.
        env = self.env.overlay(cache_size=400, bytecode_cache=None)
        env.code_generator_class = _generator(family)
        return env


SENTINEL = "\0"  # stands for each part of a page's key in its family's path: equal to no folder's name


def family_path(path_of: Callable[[str], str], key: str) -> str:
    """The path that stands for every page of a family: `path_of(key)` with each part of the key replaced."""
    return path_of("/".join(SENTINEL for _ in key.split("/")) if key else "")


def depends_on_key(family_path: str, target: str) -> bool:
    """Whether a relative link from the family's pages to `target` may differ between them: whether the
    target may lie in a folder named after a page's key, so the link's climb depends on that name."""
    return _key_position(family_path, target) >= 0


def _key_position(family_path: str, target: str) -> int:
    """The depth of the folder where the target's path may meet a page's key, else -1."""
    folders, goal = family_path.split("/")[:-1], target.split("/")[:-1]
    common = 0
    while common < len(folders) and common < len(goal) and folders[common] == goal[common]:
        common += 1
    return common if common < len(folders) and common < len(goal) and folders[common] == SENTINEL else -1


class SharedLinks:
    """Relative links from the pages of a family, each worked out once for the whole family: from every
    paper page, `../2403.19887/` leads to that paper, unless the page is that paper's own."""

    def __init__(self, href: Callable[[str, str], str]) -> None:
        self._href = href  # (page path, target) → the relative link
        self._links: dict[tuple[str, str], tuple[str, int]] = {}

    def href(self, path: str, family_path: str, target: str) -> str:
        """The link from the page at `path`, of the family whose pages stand at `family_path`, to `target`."""
        link = self._links.get((family_path, target))
        if link is None:
            link = self._links[(family_path, target)] = (
                self._href(family_path, target),
                _key_position(family_path, target),
            )
        url, position = link
        if position < 0:
            return url
        folders = path.split("/")
        if not target.startswith("/".join(folders[: position + 1]) + "/"):
            return url
        # The target lies in this page's own folder (a topic's page 3, from its page 5): the pages that
        # share that folder share the link.
        parts = family_path.split("/")
        parts[position] = folders[position]
        return self.href(path, "/".join(parts), target)

"""Load a YAML mapping while keeping each key's line, so messages can point at it.

Aliases let a few hundred bytes stand for billions of items (`&a [*b, *b, …]` nested a few times).
Parsing them is cheap, but anything that walks the value is not, so values are measured on the node
graph before they are built, and `describe_value` shows a value without ever walking more of it than
it prints.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import yaml

# libyaml's parser when PyYAML was built with it (ten times faster on locale and config files).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_ITEMS = 10_000  # per top-level value, counting every alias as the copy it expands to
MAX_NUMBER_DIGITS = 100  # longer numbers are no setting; int → str would refuse them past 4300 digits
_INT_TAG = "tag:yaml.org,2002:int"
_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class YamlEntry:
    key: str
    value: object
    line: int  # 1-based, relative to the text given


@dataclass(frozen=True)
class DuplicateKey:
    """A key set twice in the same mapping (at any depth); YAML loaders silently keep the last value."""

    key: str
    line: int  # 1-based, of the repeated key, relative to the text given
    first_line: int

    def message(self, offset: int = 0) -> str:
        """The warning text; `offset` shifts the line it names, as for front matter after its `---`."""
        return f"key {describe_value(self.key)} is set twice (first on line {self.first_line + offset})"


class YamlSyntaxError(ValueError):
    """Invalid YAML or not a mapping; `line` is 1-based, relative to the text given."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def load_mapping(text: str, duplicates: list[DuplicateKey] | None = None) -> list[YamlEntry]:
    """The top-level mapping as (key, value, line) entries; empty text is an empty mapping.

    Top-level keys set twice come back as two entries. With `duplicates`, every key set twice in any
    mapping (nested ones included) is also appended to it.
    """
    root = _compose(text)
    if root is None:
        return []
    if not isinstance(root, yaml.MappingNode):
        raise YamlSyntaxError(root.start_mark.line + 1, "expected a mapping of keys to values")
    if duplicates is not None:
        duplicates.extend(find_duplicate_keys(root))
    entries = []
    for key_node, value_node in root.value:
        _check_size(key_node, value_node)
        constructor = yaml.SafeLoader("")
        try:
            key = constructor.construct_object(key_node, deep=True)
            value = constructor.construct_object(value_node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
            # Also bad timestamps such as 2024-13-45, which PyYAML reports as a plain ValueError.
            raise YamlSyntaxError(value_node.start_mark.line + 1, f"invalid value: {_problem(exc)}") from None
        entries.append(YamlEntry(str(key), value, key_node.start_mark.line + 1))
    return entries


def _compose(text: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=_LOADER)
    except RecursionError:
        raise YamlSyntaxError(1, "invalid YAML: nested too deeply") from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(_error_line(exc, text), f"invalid YAML: {_problem(exc)}") from None


def _error_line(exc: yaml.YAMLError, text: str) -> int:
    """The 1-based line of a syntax error; a reader error (a control character) knows only its offset."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return int(mark.line) + 1
    # Its offset counts bytes in libyaml and characters in PyYAML; the character itself is unambiguous: the
    # reader stops at the first unacceptable one.
    character = getattr(exc, "character", None)
    at = text.find(chr(character)) if isinstance(character, int) else -1
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


def _problem(exc: BaseException) -> str:
    """The problem alone, on one line: PyYAML's own text adds the position on further lines."""
    problem = getattr(exc, "problem", None) or str(exc).split("\n", 1)[0] or type(exc).__name__
    return " ".join(str(problem).split())


def _check_size(key_node: yaml.Node, value_node: yaml.Node) -> None:
    """Refuse values that expand to more than MAX_ITEMS items, refer to themselves, or hold huge numbers."""
    for node in (key_node, value_node):
        problem = _oversized(node)
        if problem:
            raise YamlSyntaxError(node.start_mark.line + 1, f"invalid value: {problem}")


def _oversized(root: yaml.Node) -> str:
    """Why the node is too big to build, or ''. Each node is visited once, however often aliases repeat it."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    active: set[int] = set()
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            active.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] > MAX_ITEMS:
                return f"it expands to more than {MAX_ITEMS} items through aliases"
            continue
        if key in sizes:
            continue
        if key in active:
            return "it contains itself through an alias"
        if isinstance(node, yaml.ScalarNode) and node.tag == _INT_TAG and len(node.value) > MAX_NUMBER_DIGITS:
            return f"a number with more than {MAX_NUMBER_DIGITS} digits"
        active.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)
    return ""


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def find_duplicate_keys(root: yaml.Node) -> list[DuplicateKey]:
    """Scalar keys repeated within one mapping, in any mapping of the document, each mapping checked once."""
    found: list[DuplicateKey] = []
    seen_nodes: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            found.extend(_repeated_keys(node))
        stack.extend(_children(node))
    return sorted(found, key=lambda d: d.line)


def _repeated_keys(mapping: yaml.MappingNode) -> list[DuplicateKey]:
    first: dict[tuple[str, str], int] = {}
    repeated = []
    for key_node, _ in mapping.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
            continue
        line = key_node.start_mark.line + 1
        identity = (key_node.tag, key_node.value)
        if identity in first:
            repeated.append(DuplicateKey(key_node.value, line, first[identity]))
        else:
            first[identity] = line
    return repeated


def describe_value(value: object, limit: int = 60) -> str:
    """`repr(value)` cut to `limit` characters, computed only as far as it is shown.

    Safe on alias bombs (a value whose full repr would be gigabytes), self-containing values and
    integers too long for `repr`.
    """
    pieces: list[str] = []
    budget = [limit + 1]
    _describe(value, pieces, budget, set())
    text = "".join(pieces)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _emit(text: str, pieces: list[str], budget: list[int]) -> None:
    pieces.append(text[: max(budget[0], 0)])
    budget[0] -= len(text)


def _describe(value: object, pieces: list[str], budget: list[int], open_ids: set[int]) -> None:
    if budget[0] <= 0:
        return
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        if id(value) in open_ids:
            _emit("[...]" if isinstance(value, list) else "{...}", pieces, budget)
            return
        open_ids.add(id(value))
        _describe_container(value, pieces, budget, open_ids)
        open_ids.discard(id(value))
    else:
        _emit(_scalar_repr(value, budget[0]), pieces, budget)


def _describe_container(value: object, pieces: list[str], budget: list[int], open_ids: set[int]) -> None:
    is_dict = isinstance(value, dict)
    brackets = "[]" if isinstance(value, list) else "()" if isinstance(value, tuple) else "{}"
    _emit(brackets[0], pieces, budget)
    items = value.items() if is_dict else value  # type: ignore[attr-defined]
    for index, item in enumerate(items):  # type: ignore[arg-type]
        if budget[0] <= 0:
            return
        if index:
            _emit(", ", pieces, budget)
        if is_dict:
            _describe(item[0], pieces, budget, open_ids)
            _emit(": ", pieces, budget)
            _describe(item[1], pieces, budget, open_ids)
        else:
            _describe(item, pieces, budget, open_ids)
    _emit(brackets[1], pieces, budget)


def _scalar_repr(value: object, room: int) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, (float, dt.date)):
        return repr(value)
    if isinstance(value, int):
        return repr(value) if value.bit_length() < 1000 else f"<a {value.bit_length()}-bit number>"
    if isinstance(value, (str, bytes)):
        return repr(value[: room + 1])
    return repr(value)[: room + 1]

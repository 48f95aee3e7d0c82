"""Load a YAML mapping while keeping each key's line, so messages can point at it."""

from __future__ import annotations

from dataclasses import dataclass

import yaml

# libyaml's parser when PyYAML was built with it (ten times faster on locale and config files).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class YamlEntry:
    key: str
    value: object
    line: int  # 1-based, relative to the text given


class YamlSyntaxError(ValueError):
    """Invalid YAML or not a mapping; `line` is 1-based, relative to the text given."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def load_mapping(text: str) -> list[YamlEntry]:
    """The top-level mapping as (key, value, line) entries; empty text is an empty mapping."""
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except RecursionError:
        raise YamlSyntaxError(1, "invalid YAML: nested too deeply") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise YamlSyntaxError(line, f"invalid YAML: {problem}") from None
    if root is None:
        return []
    if not isinstance(root, yaml.MappingNode):
        raise YamlSyntaxError(root.start_mark.line + 1, "expected a mapping of keys to values")
    entries = []
    for key_node, value_node in root.value:
        constructor = yaml.SafeLoader("")
        try:
            key = constructor.construct_object(key_node, deep=True)
            value = constructor.construct_object(value_node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
            # Also bad timestamps such as 2024-13-45, which PyYAML reports as a plain ValueError.
            raise YamlSyntaxError(value_node.start_mark.line + 1, f"invalid value: {exc}") from None
        entries.append(YamlEntry(str(key), value, key_node.start_mark.line + 1))
    return entries

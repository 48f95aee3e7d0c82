"""JSON that is data, never markup: `<`, `>` and `&` escaped so no `</script>` or tag can appear in it."""

from __future__ import annotations


def without_markup(json_text: str) -> str:
    """The same JSON value with the characters that could end a `<script>` or start a tag escaped."""
    return json_text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

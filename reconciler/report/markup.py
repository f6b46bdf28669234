"""Values written into Markdown and HTML reports: JSON text, escaped so that a value (a tag, a
policy, a comment someone typed) can never break the table or the page it sits in."""

from __future__ import annotations

import html
import json
from typing import Any

CELL_WIDTH = 120
#: GitHub refuses comments over 65,536 characters; sections stop short of it.
COMMENT_BUDGET = 60_000


def json_text(value: Any, *, width: int | None = None) -> str:
    """A value as compact JSON (``width``: shortened to at most this many characters)."""
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    if width is not None and len(text) > width:
        return text[: width - 3] + "..."
    return text


def md_code(text: str) -> str:
    """Text as inline code inside a Markdown table cell: HTML-escaped, pipes and newlines
    neutralised (a backtick span cannot hold a pipe in a GitHub table)."""
    escaped = html.escape(text, quote=False).replace("|", "&#124;").replace("\n", " ")
    return f"<code>{escaped}</code>"


def md_value(value: Any) -> str:
    return md_code(json_text(value, width=CELL_WIDTH))


def md_text(text: str) -> str:
    """Plain text inside Markdown: no emphasis, links or code by accident, no table breaks."""
    escaped = html.escape(text, quote=False).replace("|", "&#124;").replace("\n", " ")
    for char in "\\`*_[]":
        escaped = escaped.replace(char, "\\" + char)
    return escaped


def md_diagnostics(diagnostics: list[dict[str, Any]]) -> list[str]:
    """A report's diagnostics as a Markdown section (nothing when there are none)."""
    if not diagnostics:
        return []
    lines = ["### Diagnostics", ""]
    lines += [
        f"- **{d['severity']}** {md_code(d['address'])}: {md_text(d['summary'])}"
        + (f" ({md_code(d['position'])})" if d.get("position") else "")
        for d in diagnostics
    ]
    return [*lines, ""]


def md_sentence(text: str) -> str:
    """A reason as a sentence of its own: capitalised, with a full stop."""
    return md_text(text[:1].upper() + text[1:]) + "."


def md_fit(
    head: list[str], sections: list[list[str]], tail: list[str], *, budget: int, noun: str
) -> str:
    """``head``, as many per-resource ``sections`` as fit in ``budget`` characters with ``tail``
    (the rest are counted in one line: the JSON form has every one), then ``tail``."""
    lines = list(head)
    used = sum(len(line) + 1 for line in [*head, *tail])
    for index, section in enumerate(sections):
        size = sum(len(line) + 1 for line in section)
        if used + size > budget:
            left = len(sections) - index
            lines += [
                f"*… and {left} more {noun}: too long for one comment; the JSON form has every "
                "one.*",
                "",
            ]
            break
        lines += section
        used += size
    return "\n".join([*lines, *tail])

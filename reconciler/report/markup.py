"""Values written into Markdown and HTML reports: JSON text, escaped so that a value (a tag, a
policy, a comment someone typed) can never break the table or the page it sits in. Values are
never shortened: one too long for a table cell is written out below the table, whole
(`md_long`)."""

from __future__ import annotations

import html
from typing import Any

from reconciler.report import values

#: GitHub refuses comments over 65,536 characters; sections stop short of it.
COMMENT_BUDGET = 60_000
#: What a table cell says of a value written out whole below the table.
BELOW = "(below)"


def md_code(text: str) -> str:
    """Text as inline code inside a Markdown table cell: HTML-escaped, pipes and newlines
    neutralised (a backtick span cannot hold a pipe in a GitHub table)."""
    escaped = html.escape(text, quote=False).replace("|", "&#124;").replace("\n", " ")
    return f"<code>{escaped}</code>"


def md_value(value: Any) -> str:
    """A table cell for a value: inline code when it fits on a line, else a pointer to where
    `md_long` writes it out whole."""
    short = values.inline(value)
    return md_code(short) if short is not None else BELOW


def is_long(value: Any) -> bool:
    return values.inline(value) is None


def md_long(path: str, before: Any, after: Any, *, legend: str) -> list[str]:
    """A value too long for a cell, whole, as a fenced diff below the table (``legend`` says
    what ``-`` and ``+`` stand for)."""
    diffed = "\n".join(values.diff_text(before, after))
    return [f"{md_code(path)} ({legend}):", "", *values.fence(diffed, "diff"), ""]


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
    head: list[str],
    sections: list[list[str]],
    tail: list[str],
    *,
    budget: int,
    noun: str,
    whole: str,
) -> str:
    """``head``, as many whole per-resource ``sections`` as fit in ``budget`` characters with
    ``tail`` (the rest are counted in one line that says where they are all: ``whole``), then
    ``tail``. A section is never cut: it is shown whole or counted."""
    lines = list(head)
    used = sum(len(line) + 1 for line in [*head, *tail])
    for index, section in enumerate(sections):
        size = sum(len(line) + 1 for line in section)
        if used + size > budget:
            left = len(sections) - index
            lines += [
                f"*{left} more {noun} not shown: too long for one comment. {whole}*",
                "",
            ]
            break
        lines += section
        used += size
    return "\n".join([*lines, *tail])

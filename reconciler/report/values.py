"""Values as a reviewer reads them: whole, always. A value that fits on a line is shown inline as
JSON; a longer one (a policy, a lifecycle rule, a distribution's behaviour) as its JSON written
out line by line, and a change between two such values as a line diff of those lines, in the
manner of ``terraform plan`` for ``jsonencode`` values: lines that differ marked ``-`` / ``+``, a
few unchanged lines around them for context, longer unchanged runs folded into a count.

Every renderer (text and Markdown plans; text, Markdown and JUnit drift reports) draws its values
from here, so nothing is ever cut with "...".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

#: A value whose one-line JSON is longer than this is written out line by line.
INLINE_WIDTH = 90
#: Unchanged lines kept on each side of a change.
CONTEXT = 2


def one_line(value: Any) -> str:
    """The whole value as one line of JSON."""
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def inline(value: Any) -> str | None:
    """The value on one line when it fits, else ``None`` (write it out with `lines`)."""
    text = one_line(value)
    return text if len(text) <= INLINE_WIDTH else None


def lines(value: Any) -> list[str]:
    """The whole value as indented JSON, one line per element."""
    return json.dumps(value, ensure_ascii=False, indent=2).splitlines()


@dataclass(frozen=True)
class Line:
    """One line of a value diff: ``mark`` is ``-``, ``+``, `` `` (context) or ``#`` (a count
    of unchanged lines left out, in ``text``)."""

    mark: str
    text: str


def _folded(count: int) -> Line:
    noun = "line" if count == 1 else "lines"
    return Line("#", f"({count} unchanged {noun})")


def diff(before: Any, after: Any) -> list[Line]:
    """The line diff from ``before`` to ``after`` (``None``: not there), every changed line
    whole, unchanged runs folded."""
    old = lines(before) if before is not None else []
    new = lines(after) if after is not None else []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    out: list[Line] = []
    seen = 0
    for group in matcher.get_grouped_opcodes(CONTEXT):
        start = group[0][1]
        if start > seen:
            out.append(_folded(start - seen))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out += [Line(" ", text) for text in old[i1:i2]]
                continue
            out += [Line("-", text) for text in old[i1:i2]]
            out += [Line("+", text) for text in new[j1:j2]]
        seen = group[-1][2]
    if seen < len(old) and out:
        out.append(_folded(len(old) - seen))
    return out


def diff_text(before: Any, after: Any, *, indent: str = "") -> list[str]:
    """`diff` as plain text lines (``- ...``, ``+ ...``, ``  ...``, ``  # (N unchanged lines)``)."""
    return [
        f"{indent}  # {line.text}" if line.mark == "#" else f"{indent}{line.mark} {line.text}"
        for line in diff(before, after)
    ]


def fence(text: str, language: str = "") -> list[str]:
    """``text`` as a Markdown code block whose fence no run of backticks inside can close."""
    longest = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    marks = "`" * max(3, longest + 1)
    return [f"{marks}{language}", *text.splitlines(), marks]

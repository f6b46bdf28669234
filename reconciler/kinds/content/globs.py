"""Globs on a file's path (``/`` between parts), as ``headers``, ``exclude`` and ``protect``
write them: ``*`` is any run of characters within a part, ``?`` one character, ``[...]`` one
of a set, and ``**`` any number of whole parts, none included (``**/*.html`` matches
``index.html`` and ``a/b/c.html``; ``assets/**`` everything below ``assets/``). Matched
against the whole path, case-sensitively, as S3 keys are.
"""

from __future__ import annotations

import re
from functools import lru_cache


def problem(pattern: str) -> str | None:
    """Why ``pattern`` is not a glob this module reads (``None``: it is)."""
    if not pattern:
        return "a glob is not empty"
    if pattern.startswith("/"):
        return "a glob matches paths below source, which do not start with '/'"
    if pattern.count("[") != pattern.count("]"):
        return "an unclosed '[' (a set of characters is written [abc])"
    for part in pattern.split("/"):
        if "**" in part and part != "**":
            return "'**' stands for whole parts: write it between slashes (a/**/b, **/*.js)"
    return None


@lru_cache(maxsize=512)
def compiled(pattern: str) -> re.Pattern[str]:
    """``pattern`` as a regular expression matching whole paths."""
    out = []
    parts = pattern.split("/")
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part == "**":
            out.append(".*" if last else "(?:[^/]*/)*")
            continue
        out.append(_part(part) + ("" if last else "/"))
    return re.compile("".join(out), re.DOTALL)


def _part(part: str) -> str:
    out = []
    i = 0
    while i < len(part):
        char = part[i]
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = part.find("]", i + 1)
            body = part[i + 1 : end]
            negated = body.startswith("!")
            body = re.escape(body[1:] if negated else body).replace("\\-", "-")
            out.append(f"[{'^' if negated else ''}{body}]")
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def matches(pattern: str, path: str) -> bool:
    return compiled(pattern).fullmatch(path) is not None


def first(patterns: list[str], path: str) -> int | None:
    """The index of the first of ``patterns`` that matches ``path``."""
    return next((i for i, p in enumerate(patterns) if matches(p, path)), None)

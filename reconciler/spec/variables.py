"""``${var.NAME}`` and ``${env.NAME}`` in spec keys and values.

Variables come from the files' ``vars:`` (the same name in two files must agree), overridden by
``--var NAME=VALUE``; ``${env.NAME}`` reads the environment. A value that is exactly one
reference keeps the variable's type (``days: ${var.retention}`` stays a number); anywhere else the
value is spliced into the text. ``$${`` writes a literal ``${``. An undefined variable is an issue
at its own column, and the text is left as it was so later checks still run.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.errors import SourcePosition, SpecIssue

_REFERENCE = re.compile(r"\$\$\{|\$\{([^}]*)\}")
_NAME = re.compile(r"^(var|env)\.([A-Za-z_][A-Za-z0-9_-]*)$")


@dataclass(frozen=True)
class Variables:
    values: Mapping[str, Any]
    env: Mapping[str, str]


def _column_of(node: Any, offset: int, at: SourcePosition) -> SourcePosition:
    """The reference's own column where the scalar (a YAML scalar event or node) sits on one
    line, else the scalar's."""
    if node is None or node.start_mark.line != node.end_mark.line:
        return at
    quote = 1 if node.style in ("'", '"') else 0
    return at._replace(column=at.column + quote + offset)


def interpolate(
    text: str,
    *,
    variables: Variables,
    at: SourcePosition,
    path: str,
    issues: list[SpecIssue],
    node: Any = None,
) -> Any:
    """``text`` with its references replaced; issues for the ones that cannot be."""
    if "${" not in text:
        return text
    matches = list(_REFERENCE.finditer(text))
    whole = (
        len(matches) == 1 and matches[0].group(0) != "$${" and matches[0].span() == (0, len(text))
    )

    def lookup(match: re.Match[str]) -> Any:
        if match.group(0) == "$${":
            return "${"
        reference = match.group(1).strip()
        parsed = _NAME.match(reference)
        where = _column_of(node, match.start(), at)
        if parsed is None:
            issues.append(
                SpecIssue(
                    f"cannot read ${{{reference}}}: use ${{var.NAME}} or ${{env.NAME}}", path, where
                )
            )
            return match.group(0)
        kind, name = parsed.groups()
        if kind == "var":
            if name not in variables.values:
                known = ", ".join(sorted(variables.values)) or "none are defined"
                issues.append(
                    SpecIssue(f"undefined variable ${{var.{name}}} (known: {known})", path, where)
                )
                return match.group(0)
            return variables.values[name]
        if name not in variables.env:
            issues.append(
                SpecIssue(f"environment variable {name} is not set (${{env.{name}}})", path, where)
            )
            return match.group(0)
        return variables.env[name]

    if whole:
        return lookup(matches[0])
    return _REFERENCE.sub(lambda m: _text(lookup(m)), text)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_cli_vars(pairs: list[str]) -> tuple[dict[str, str], list[SpecIssue]]:
    """``--var NAME=VALUE`` options; a malformed one is an issue naming the option."""
    values: dict[str, str] = {}
    issues: list[SpecIssue] = []
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not re.match(r"^[A-Za-z_][A-Za-z0-9_-]*$", name):
            issues.append(SpecIssue(f"--var {pair!r}: give NAME=VALUE"))
            continue
        values[name] = value
    return values, issues

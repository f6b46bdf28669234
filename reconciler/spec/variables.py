"""``${var.NAME}``, ``${env.NAME}`` and ``${target.NAME}`` in spec keys and values.

Variables come from the files' ``vars:`` (the same name in two files must agree), overridden by
``--var NAME=VALUE``; ``${env.NAME}`` reads the environment. A variable may refer to others
(``name: app-${var.env}``): they are resolved in dependency order, and a cycle is an error. A value
that is exactly one reference keeps the variable's type (``days: ${var.retention}`` stays a
number); anywhere else the value is spliced into the text. ``$${`` writes a literal ``${``. An
undefined variable is an issue at its own column; a value using it, or using a variable that is
itself broken, is marked unreadable (`Unreadable`) so no later check reports it again.

``${target.NAME}`` is defined when the spec is loaded for one target of a fleet (``--targets
FILE``): ``account``, ``region``, ``account_name``, ``ou`` and the target's own variables. Loaded
on its own, the spec names no target, and a reference to one says how to give it.
"""

from __future__ import annotations

import contextlib
import difflib
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import Any

import yaml

from reconciler.errors import SourcePosition, SpecIssue
from reconciler.spec.source import Builder, Document, SourceMap, Unreadable

_REFERENCE = re.compile(r"\$\$\{|\$\{([^}]*)\}")
_NAME = re.compile(r"^(var|env|target)\.([A-Za-z_][A-Za-z0-9_-]*)$")
#: A ``${var.NAME}`` reference (not ``$${``, a literal), as a file's text holds it.
_USES = re.compile(r"(?<!\$)\$\{\s*var\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}")


@dataclass(frozen=True)
class Variables:
    values: Mapping[str, Any]
    env: Mapping[str, str]
    #: variables whose own value could not be resolved (already reported)
    broken: frozenset[str] = frozenset()
    #: the fleet target's values for ``${target.NAME}``; ``None`` when loaded for no target
    target: Mapping[str, Any] | None = None


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
                    f"cannot read ${{{reference}}}: use ${{var.NAME}}, ${{env.NAME}} or "
                    "${target.NAME}",
                    path,
                    where,
                )
            )
            return match.group(0)
        kind, name = parsed.groups()
        if kind == "var":
            if name in variables.broken:
                raise Unreadable(name)
            if name not in variables.values:
                known = ", ".join(sorted(variables.values)) or "none are defined"
                issues.append(
                    SpecIssue(f"undefined variable ${{var.{name}}} (known: {known})", path, where)
                )
                return match.group(0)
            return variables.values[name]
        if kind == "target":
            return _target_value(
                variables.target, name, path=path, where=where, issues=issues,
                written=match.group(0),
            )  # fmt: skip
        if name not in variables.env:
            issues.append(
                SpecIssue(f"environment variable {name} is not set (${{env.{name}}})", path, where)
            )
            return match.group(0)
        return variables.env[name]

    if whole:
        return lookup(matches[0])
    return _REFERENCE.sub(lambda m: _text(lookup(m)), text)


def _target_value(
    target: Mapping[str, Any] | None,
    name: str,
    *,
    path: str,
    where: SourcePosition,
    issues: list[SpecIssue],
    written: str,
) -> Any:
    if target is None:
        issues.append(
            SpecIssue(
                f"${{target.{name}}} names a fleet target, and none is given: run over a fleet "
                "with --targets FILE",
                path,
                where,
            )
        )
        return written
    if name not in target:
        known = ", ".join(sorted(target))
        message = f"the target has no variable {name!r} (${{target.{name}}}; known: {known})"
        issues.append(SpecIssue(message, path, where))
        return written
    return target[name]


class _Lookup(Mapping[str, Any]):
    """The variables as seen while resolving one of them: others resolve on demand."""

    def __init__(self, resolver: _Resolution, chain: tuple[str, ...]) -> None:
        self._resolver = resolver
        self._chain = chain

    def __getitem__(self, name: str) -> Any:
        return self._resolver.value(name, self._chain)

    def __contains__(self, name: object) -> bool:
        return name in self._resolver.fixed or name in self._resolver.raw

    def __iter__(self) -> Any:
        return iter({**self._resolver.raw, **self._resolver.fixed})

    def __len__(self) -> int:
        return len({**self._resolver.raw, **self._resolver.fixed})


class _Resolution:
    def __init__(
        self,
        raw: Mapping[str, Any],
        places: Mapping[str, tuple[SourcePosition, Any]],
        fixed: Mapping[str, Any],
        env: Mapping[str, str],
        issues: list[SpecIssue],
        *,
        target: Mapping[str, Any] | None = None,
    ) -> None:
        self.raw = raw
        self.target = target
        self.places = places
        self.fixed = fixed
        self.env = env
        self.issues = issues
        self.done: dict[str, Any] = dict(fixed)
        self.broken: set[str] = set()

    def value(self, name: str, chain: tuple[str, ...]) -> Any:
        if name in self.done:
            return self.done[name]
        if name in self.broken:
            raise Unreadable(name)
        text = self.raw[name]
        if name in chain:
            cycle = " -> ".join((*chain[chain.index(name) :], name))
            at, _ = self.places.get(name, (None, None))
            self.issues.append(
                SpecIssue(f"variables refer to each other in a cycle: {cycle}", f"vars.{name}", at)
            )
            return text
        if isinstance(text, str) and "${" in text:
            at, node = self.places[name]
            before = len(self.issues)
            try:
                text = interpolate(
                    text,
                    variables=Variables(
                        _Lookup(self, (*chain, name)), self.env, target=self.target
                    ),
                    at=at,
                    path=f"vars.{name}",
                    issues=self.issues,
                    node=node,
                )
            except Unreadable:
                self.broken.add(name)
                raise
            if len(self.issues) > before:
                self.broken.add(name)
                raise Unreadable(name)
        self.done[name] = text
        return text


def gather_variables(
    docs: Sequence[Document],
    cli_vars: Mapping[str, Any],
    env: Mapping[str, str],
    issues: list[SpecIssue],
    target: Mapping[str, Any] | None = None,
) -> Variables:
    """``vars:`` of every file as written, then resolved (they may use ``${var.*}``,
    ``${env.*}`` and ``${target.*}``), with ``--var`` values taking precedence."""
    raw: dict[str, Any] = {}
    where: dict[str, SourcePosition] = {}
    places: dict[str, tuple[SourcePosition, Any]] = {}
    for doc in docs:
        found = doc.top_level("vars")
        if found is None:
            continue
        scratch = SourceMap()
        texts: dict[str, tuple[SourcePosition, Any]] = {}

        def keep(
            text: str, at: SourcePosition, node: Any, path: str, texts: dict[str, Any] = texts
        ) -> Any:
            texts[path] = (at, node)  # resolved below, once every variable is known
            return text

        data = Builder(doc, scratch, issues, keep).build(found, ("vars",))
        if not isinstance(data, dict):
            continue  # the shape is reported by validation
        for name, value in data.items():
            at = scratch.keys.get(("vars", name)) or SourcePosition(doc.file, 1, 1)
            if name in raw and raw[name] != value:
                issues.append(
                    SpecIssue(
                        f"variable {name!r} is defined differently at {where[name]}", "vars", at
                    )
                )
                continue
            raw.setdefault(name, value)
            where.setdefault(name, at)
            if f"vars.{name}" in texts:
                places.setdefault(name, texts[f"vars.{name}"])
    return resolve_variables(
        raw, places=places, fixed=cli_vars, env=env, issues=issues, target=target
    )


def resolve_variables(
    raw: Mapping[str, Any],
    *,
    places: Mapping[str, tuple[SourcePosition, Any]],
    fixed: Mapping[str, Any],
    env: Mapping[str, str],
    issues: list[SpecIssue],
    target: Mapping[str, Any] | None = None,
) -> Variables:
    """Every variable's value: ``fixed`` (``--var``) as given, the others (``raw``, as written,
    with ``places`` saying where each text stands) with their references resolved. Those that
    cannot be resolved are reported and listed as broken. ``target`` holds the fleet target's
    values (``${target.NAME}``), when the spec is loaded for one."""
    resolution = _Resolution(raw, places, fixed, env, issues, target=target)
    for name in raw:
        with contextlib.suppress(Unreadable):  # reported once, where the variable is defined
            resolution.value(name, ())
    return Variables(resolution.done, env, frozenset(resolution.broken), target)


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


def parse_var_file(path: str) -> tuple[dict[str, Any], list[SpecIssue]]:
    """``--var-file FILE``: a YAML (or JSON) map of variable names to text, numbers or
    true/false; a problem is an issue naming the file."""
    try:
        text = FilePath(path).read_text(encoding="utf-8")
    except OSError as exc:
        return {}, [SpecIssue(f"--var-file {path}: cannot be read: {exc.strerror}")]
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        return {}, [SpecIssue(f"--var-file {path}{where}: not YAML or JSON")]
    if data is None:
        return {}, []
    if not isinstance(data, dict):
        return {}, [SpecIssue(f"--var-file {path}: must hold a map of NAME: VALUE")]
    values: dict[str, Any] = {}
    issues: list[SpecIssue] = []
    for name, value in data.items():
        if not isinstance(name, str) or not re.match(r"^[A-Za-z_][A-Za-z0-9_-]*$", name):
            issues.append(SpecIssue(f"--var-file {path}: {name!r} is not a variable name"))
        elif isinstance(value, dict | list) or value is None:
            issues.append(
                SpecIssue(
                    f"--var-file {path}: {name}: a variable's value must be text, a number "
                    "or true/false"
                )
            )
        else:
            values[name] = value
    return values, issues


def used_names(text: str) -> frozenset[str]:
    """The variables a file's text refers to."""
    return frozenset(_USES.findall(text)) if "${" in text else frozenset()


def unknown_variables(given: Iterable[str], known: Collection[str]) -> list[SpecIssue]:
    """``--var`` names that the spec neither declares (``vars:``) nor uses (``${var.NAME}``):
    a typo would otherwise be ignored, and the default planned."""
    issues = []
    for name in sorted(set(given) - set(known)):
        close = difflib.get_close_matches(name, sorted(known), n=1)
        if close:
            hint = f"; did you mean {close[0]}?"
        else:
            hint = f" (it has: {', '.join(sorted(known))})" if known else " (it has none)"
        issues.append(
            SpecIssue(f"--var {name}: the spec neither declares nor uses this variable{hint}")
        )
    return issues

"""YAML to plain data, remembering where every value came from.

PyYAML's safe loader would silently keep the last of two equal keys and forget positions. Here
the file is parsed to events (by libyaml when available) and built by hand: duplicate keys are
refused with both places named, anchors, aliases and ``<<`` merge keys work as usual, keys stay
strings (``on:`` is the key "on", not ``True``), and each value's position is recorded under
its path so any later error can point at the offending node.

Building from events rather than composed nodes skips PyYAML's node graph and its resolver for
every scalar: only plain (unquoted) values are typed, and only those whose first character can
start a number, a boolean, a null or a date. A 5,000-bucket spec reads several times faster.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from reconciler.errors import SourcePosition, SpecIssue
from reconciler.spec import yaml_events as events

Path = tuple[str | int, ...]
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def format_path(path: Path) -> str:
    """``buckets.acme-logs.lifecycle[0].expiration`` for a path tuple."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


@dataclass
class SourceMap:
    """Where each path's value (and the key naming it) stands in the files."""

    values: dict[Path, SourcePosition] = field(default_factory=dict)
    keys: dict[Path, SourcePosition] = field(default_factory=dict)
    #: paths whose value could not be read (reported once; no further checks on them)
    unreadable: set[Path] = field(default_factory=set)
    #: where copied values came from: a resource's path -> the defaults path it was copied from
    origins: dict[Path, Path] = field(default_factory=dict)

    def origin_of(self, path: Path) -> Path:
        """The path as the user wrote it: a value taken from defaults is named there."""
        for end in range(len(path), 0, -1):
            source = self.origins.get(path[:end])
            if source is not None:
                return source + path[end:]
        return path

    def at(self, path: Path) -> SourcePosition | None:
        """The value's position, or the nearest enclosing one that is known."""
        for end in range(len(path), -1, -1):
            found = self.values.get(path[:end])
            if found is not None:
                return found
        return None

    def key_at(self, path: Path) -> SourcePosition | None:
        """The position of the key naming ``path`` (for unknown or misplaced keys)."""
        return self.keys.get(path) or self.at(path)

    def absorb(self, other: SourceMap, *, skip: set[Path]) -> None:
        """Take a file's positions into the merged map (first file wins), leaving out the
        resources in ``skip`` (declared again, so reported and dropped). One pass: linear."""
        for mine, theirs in ((self.values, other.values), (self.keys, other.keys)):
            for path, where in theirs.items():
                if path[:2] not in skip:
                    mine.setdefault(path, where)
        self.unreadable.update(p for p in other.unreadable if p[:2] not in skip)

    def entries_under(self, root: Path) -> list[tuple[bool, Path, SourcePosition]]:
        """Every (is_key, path, position) at or below ``root``, to graft elsewhere."""
        found = [(False, p, w) for p, w in self.values.items() if p[: len(root)] == root]
        found += [(True, p, w) for p, w in self.keys.items() if p[: len(root)] == root]
        return found

    def graft(
        self, entries: list[tuple[bool, Path, SourcePosition]], source: Path, target: Path
    ) -> None:
        """Record that ``target``'s values come from ``source`` (defaults applied), taking the
        positions of ``entries`` (from `entries_under`) that lie below ``source``."""
        self.origins[target] = source
        for is_key, path, where in entries:
            if path[: len(source)] == source:
                table = self.keys if is_key else self.values
                table.setdefault(target + path[len(source) :], where)


class Unreadable(Exception):
    """Raised by a resolver for a value that cannot be read and was already reported (it uses a
    broken variable): the value is kept as written and marked unreadable."""


def position(file: str, mark: Any) -> SourcePosition:
    return SourcePosition(file, mark.line + 1, mark.column + 1)


#: Called for every string scalar (keys too) that holds ``${``, with its text, position, event
#: and path (as text); returns its value.
Resolver = Callable[[str, SourcePosition, Any, str], Any]

_STR = "tag:yaml.org,2002:str"
_IMPLICIT = yaml.SafeLoader.yaml_implicit_resolvers
MAX_DEPTH = 64
_START = (events.MappingStart, events.SequenceStart)
_COLLECTION_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "!")
_END = (events.MappingEnd, events.SequenceEnd)


def _implicit_tag(value: str) -> str:
    for tag, pattern in _IMPLICIT.get(value[:1] if value else "", ()):
        if pattern.match(value):
            return str(tag)
    return _STR


def _foreign_tag(event: events.Event) -> bool:
    """A collection with an explicit tag other than map/seq (``!!python/object``, ``!custom``)."""
    tag = event.tag
    return bool(tag) and not event.implicit and tag not in _COLLECTION_TAGS


class Document:
    """One file's events, with the index of its root value."""

    def __init__(self, file: str, found: list[events.Event], root: int) -> None:
        self.file = file
        self.events = found
        self.root = root

    @property
    def root_event(self) -> events.Event:
        return self.events[self.root]

    def skip(self, index: int) -> int:
        """The index just after the value that starts at ``index``."""
        depth = 0
        while True:
            event = self.events[index]
            index += 1
            if isinstance(event, _START):
                depth += 1
            elif isinstance(event, _END):
                depth -= 1
            if depth == 0:
                return index

    def top_level(self, key: str) -> int | None:
        """Where the value of a top-level ``key`` starts, if the root is a mapping holding it."""
        if not isinstance(self.root_event, events.MappingStart):
            return None
        index = self.root + 1
        while not isinstance(self.events[index], events.MappingEnd):
            event = self.events[index]
            if isinstance(event, events.Scalar) and event.value == key:
                return index + 1
            index = self.skip(self.skip(index))
        return None


def parse(text: str, file: str, issues: list[SpecIssue]) -> Document | None:
    """The file as events; a syntax error becomes an issue at its mark. ``None`` when the file
    holds no document (or a broken one)."""
    try:
        found = events.compact(yaml.parse(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        issues.append(_syntax_issue(exc, text, file))
        return None
    except yaml.YAMLError as exc:
        issues.append(SpecIssue(f"YAML error: {exc}", "", SourcePosition(file, 1, 1)))
        return None
    starts = [i for i, e in enumerate(found) if isinstance(e, events.DocumentStart)]
    if not starts:
        return None
    if len(starts) > 1:
        second = found[starts[1]]
        issues.append(
            SpecIssue(
                "a spec file holds one YAML document; split the others into files of their own",
                "",
                position(file, second.start_mark),
            )
        )
    return Document(file, found, starts[0] + 1)


def _syntax_issue(exc: yaml.MarkedYAMLError, text: str, file: str) -> SpecIssue:
    mark = exc.problem_mark or exc.context_mark
    where = position(file, mark) if mark is not None else SourcePosition(file, 1, 1)
    problem = exc.problem or exc.context or "invalid YAML"
    if exc.context and exc.problem:
        started = exc.context_mark
        if started is not None and mark is not None and started.line != mark.line:
            opened = position(file, started)
            problem = f"{exc.context} (from {opened.line}:{opened.column}), {exc.problem}"
        else:
            problem = f"{exc.context}, {exc.problem}"
    lines = text.splitlines()
    line = lines[where.line - 1] if 0 < where.line <= len(lines) else ""
    if line[where.column - 1 : where.column] == "\t":
        problem = "found a tab, which cannot start any token: YAML indents with spaces, never tabs"
    if "${" in line and ("{" in line.replace("${", "") or "[" in line):
        problem += "; inside [...] or {...}, quote values that hold ${...}"
    return SpecIssue(f"YAML syntax error: {problem}", "", where)


class Builder:
    """Builds one document's data from its events, filling a `SourceMap` and an issue list."""

    def __init__(
        self, document: Document, source_map: SourceMap, issues: list[SpecIssue], resolve: Resolver
    ) -> None:
        self.doc = document
        self.file = document.file
        self.map = source_map
        self.issues = issues
        self.resolve = resolve
        self.anchors: dict[str, Any] = {}

    def build(self, index: int, path: Path) -> Any:
        """The value that starts at event ``index`` (``path`` says how deep it stands)."""
        value, _ = self._value(index, path, len(path))
        return value

    def _value(self, index: int, path: Path, depth: int) -> tuple[Any, int]:
        event = self.doc.events[index]
        self.map.values.setdefault(path, position(self.file, event.start_mark))
        if isinstance(event, events.Alias):
            if event.anchor not in self.anchors:
                self._issue(event, f"unknown alias *{event.anchor}", path)
                return None, index + 1
            return self.anchors[event.anchor], index + 1
        if depth > MAX_DEPTH:
            self._issue(event, f"nested more than {MAX_DEPTH} levels deep", path)
            return None, self.doc.skip(index)
        if isinstance(event, events.Scalar):
            value: Any = self._scalar(event, path)
            end = index + 1
        elif _foreign_tag(event):
            self._issue(
                event, f"the tag {getattr(event, 'tag', '')} is not allowed in a spec", path
            )
            self.map.unreadable.add(path)
            return None, self.doc.skip(index)
        elif isinstance(event, events.SequenceStart):
            value, end = self._sequence(index, path, depth)
        else:
            value, end = self._mapping(index, path, depth)
        anchor = event.anchor
        if anchor:
            self.anchors[anchor] = value
        return value, end

    def _sequence(self, index: int, path: Path, depth: int) -> tuple[list[Any], int]:
        items: list[Any] = []
        index += 1
        while not isinstance(self.doc.events[index], events.SequenceEnd):
            item, index = self._value(index, (*path, len(items)), depth + 1)
            items.append(item)
        return items, index + 1

    def _mapping(self, index: int, path: Path, depth: int) -> tuple[dict[str, Any], int]:
        result: dict[str, Any] = {}
        seen: dict[str, SourcePosition] = {}
        merges: list[Any] = []
        index += 1
        while not isinstance(self.doc.events[index], events.MappingEnd):
            key_event = self.doc.events[index]
            if not isinstance(key_event, events.Scalar):
                self._issue(key_event, "a key must be a plain value, not a list or mapping", path)
                index = self.doc.skip(self.doc.skip(index))
                continue
            if key_event.value == "<<" and key_event.implicit[0]:  # a plain <<, not "<<"
                merged, index = self._value(index + 1, (*path, "<<"), depth + 1)
                merges.extend(merged if isinstance(merged, list) else [merged])
                continue
            key_position = position(self.file, key_event.start_mark)
            key = str(self._resolved(key_event.value, key_event, key_position, path, ()))
            if () in self.map.unreadable:
                self.map.unreadable.discard(())
                self.map.unreadable.add((*path, key))
            if key in seen:
                self.issues.append(
                    SpecIssue(
                        f"duplicate key {key!r} (first at {seen[key]})",
                        format_path(path),
                        key_position,
                    )
                )
                index = self.doc.skip(index + 1)
                continue
            seen[key] = key_position
            self.map.keys.setdefault((*path, key), key_position)
            result[key], index = self._value(index + 1, (*path, key), depth + 1)
        for source in merges:
            if isinstance(source, dict):
                for key, value in source.items():
                    result.setdefault(key, value)  # own keys, then earlier merges, win
            else:
                where = self.map.values.get((*path, "<<"))
                self.issues.append(
                    SpecIssue(
                        "a << merge takes a mapping or a list of mappings", format_path(path), where
                    )
                )
        return result, index + 1

    def _scalar(self, event: events.Event, path: Path) -> Any:
        value = event.value
        tag = event.tag
        if tag in (None, "!"):
            tag = _implicit_tag(value) if event.implicit[0] else _STR
        if tag == _STR:
            where = position(self.file, event.start_mark)
            return self._resolved(value, event, where, path, path)
        node = yaml.ScalarNode(tag, value, style=event.style)
        try:
            return yaml.constructor.SafeConstructor().construct_object(node)
        except (ValueError, yaml.YAMLError) as exc:
            # impossible dates (2030-02-30), unknown or unsafe tags (!foo, !!python/...)
            reason = getattr(exc, "problem", None) or str(exc)
            kind = "a date" if tag.endswith(":timestamp") else f"a {tag} value"
            self._issue(event, f"cannot read {value!r} as {kind}: {reason}", path)
            self.map.unreadable.add(path)
            return value

    def _resolved(
        self, text: str, event: Any, where: SourcePosition, path: Path, owner: Path
    ) -> Any:
        """Resolve a string's references; if that raised issues, ``owner`` is unreadable."""
        if "${" not in text:
            return text  # the common case: nothing to resolve
        before = len(self.issues)
        try:
            value = self.resolve(text, where, event, format_path(path))
        except Unreadable:
            self.map.unreadable.add(owner)
            return text
        if len(self.issues) > before:
            self.map.unreadable.add(owner)
        return value

    def _issue(self, event: Any, message: str, path: Path = ()) -> None:
        self.issues.append(
            SpecIssue(message, format_path(path), position(self.file, event.start_mark))
        )

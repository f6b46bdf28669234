"""YAML to plain data, remembering where every value came from.

PyYAML's safe loader would silently keep the last of two equal keys and forget positions. Here
the document is composed to nodes (libyaml when available) and walked by hand: duplicate keys
are refused with both places named, anchors, aliases and ``<<`` merge keys work as usual, keys
stay strings (``on:`` is the key "on", not ``True``), and each value's position is recorded
under its path so any later error can point at the offending node.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from reconciler.errors import SourcePosition, SpecIssue

Path = tuple[str | int, ...]
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE_TAG = "tag:yaml.org,2002:merge"
_SCALARS = yaml.constructor.SafeConstructor()


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

    def copy_subtree_from(self, other: SourceMap, root: Path) -> None:
        """Take ``other``'s positions at and below ``root`` (a file's part of a merged spec)."""
        for mine, theirs in ((self.values, other.values), (self.keys, other.keys)):
            for path, where in theirs.items():
                if path[: len(root)] == root:
                    mine.setdefault(path, where)
        self.unreadable.update(p for p in other.unreadable if p[: len(root)] == root)

    def copy_subtree(self, source: Path, target: Path) -> None:
        """Record that ``target``'s values come from ``source`` (defaults applied)."""
        self.origins[target] = source
        for table in (self.values, self.keys):
            for path, position in list(table.items()):
                if path[: len(source)] == source:
                    table.setdefault(target + path[len(source) :], position)


def position(file: str, mark: Any) -> SourcePosition:
    return SourcePosition(file, mark.line + 1, mark.column + 1)


#: Called for every string scalar (keys too) with its text, position, node and path (as text);
#: returns its value.
Resolver = Callable[[str, SourcePosition, yaml.ScalarNode, str], Any]


class Builder:
    """Walks one file's node graph into data, filling a shared `SourceMap` and issue list."""

    def __init__(
        self, file: str, source_map: SourceMap, issues: list[SpecIssue], resolve: Resolver
    ) -> None:
        self.file = file
        self.map = source_map
        self.issues = issues
        self.resolve = resolve

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.map.values.setdefault(path, position(self.file, node.start_mark))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return self._scalar(node, path)

    def _scalar(self, node: yaml.ScalarNode, path: Path) -> Any:
        try:
            value = _SCALARS.construct_object(node)
        except (ValueError, yaml.YAMLError) as exc:
            # impossible dates (2030-02-30), unknown or unsafe tags (!foo, !!python/...)
            reason = getattr(exc, "problem", None) or str(exc)
            kind = "a date" if node.tag.endswith(":timestamp") else f"a {node.tag} value"
            self._issue(node, f"cannot read {node.value!r} as {kind}: {reason}", path)
            self.map.unreadable.add(path)
            return node.value
        if isinstance(value, str):
            where = position(self.file, node.start_mark)
            return self._resolved(value, where, node, path, path)
        return value

    def _resolved(
        self, text: str, where: SourcePosition, node: yaml.ScalarNode, path: Path, owner: Path
    ) -> Any:
        """Resolve a string; if that raised issues, ``owner`` is marked unreadable."""
        before = len(self.issues)
        value = self.resolve(text, where, node, format_path(path))
        if len(self.issues) > before:
            self.map.unreadable.add(owner)
        return value

    def _pairs(self, node: yaml.MappingNode) -> list[tuple[yaml.Node, yaml.Node]]:
        """The node's own pairs first, then those of ``<<`` merges (own keys win)."""
        own: list[tuple[yaml.Node, yaml.Node]] = []
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        for key, value in node.value:
            if key.tag == _MERGE_TAG:
                sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
                for source in sources:
                    if isinstance(source, yaml.MappingNode):
                        merged.extend(self._pairs(source))
                    else:
                        self._issue(source, "a << merge takes a mapping or a list of mappings")
            else:
                own.append((key, value))
        names = {k.value for k, _ in own if isinstance(k, yaml.ScalarNode)}
        return own + [(k, v) for k, v in merged if k.value not in names]

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        seen: dict[str, SourcePosition] = {}
        own_keys = {id(k) for k, _ in node.value}
        for key_node, value_node in self._pairs(node):
            if not isinstance(key_node, yaml.ScalarNode):
                self._issue(key_node, "a key must be a plain value, not a list or mapping", path)
                continue
            key_position = position(self.file, key_node.start_mark)
            key = str(self._resolved(key_node.value, key_position, key_node, path, ()))
            if () in self.map.unreadable:
                self.map.unreadable.discard(())
                self.map.unreadable.add((*path, key))
            if key in seen:
                if id(key_node) in own_keys:  # a merged key never overrides: not an error
                    self.issues.append(
                        SpecIssue(
                            f"duplicate key {key!r} (first at {seen[key]})",
                            format_path(path),
                            key_position,
                        )
                    )
                continue
            seen[key] = key_position
            self.map.keys.setdefault((*path, key), key_position)
            result[key] = self.build(value_node, (*path, key))
        return result

    def _issue(self, node: yaml.Node, message: str, path: Path = ()) -> None:
        self.issues.append(
            SpecIssue(message, format_path(path), position(self.file, node.start_mark))
        )


def compose(text: str, file: str, issues: list[SpecIssue]) -> yaml.Node | None:
    """The file's single document as nodes; a syntax error becomes an issue at its mark."""
    try:
        loader = _Loader(text)
        try:
            return loader.get_single_node()  # type: ignore[no-any-return]
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
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
        issues.append(SpecIssue(f"YAML syntax error: {problem}", "", where))
    except yaml.YAMLError as exc:
        issues.append(SpecIssue(f"YAML error: {exc}", "", SourcePosition(file, 1, 1)))
    return None

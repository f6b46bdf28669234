"""YAML events kept small, for building a spec with positions (`source`).

A spec is built from its whole list of events (the builder looks ahead and skips), so they are
all held at once: 600,000 for a 10,000-bucket spec. PyYAML's events each carry two ``Mark``
objects with dictionaries of their own, about 0.5 GB for such a spec
(`bench/bench_plan_latency.py` reports the peak); these keep only what the builder reads, in
slots: the value, tag, implicit flags, anchor and style, and where the event starts and ends.
``start_mark`` is the event itself (``line`` and ``column``, 0-based, as PyYAML's marks).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

import yaml


class Mark(NamedTuple):
    line: int
    column: int


class Event:
    __slots__ = ("anchor", "column", "end_column", "end_line", "implicit", "line", "style",
                 "tag", "value")  # fmt: skip

    def __init__(
        self,
        start: Any,
        end: Any,
        *,
        value: str = "",
        tag: str | None = None,
        implicit: Any = True,
        anchor: str | None = None,
        style: str | None = None,
    ) -> None:
        self.line, self.column = start.line, start.column
        self.end_line, self.end_column = end.line, end.column
        self.value = value
        self.tag = tag
        self.implicit = implicit
        self.anchor = anchor
        self.style = style

    @property
    def start_mark(self) -> Event:
        return self

    @property
    def end_mark(self) -> Mark:
        return Mark(self.end_line, self.end_column)


class Scalar(Event):
    __slots__ = ()


class MappingStart(Event):
    __slots__ = ()


class MappingEnd(Event):
    __slots__ = ()


class SequenceStart(Event):
    __slots__ = ()


class SequenceEnd(Event):
    __slots__ = ()


class Alias(Event):
    __slots__ = ()


class DocumentStart(Event):
    __slots__ = ()


def _scalar(e: Any) -> Event:
    return Scalar(e.start_mark, e.end_mark, value=e.value, tag=e.tag, implicit=e.implicit,
                  anchor=e.anchor, style=e.style)  # fmt: skip


def _collection(kind: type[Event]) -> Callable[[Any], Event]:
    def convert(e: Any) -> Event:
        return kind(e.start_mark, e.end_mark, tag=e.tag, implicit=e.implicit, anchor=e.anchor)

    return convert


def _plain(kind: type[Event]) -> Callable[[Any], Event]:
    return lambda e: kind(e.start_mark, e.end_mark)


_CONVERT: dict[type, Callable[[Any], Event]] = {
    yaml.ScalarEvent: _scalar,
    yaml.MappingStartEvent: _collection(MappingStart),
    yaml.SequenceStartEvent: _collection(SequenceStart),
    yaml.MappingEndEvent: _plain(MappingEnd),
    yaml.SequenceEndEvent: _plain(SequenceEnd),
    yaml.AliasEvent: lambda e: Alias(e.start_mark, e.end_mark, anchor=e.anchor),
    yaml.DocumentStartEvent: _plain(DocumentStart),
}
_OTHER = _plain(Event)  # stream start and end, document end


def compact(events: Iterable[yaml.Event]) -> list[Event]:
    """The events, each kept small (PyYAML's own are dropped as they come)."""
    convert = _CONVERT.get
    return [convert(type(e), _OTHER)(e) for e in events]

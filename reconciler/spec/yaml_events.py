"""YAML events kept small, for building a spec with positions (`source`).

A spec is built from its whole list of events (the builder looks ahead and skips), so they are
all held at once: 600,000 for a 10,000-bucket spec. PyYAML's events each carry two ``Mark``
objects with dictionaries of their own, about 0.5 GB for such a spec
(`bench/bench_plan_latency.py` reports the peak); these keep only what the builder reads, in
slots: the value, tag, implicit flags, anchor and style, and where the event starts and ends.
``start_mark`` is the event itself (``line`` and ``column``, 0-based, as PyYAML's marks).

Aliases are bounded as the events come: the builder shares an anchor's value rather than
copying it, but what reads the spec afterwards (validation, the plan) walks the value once per
alias, so ten aliases of ten aliases of ... grow tenfold per level (an 850-byte spec of seven
levels stands for tens of millions of nodes). The nodes a spec stands for, aliases expanded,
may be at most `EXPANSION` times the nodes it is written with (and `MIN_EXPANDED` in any case),
never more than `MAX_EXPANDED`, counted over the events (only where there are aliases); past
that the alias that goes over is a syntax error at its position, before anything is built.
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


#: How many times more nodes a spec may stand for, its aliases expanded, than it is written with.
EXPANSION = 10
#: Aliases may always expand to this many nodes (a small spec may share a block many times).
MIN_EXPANDED = 100_000
#: And never to more than this many.
MAX_EXPANDED = 5_000_000


def compact(events: Iterable[yaml.Event]) -> list[Event]:
    """The events, each kept small (PyYAML's own are dropped as they come), aliases bounded."""
    convert = _CONVERT.get
    found = [convert(type(e), _OTHER)(e) for e in events]
    if any(type(e) is Alias for e in found):
        _bound_aliases(found)
    return found


def _bound_aliases(found: list[Event]) -> None:
    """Count the nodes ``found`` stands for, its aliases expanded, and refuse the alias that
    takes them past the bound. (Aliases are not expanded to count them: the events are held
    once, whatever the aliases stand for.)"""
    extra = 0  # nodes the aliases so far stand for beyond themselves
    sizes: dict[str | None, int] = {}  # an anchor's nodes, its aliases expanded
    open_: list[tuple[str | None, int]] = []  # collections under way: anchor, count at start
    for index, e in enumerate(found, 1):
        kind = type(e)
        if kind is Scalar:
            if e.anchor:
                sizes[e.anchor] = 1
        elif kind is MappingStart or kind is SequenceStart:
            open_.append((e.anchor, index + extra))
        elif kind is MappingEnd or kind is SequenceEnd:
            anchor, start = open_.pop()
            if anchor:
                sizes[anchor] = index + extra - start
        elif kind is Alias:
            extra += sizes.get(e.anchor, 1) - 1
            bound = min(max(EXPANSION * index, MIN_EXPANDED), MAX_EXPANDED)
            if index + extra > bound:
                raise _too_many(e, bound)


def _too_many(alias: Event, bound: int) -> yaml.MarkedYAMLError:
    mark = yaml.Mark("<spec>", 0, alias.line, alias.column, None, 0)
    return yaml.MarkedYAMLError(
        problem=(
            f"this alias makes the spec stand for more than {bound:,} nodes (aliases "
            f"expanded: at most {EXPANSION} times the nodes written, and {MAX_EXPANDED:,} "
            "in all): write the repeated part once, or fewer times"
        ),
        problem_mark=mark,
    )

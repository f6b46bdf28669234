"""Order across resources: what must happen before what, and what ``--target`` takes in.

A bucket that logs into another declared bucket depends on it (the target, with its
log-delivery permission, must exist first). Deletes come after every other change, and a bucket
is deleted only after the buckets that log into it stopped doing so. Within those rules changes
are listed by address, so the same inputs always give the same plan.
"""

from __future__ import annotations

from dataclasses import replace

from reconciler.live.model import LiveState
from reconciler.plan.model import Action, ResourceChange
from reconciler.spec.model import Spec


def _name(address: str) -> str:
    return address.split(".", 1)[1]


def logging_target(spec: Spec, name: str) -> str | None:
    bucket = spec.buckets.get(name)
    if bucket is None or not bucket.logging:
        return None
    return bucket.logging.target_bucket


def scope(spec: Spec, targets: frozenset[str]) -> frozenset[str] | None:
    """The bucket names a targeted plan covers: the targets and, transitively, the declared
    buckets they log into. ``None`` when there is no target (everything)."""
    if not targets:
        return None
    names: set[str] = set()
    pending = [_name(t) for t in targets]
    while pending:
        name = pending.pop()
        if name in names:
            continue
        names.add(name)
        target = logging_target(spec, name)
        if target is not None and target in spec.buckets:
            pending.append(target)
    return frozenset(names)


def _edges(changes: list[ResourceChange], spec: Spec, live: LiveState) -> dict[str, set[str]]:
    by_name = {c.name: c for c in changes}
    deleted = {c.name for c in changes if c.action is Action.DELETE}
    edges: dict[str, set[str]] = {c.address: set() for c in changes}
    for change in changes:
        if change.action is Action.DELETE:
            continue
        target = logging_target(spec, change.name)
        if target and target in by_name and target not in deleted and target != change.name:
            edges[change.address].add(by_name[target].address)
    for name in deleted:
        # A delete waits for the buckets that log into it now to stop doing so.
        edges[by_name[name].address] |= {
            c.address
            for c in changes
            if c.action is not Action.DELETE and _logs_into(c, name, live)
        }
    return edges


def _logs_into(change: ResourceChange, name: str, live: LiveState) -> bool:
    live_bucket = live.buckets.get(change.name)
    old = live_bucket.aspects.get("logging") if live_bucket else None
    return getattr(old, "target_bucket", None) == name


def order_changes(
    changes: list[ResourceChange], *, spec: Spec, live: LiveState
) -> tuple[ResourceChange, ...]:
    """The changes with their ``depends_on`` filled in, in an order that respects it: creates,
    updates and adoptions first, deletes last."""
    edges = _edges(changes, spec, live)
    by_address = {c.address: c for c in changes}
    ordered: list[ResourceChange] = []
    done: set[str] = set()
    for phase in (False, True):
        pending = sorted(a for a, c in by_address.items() if (c.action is Action.DELETE) is phase)
        while pending:
            ready = [a for a in pending if edges[a] <= done]
            if not ready:  # a cycle (two buckets logging into each other): keep name order
                ready = pending[:1]
            for addr in ready:
                depends = sorted(edges[addr] & done)
                ordered.append(replace(by_address[addr], depends_on=tuple(depends)))
                done.add(addr)
            pending = [a for a in pending if a not in done]
    return tuple(ordered)

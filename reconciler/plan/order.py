"""Order across resources: what must happen before what.

A resource is written after the declared resources it refers to (`Declaration.references`: a
bucket after the bucket it logs into, a distribution after its origin and logging buckets);
deletes come after every other change, and a resource is deleted only after the resources that
use it now (as each kind tells from the live state: the buckets that log into it, the
distributions that serve it) changed or are gone. Within those rules changes are listed by
address, so the same inputs always give the same plan. Pure.
"""

from __future__ import annotations

from dataclasses import replace

from reconciler.kinds.registry import declaration, kind
from reconciler.live.model import LiveState
from reconciler.plan.model import Action, ResourceChange
from reconciler.spec.model import Spec


def _edges(changes: list[ResourceChange], spec: Spec, live: LiveState) -> dict[str, set[str]]:
    by_address = {c.address: c for c in changes}
    deleted = {a for a, c in by_address.items() if c.action is Action.DELETE}
    edges: dict[str, set[str]] = {a: set() for a in by_address}
    for change in changes:
        if change.action is Action.DELETE:
            continue
        declared = declaration(change.kind)
        resource = declared.resources(spec).get(change.name)
        if resource is None:
            continue
        for ref in declared.references(spec, change.name, resource):
            target = str(ref.address)
            if ref.ordered and target in by_address and target not in deleted:
                edges[change.address].add(target)
    for change in changes:
        # A delete waits for what uses it now to stop doing so (or to go).
        for used in kind(change.kind).uses_now(change, live):
            target = str(used)
            if target in deleted and target != change.address:
                edges[target].add(change.address)
    return edges


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

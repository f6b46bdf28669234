"""Order across resources: what must happen before what, and what ``--target`` takes in.

A bucket that logs into another declared bucket depends on it (the target, with its
log-delivery permission, must exist first); a distribution depends on its origin buckets and its
logging bucket. Deletes come after every other change, and a bucket is deleted only after the
buckets that log into it stopped doing so and the distributions that use it (as an origin or for
logs) changed or are gone. Within those rules changes are listed by address, so the same inputs
always give the same plan.
"""

from __future__ import annotations

import difflib
from dataclasses import replace

from reconciler.aspects import registry as aspects
from reconciler.live.model import LiveState
from reconciler.plan.model import Action, ResourceChange
from reconciler.spec.model import Spec


def _name(address: str) -> str:
    return address.split(".", 1)[1]


def bucket_references(spec: Spec, name: str) -> set[str]:
    """The other buckets a declared bucket's aspects refer to (its logging target, ...)."""
    bucket = spec.buckets.get(name)
    if bucket is None:
        return set()
    return references(bucket) - {name}


def references(bucket: object) -> set[str]:
    """The buckets the aspects of ``bucket`` (a spec bucket, or a live one's aspects) name."""
    values = bucket if isinstance(bucket, dict) else {k: getattr(bucket, k) for k in aspects.ORDER}
    return {
        target
        for unit in aspects.ASPECTS
        if values.get(unit.key)
        for target in unit.references(values[unit.key])
    }


def distribution_buckets(spec: Spec, name: str) -> set[str]:
    """The buckets a declared distribution uses: its S3 origins and its logging bucket."""
    dist = spec.distributions.get(name)
    if dist is None or dist.state == "absent":
        return set()
    used = {o.bucket for o in dist.origins or [] if o.bucket}
    if dist.logging:
        used.add(dist.logging.bucket)
    return used


def _live_distribution_buckets(live: LiveState, distribution_id: str | None) -> set[str]:
    found = next((d for d in live.distributions or () if d.id == distribution_id), None)
    if found is None or not found.fields:
        return set()
    used = {o["bucket"] for o in found.fields.get("origins") or [] if o.get("bucket")}
    if found.fields.get("logging"):
        used.add(found.fields["logging"]["bucket"])
    return used


def distribution_scope(spec: Spec, targets: frozenset[str]) -> frozenset[str] | None:
    """The distribution names a targeted plan covers; ``None`` when there is no target."""
    if not targets:
        return None
    return frozenset(_name(t) for t in targets if t.startswith("distribution."))


def undeclared_targets(spec: Spec, targets: frozenset[str]) -> dict[str, str]:
    """The targets that name no resource the spec declares, each with why (known before any
    read: a bucket the stack owns and no longer declares is targeted by declaring it
    ``state: absent``)."""
    declared = [f"bucket.{n}" for n in spec.buckets]
    declared += [f"distribution.{n}" for n in spec.distributions]
    found = {}
    for target in sorted(targets - set(declared)):
        close = difflib.get_close_matches(target, sorted(declared), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        found[target] = f"--target names no resource this spec declares{hint}"
    return found


def reads_distributions(spec: Spec, targets: frozenset[str]) -> bool:
    """Whether a plan of ``spec`` limited to ``targets`` involves distributions: only when the
    spec manages them and the targets name one (a bucket depends on no distribution), so that
    a targeted bucket plan needs no CloudFront permission."""
    covered = distribution_scope(spec, targets)
    return spec.manages_distributions and (covered is None or bool(covered))


def scope(spec: Spec, targets: frozenset[str]) -> frozenset[str] | None:
    """The bucket names a targeted plan covers: the targeted buckets, the buckets targeted
    distributions use and, transitively, the declared buckets they log into. ``None`` when there
    is no target (everything)."""
    if not targets:
        return None
    names: set[str] = set()
    pending = [_name(t) for t in targets if t.startswith("bucket.")]
    for wanted in targets:
        if wanted.startswith("distribution."):
            pending += sorted(
                b for b in distribution_buckets(spec, _name(wanted)) if b in spec.buckets
            )
    while pending:
        name = pending.pop()
        if name in names:
            continue
        names.add(name)
        pending += sorted(t for t in bucket_references(spec, name) if t in spec.buckets)
    return frozenset(names)


def _edges(changes: list[ResourceChange], spec: Spec, live: LiveState) -> dict[str, set[str]]:
    buckets = {c.name: c for c in changes if c.kind == "bucket"}
    deleted = {c.name for c in buckets.values() if c.action is Action.DELETE}
    edges: dict[str, set[str]] = {c.address: set() for c in changes}
    for change in changes:
        if change.action is Action.DELETE:
            continue
        if change.kind == "distribution":
            uses = distribution_buckets(spec, change.name)
        else:
            uses = bucket_references(spec, change.name)
        edges[change.address] |= {
            buckets[b].address for b in uses if b in buckets and b not in deleted
        }
    for name in deleted:
        # A delete waits for the buckets that log into it now to stop doing so, and for the
        # distributions that use it now to change or go.
        edges[buckets[name].address] |= {
            c.address
            for c in changes
            if (c.kind == "bucket" and c.action is not Action.DELETE and _refers_to(c, name, live))
            or (c.kind == "distribution" and name in _live_distribution_buckets(live, c.id))
        }
    return edges


def _refers_to(change: ResourceChange, name: str, live: LiveState) -> bool:
    """Whether a bucket's live configuration refers to ``name`` now (logs into it, ...)."""
    live_bucket = live.buckets.get(change.name)
    return live_bucket is not None and name in references(live_bucket.aspects)


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

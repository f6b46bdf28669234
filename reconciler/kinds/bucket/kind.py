"""The bucket kind, whole: its declaration and how it is read, planned, ordered, written,
re-checked and reported (`reconciler.kinds.base.ResourceKind`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from reconciler.address import Address
from reconciler.iam_policy import Command
from reconciler.importing import Documents
from reconciler.kinds.base import (
    ApplyContext,
    Clients,
    DriftFinding,
    KindDefaults,
    KindPlan,
    PlanContext,
    ReadContext,
    Runner,
    Step,
    Unmanaged,
)
from reconciler.kinds.bucket import importing, permissions, steps
from reconciler.kinds.bucket.aspects import registry as aspects
from reconciler.kinds.bucket.declaration import DECLARATION
from reconciler.kinds.bucket.declared import buckets
from reconciler.kinds.bucket.live import BucketLive, bucket_live
from reconciler.kinds.bucket.plan import fingerprint, plan_buckets
from reconciler.kinds.bucket.read import BucketRequest, read_buckets
from reconciler.kinds.bucket.references import declared_reads
from reconciler.kinds.declaration import Declaration
from reconciler.live.model import LiveState
from reconciler.plan.model import Action, ResourceChange, moved
from reconciler.spec.common import spec_json
from reconciler.spec.model import Spec

#: Parts of a bucket's fingerprint that are not aspects.
_STATE_PARTS = frozenset({"existence", "emptiness", "tags"})


def referred(values: Mapping[str, Any]) -> set[str]:
    """The buckets a bucket's aspect values (as declared, or as read) name."""
    return {
        target
        for unit in aspects.ASPECTS
        if values.get(unit.key)
        for target in unit.references(values[unit.key])
    }


def request(context: ReadContext) -> BucketRequest:
    """What a plan of ``context`` reads of buckets."""
    spec, covered = context.spec, context.covered
    declared_buckets = buckets(spec)
    named = {
        name: frozenset(a for a in aspects.declared(bucket) if a != aspects.TAGS.key)
        for name, bucket in declared_buckets.items()
        if covered is None or name in covered
    }
    every = frozenset(aspects.DECLARABLE)
    declared = {n: every if context.every_part else a for n, a in named.items()}
    for name, reads in declared_reads(spec, declared).items():
        if name in declared:  # what checking a reference to it needs, left out of its spec
            declared[name] |= reads
    return BucketRequest(
        stack=spec.stack,
        declared=declared,
        deletable=frozenset(n for n in declared if declared_buckets[n].state == "absent"),
        prune=True,
        only_undeclared=covered,
        referenced=dict(context.referenced),
        optional={n: declared[n] - a for n, a in named.items()},
    )


class BucketKind(KindDefaults):
    @property
    def declaration(self) -> Declaration:
        return DECLARATION

    def read(self, clients: Clients, context: ReadContext, run: Runner) -> BucketLive:
        return read_buckets(clients.s3, request(context), run, parallelism=context.parallelism)

    def plan(self, context: PlanContext) -> KindPlan:
        return plan_buckets(context)

    def uses_now(self, change: ResourceChange, live: LiveState) -> set[Address]:
        """The buckets the bucket logs (replicates, reports...) into now; a bucket being
        deleted stops doing so with it."""
        if change.action is Action.DELETE:
            return set()
        found = bucket_live(live).buckets.get(change.name)
        return {DECLARATION.address(t) for t in referred(found.aspects)} if found else set()

    def steps(self, change: ResourceChange, context: ApplyContext) -> list[Step]:
        return steps.steps(change, context)

    def moved_parts(self, change: ResourceChange, live: LiveState, stack: str) -> list[str] | None:
        found = bucket_live(live).buckets.get(change.name)
        if found is None:
            return None
        if found.failures:
            return ["the read failed now: " + "; ".join(found.failures)]
        parts = [name for name, _ in change.fingerprints if name not in _STATE_PARTS]
        unread = frozenset({"emptiness"}) if found.empty is None else frozenset()
        return moved(change, fingerprint(found, parts), unread=unread)

    def unreadable(self, live: LiveState) -> dict[str, str]:
        return {
            name: "; ".join(bucket.failures)
            for name, bucket in sorted(bucket_live(live).buckets.items())
            if bucket.failures
        }

    def unmanaged(self, live: LiveState, adopted: frozenset[str]) -> Iterator[Unmanaged]:
        for name in bucket_live(live).unowned:
            yield Unmanaged(name, "not declared, no stack owns it")

    def unmanaged_parts(self, spec: Spec, live: LiveState, name: str) -> Iterator[DriftFinding]:
        """The aspects of declared bucket ``name`` that the spec leaves out and that are set."""
        found = bucket_live(live).buckets.get(name)
        if found is None or not found.exists:
            return
        declared = buckets(spec)[name]
        for aspect in aspects.DECLARABLE:
            if (
                getattr(declared, aspect) is None
                and aspect in found.aspects
                and not aspects.never_configured(aspect, found.aspects[aspect], found.owner_id)
            ):
                yield DriftFinding(aspect, spec_json(found.aspects[aspect]))

    def import_unmanaged(
        self, clients: Clients, run: Runner, *, stack: str, parallelism: int
    ) -> list[str]:
        return importing.unmanaged(clients, run, stack=stack, parallelism=parallelism)

    def import_read(
        self, clients: Clients, run: Runner, names: list[str], *, stack: str, parallelism: int
    ) -> Any:
        return importing.read(clients, run, names, stack=stack, parallelism=parallelism)

    def import_documents(self, live: LiveState, stack: str, names: list[str]) -> Documents:
        return importing.documents(live, stack)

    def statements(self, spec: Spec, command: Command) -> list[dict[str, Any]]:
        return permissions.statements(spec, command)


KIND = BucketKind()

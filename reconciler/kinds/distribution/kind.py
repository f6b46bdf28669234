"""The distribution kind, whole: its declaration and how it is read, planned, ordered,
written, re-checked and reported (`reconciler.kinds.base.ResourceKind`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from reconciler.address import Address
from reconciler.iam_policy import Command
from reconciler.importing import Documents
from reconciler.kinds.base import (
    ApplyContext,
    Clients,
    KindDefaults,
    KindPlan,
    PlanContext,
    ReadContext,
    Runner,
    Step,
    Unmanaged,
)
from reconciler.kinds.declaration import Declaration
from reconciler.kinds.distribution import importing, permissions, steps
from reconciler.kinds.distribution.declaration import DECLARATION
from reconciler.kinds.distribution.declared import distributions
from reconciler.kinds.distribution.live import LiveDistribution, distributions_live
from reconciler.kinds.distribution.plan import fingerprint, plan_distributions
from reconciler.kinds.distribution.read import read_distributions
from reconciler.kinds.origin_access_control.live import KIND as OAC_KIND
from reconciler.kinds.origin_access_control.live import controls_live
from reconciler.live.model import LiveState
from reconciler.plan.model import ResourceChange, moved
from reconciler.spec.model import Spec

#: Parts of a distribution's fingerprint that are not configuration fields.
_STATE_PARTS = frozenset({"existence", "tags"})
#: The kind buckets are (a distribution's origins and logging bucket).
_BUCKET = "bucket"


def _find(
    found: tuple[LiveDistribution, ...], change: ResourceChange, stack: str
) -> LiveDistribution | None:
    """The distribution a saved change is about, as read now."""
    if change.id:
        return next((d for d in found if d.id == change.id), None)
    return next((d for d in found if d.stack == stack and d.name == change.name), None)


def _uses(fields: dict[str, Any] | None) -> set[str]:
    """The buckets a live distribution's configuration uses: its S3 origins, its logs."""
    if not fields:
        return set()
    used = {o["bucket"] for o in fields.get("origins") or [] if o.get("bucket")}
    if fields.get("logging"):
        used.add(fields["logging"]["bucket"])
    return used


class DistributionKind(KindDefaults):
    @property
    def declaration(self) -> Declaration:
        return DECLARATION

    def read(
        self, clients: Clients, context: ReadContext, run: Runner
    ) -> tuple[LiveDistribution, ...] | None:
        if clients.cloudfront is None:
            return None
        covered = context.covered
        wanted = [
            d
            for name, d in distributions(context.spec).items()
            if (covered is None or name in covered) and d.state != "absent"
        ]
        return read_distributions(
            clients.cloudfront,
            run,
            stack=context.stack,
            aliases=frozenset(a.lower() for d in wanted for a in d.aliases or []),
            ids=frozenset(d.id for d in wanted if d.id),
        )

    def plan(self, context: PlanContext) -> KindPlan:
        return plan_distributions(context)

    def uses_now(self, change: ResourceChange, live: LiveState) -> set[Address]:
        """The buckets the distribution serves or logs into now, and the origin access
        controls its origins sign with, whatever its change: they are deleted only once no
        distribution uses them."""
        found = next((d for d in distributions_live(live) or () if d.id == change.id), None)
        fields = found.fields if found else None
        used = {Address(_BUCKET, b) for b in _uses(fields)}
        ids = {o.get("origin_access_control_id") for o in (fields or {}).get("origins") or []}
        used |= {
            Address(OAC_KIND, c.logical)
            for c in controls_live(live) or ()
            if c.id in ids and c.logical
        }
        return used

    def steps(self, change: ResourceChange, context: ApplyContext) -> list[Step]:
        return steps.steps(change, context)

    def moved_parts(self, change: ResourceChange, live: LiveState, stack: str) -> list[str] | None:
        found = distributions_live(live)
        if found is None:
            return None
        parts = [name for name, _ in change.fingerprints if name not in _STATE_PARTS]
        return moved(change, fingerprint(_find(found, change, stack), parts))

    def unreadable(self, live: LiveState) -> dict[str, str]:
        """Distributions whose reads failed, by logical name when their tags tell it, else
        by id."""
        return {
            dist.name or dist.id: f"distribution {dist.id}: " + "; ".join(dist.failures)
            for dist in distributions_live(live) or ()
            if dist.failures
        }

    def unmanaged(self, live: LiveState, adopted: frozenset[str]) -> Iterator[Unmanaged]:
        for dist in distributions_live(live) or ():
            if dist.stack is not None or dist.id in adopted:
                continue
            aliases = f" (aliases: {', '.join(dist.aliases)})" if dist.aliases else ""
            yield Unmanaged(dist.id, f"not declared, no stack owns it{aliases}", id=dist.id)

    def import_unmanaged(
        self, clients: Clients, run: Runner, *, stack: str, parallelism: int
    ) -> list[str]:
        return importing.unmanaged(clients, run, stack=stack, parallelism=parallelism)

    def import_read(
        self, clients: Clients, run: Runner, names: list[str], *, stack: str, parallelism: int
    ) -> Any:
        return importing.read(clients, run, names, stack=stack, parallelism=parallelism)

    def import_documents(self, live: LiveState, stack: str, names: list[str]) -> Documents:
        return importing.documents(live, stack, names)

    def statements(self, spec: Spec, command: Command) -> list[dict[str, Any]]:
        return permissions.statements(spec, command)

    def account(self, live: LiveState) -> str | None:
        """The account id in a distribution's ARN."""
        for dist in distributions_live(live) or ():
            parts = dist.arn.split(":")
            if len(parts) > 4 and parts[4].isdigit():
                return parts[4]
        return None


KIND = DistributionKind()

"""The origin access control kind, whole (`reconciler.kinds.base.ResourceKind`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

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
from reconciler.kinds.origin_access_control import importing, permissions, steps
from reconciler.kinds.origin_access_control.declaration import DECLARATION
from reconciler.kinds.origin_access_control.live import LiveOriginAccessControl, controls_live
from reconciler.kinds.origin_access_control.plan import fingerprint, plan_controls
from reconciler.kinds.origin_access_control.read import read_controls
from reconciler.live.model import LiveState
from reconciler.plan.model import ResourceChange, moved
from reconciler.spec.model import Spec


class OriginAccessControlKind(KindDefaults):
    @property
    def declaration(self) -> Declaration:
        return DECLARATION

    def read(
        self, clients: Clients, context: ReadContext, run: Runner
    ) -> tuple[LiveOriginAccessControl, ...] | None:
        if clients.cloudfront is None:
            return None
        return read_controls(clients.cloudfront, run)

    def plan(self, context: PlanContext) -> KindPlan:
        return plan_controls(context)

    def steps(self, change: ResourceChange, context: ApplyContext) -> list[Step]:
        return steps.steps(change, context)

    def moved_parts(self, change: ResourceChange, live: LiveState, stack: str) -> list[str] | None:
        found = controls_live(live)
        if found is None:
            return None
        now = next((c for c in found if c.id == change.id), None) if change.id else None
        return moved(change, fingerprint(now))

    def unmanaged(self, live: LiveState, adopted: frozenset[str]) -> Iterator[Unmanaged]:
        for control in controls_live(live) or ():
            if control.stack is None and control.id not in adopted:
                yield Unmanaged(
                    control.id,
                    f"not declared, no stack owns it (name {control.name!r})",
                    id=control.id,
                )

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


KIND = OriginAccessControlKind()

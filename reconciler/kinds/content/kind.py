"""The content kind, whole: its declaration and how it is read, planned, ordered, written,
re-checked and reported (`reconciler.kinds.base.ResourceKind`)."""

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
from reconciler.kinds.content import importing, permissions, steps
from reconciler.kinds.content.declaration import DECLARATION
from reconciler.kinds.content.guard import location
from reconciler.kinds.content.live import content_live
from reconciler.kinds.content.plan import fingerprint, plan_contents
from reconciler.kinds.content.read import read_contents
from reconciler.kinds.declaration import Declaration
from reconciler.live.model import LiveState
from reconciler.plan.model import Action, ResourceChange, moved
from reconciler.spec.model import Spec

_BUCKET = "bucket"


class ContentKind(KindDefaults):
    @property
    def declaration(self) -> Declaration:
        return DECLARATION

    def read(self, clients: Clients, context: ReadContext, run: Runner) -> Any:
        return read_contents(clients.s3, context, run)

    def plan(self, context: PlanContext) -> KindPlan:
        return plan_contents(context)

    def uses_now(self, change: ResourceChange, live: LiveState) -> set[Address]:
        """A content being deleted uses its bucket until its objects are gone."""
        where = location(change.id)
        if change.action is not Action.DELETE or where is None:
            return set()
        return {Address(_BUCKET, where[0])}

    def steps(self, change: ResourceChange, context: ApplyContext) -> list[Step]:
        return steps.steps(change, context)

    def moved_parts(self, change: ResourceChange, live: LiveState, stack: str) -> list[str] | None:
        found = content_live(live)
        read = found.contents.get(change.name) or found.owned_undeclared.get(change.name)
        if read is None:
            return None
        if read.failures:
            return ["the read failed now: " + "; ".join(read.failures)]
        return moved(change, fingerprint(read))

    def unreadable(self, live: LiveState) -> dict[str, str]:
        return {
            name: "; ".join(read.failures)
            for name, read in sorted(content_live(live).contents.items())
            if read.failures
        }

    def unmanaged(self, live: LiveState, adopted: frozenset[str]) -> Iterator[Unmanaged]:
        return iter(())

    def import_unmanaged(
        self, clients: Clients, run: Runner, *, stack: str, parallelism: int
    ) -> list[str]:
        return []

    def import_read(
        self, clients: Clients, run: Runner, names: list[str], *, stack: str, parallelism: int
    ) -> Any:
        return importing.read(clients, run, names)

    def import_documents(self, live: LiveState, stack: str, names: list[str]) -> Documents:
        return importing.documents(live, names)

    def statements(self, spec: Spec, command: Command) -> list[dict[str, Any]]:
        return permissions.statements(spec, command)


KIND = ContentKind()

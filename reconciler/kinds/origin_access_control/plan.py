"""Planning origin access controls: find each declared one (by its ownership mark, or by the
name the spec gives it, to adopt one without a mark), compare its settings, decide; prune this
stack's that the spec no longer declares. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reconciler.address import Address
from reconciler.errors import Severity
from reconciler.kinds.base import KindPlan, PlanContext
from reconciler.kinds.origin_access_control.declared import (
    KIND,
    SECTION,
    name_of,
    origin_access_controls,
)
from reconciler.kinds.origin_access_control.live import (
    LiveOriginAccessControl,
    controls_live,
    owned,
)
from reconciler.kinds.origin_access_control.model import OriginAccessControl
from reconciler.live.model import STACK_TAG
from reconciler.plan.differ import diff
from reconciler.plan.model import (
    Action,
    ActionReason,
    AspectChange,
    Diagnostic,
    ResourceChange,
    fingerprinted,
)

#: The settings a plan compares, in plan order.
FIELDS = ("name", "description", "origin_type", "signing_behavior", "signing_protocol")


def address(logical: str) -> str:
    return str(Address(KIND, logical))


def desired(logical: str, control: OriginAccessControl) -> dict[str, str]:
    """The declared settings, the name resolved."""
    return {
        "name": name_of(logical, control),
        "description": control.description,
        "origin_type": control.origin_type,
        "signing_behavior": control.signing_behavior,
        "signing_protocol": control.signing_protocol,
    }


def fingerprint(live: LiveOriginAccessControl | None) -> dict[str, Any]:
    """The ``live_fingerprint`` and ``fingerprints`` of a change about ``live``."""
    parts: dict[str, Any] = {"existence": live.id if live is not None else None}
    if live is not None:
        parts |= live.fields
        parts["owner"] = [live.stack, live.logical]
    return fingerprinted(parts)


@dataclass
class _Planner:
    context: PlanContext
    found: tuple[LiveOriginAccessControl, ...]
    changes: list[ResourceChange] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    unchanged: int = 0

    @property
    def stack(self) -> str:
        return self.context.stack

    def error(self, logical: str, summary: str, *where: str) -> None:
        position = self.context.locate((SECTION, logical, *where))
        self.diagnostics.append(Diagnostic(Severity.ERROR, address(logical), summary, position))

    def plan(self, logical: str, control: OriginAccessControl) -> None:
        live = owned(self.found, self.stack, logical)
        if control.state == "absent":
            if live is None:
                self.unchanged += 1
            elif control.prevent_destroy:
                self.error(logical, "declared absent with prevent_destroy set", "prevent_destroy")
            else:
                self.changes.append(self.deletion(logical, live, reason=None))
            return
        name = name_of(logical, control)
        holder = next((c for c in self.found if c.name == name and c is not live), None)
        if holder is not None and (live is not None or holder.stack is not None):
            whose = f"stack {holder.stack!r}" if holder.stack else "no stack"
            self.error(
                logical,
                f"the name {name!r} is held by origin access control {holder.id} ({whose}); a "
                "name is unique in the account",
                "name",
            )
            return
        adopting = live is None and holder is not None
        found = live or holder
        want = desired(logical, control)
        if found is None:
            aspects = [AspectChange(f, Action.CREATE, None, want[f]) for f in FIELDS]
            self.changes.append(
                ResourceChange(
                    address=address(logical),
                    kind=KIND,
                    name=logical,
                    action=Action.CREATE,
                    aspects=tuple(aspects),
                    **fingerprint(None),
                )
            )
            return
        have = found.fields
        aspects = [
            AspectChange(f, Action.UPDATE, have[f], want[f], diff(have[f], want[f]))
            for f in FIELDS
            if have[f] != want[f]
        ]
        if not aspects and not adopting:
            self.unchanged += 1
            return
        self.changes.append(
            ResourceChange(
                address=address(logical),
                kind=KIND,
                name=logical,
                action=Action.ADOPT if adopting else Action.UPDATE,
                aspects=tuple(aspects),
                **fingerprint(found),
                id=found.id,
                reason=f"origin access control {found.id} is named {name!r} and has no "
                f"{STACK_TAG} mark"
                if adopting
                else None,
            )
        )

    def deletion(
        self, logical: str, live: LiveOriginAccessControl, *, reason: str | None
    ) -> ResourceChange:
        return ResourceChange(
            address=address(logical),
            kind=KIND,
            name=logical,
            action=Action.DELETE,
            **fingerprint(live),
            id=live.id,
            reason=reason,
        )

    def prune(self, declared: dict[str, OriginAccessControl]) -> None:
        for live in self.found:
            if live.stack == self.stack and live.logical and live.logical not in declared:
                self.changes.append(
                    self.deletion(live.logical, live, reason=ActionReason.NO_LONGER_DECLARED)
                )


def plan_controls(context: PlanContext) -> KindPlan:
    """The changes and diagnostics of the origin access controls ``context`` covers."""
    planner = _Planner(context, controls_live(context.live) or ())
    declared = origin_access_controls(context.spec)
    covered = context.covered
    for logical, control in sorted(declared.items()):
        if covered is None or logical in covered:
            planner.plan(logical, control)
    if covered is None:
        planner.prune(declared)
    return KindPlan(planner.changes, planner.diagnostics, planner.unchanged)

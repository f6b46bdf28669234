"""The planner: spec + live state → plan. Pure: no I/O, no clock.

Each kind plans its own resources (`ResourceKind.plan`: per declared resource create, update,
adopt, delete, replace or nothing, and the pruning of what the stack owns and no longer
declares, with the contract's safety rules as error diagnostics); the planner puts the kinds'
parts together and orders them (`reconciler.plan.order`). A plan with errors is never applied.
"""

from __future__ import annotations

from reconciler.kinds.base import PlanContext, PlanOptions
from reconciler.kinds.registry import kinds
from reconciler.live.model import LiveState
from reconciler.plan.model import Diagnostic, Plan, ResourceChange
from reconciler.plan.order import order_changes
from reconciler.plan.scope import scope_of
from reconciler.spec.model import Spec

__all__ = ["PlanOptions", "plan"]


def plan(spec: Spec, live: LiveState, options: PlanOptions) -> Plan:
    """The plan for ``spec`` against ``live`` (read for the same spec and targets): every kind
    that was read plans its part."""
    scope = scope_of(spec, options.targets)
    changes: list[ResourceChange] = []
    diagnostics: list[Diagnostic] = []
    unchanged = 0
    for each in kinds():
        name = each.declaration.kind
        if name not in live.parts:
            continue
        part = each.plan(PlanContext(spec, live, options, scope.names(name)))
        changes += part.changes
        diagnostics += part.diagnostics
        unchanged += part.unchanged
    return Plan(
        stack=spec.stack,
        spec_digest=options.spec_digest,
        changes=order_changes(changes, spec=spec, live=live),
        diagnostics=tuple(diagnostics),
        unchanged=unchanged,
        targets=tuple(sorted(options.targets)),
    )

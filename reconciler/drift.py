"""Drift: what changed behind the spec's back, per resource, read from a plan of the same spec.

A plan already says, attribute by attribute, how the live state differs from the spec; drift
reads it the other way round. Per declared resource: no change planned → ``in_sync``; a create
→ ``missing``; anything else → ``drifted``, with each difference's path (aspect first, as in the
spec: ``tags.env``, ``lifecycle.rules[expire-logs].expiration.days``), the ``expected`` (spec)
and ``actual`` (live) values and a ``type``:

- ``add``: the live state has something the spec does not (a tag added by hand, a resource this
  stack owns that the spec no longer declares);
- ``remove``: the spec expects something the live state lacks (a configuration deleted by hand,
  the ownership tag of a resource not adopted yet);
- ``not_equal``: both have it, with different values.

With ``every_aspect`` (``drift --all-aspects``), a declared bucket's aspects that the spec leaves
out are reported too when they are set (a policy added by hand to a bucket whose spec manages
no policy), as ``unmanaged_aspect`` differences: seen, not drift. The summary then counts the
resources that have some (``unmanaged_aspects``), the reports set them apart from drift, and
``drift --fail-on-unmanaged-aspects`` exits 2 on them, as on drift (a security review in CI).

With ``include_unmanaged``, buckets and distributions that the spec does not declare and no stack
owns are listed as ``unmanaged``; they are not drift. A resource whose live state could not be
read (an error answer, an unreadable body, a feature the store lacks) is ``error``, with why:
the others are still reported. Pure: no I/O.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from reconciler.address import Address
from reconciler.errors import Severity
from reconciler.kinds.registry import kinds
from reconciler.live.model import LiveState
from reconciler.plan.differ import resource_path, shown
from reconciler.plan.model import Action, Diagnostic, Plan, ResourceChange
from reconciler.spec.model import Spec

FORMAT_VERSION = "1"


class DriftStatus(StrEnum):
    IN_SYNC = "in_sync"
    DRIFTED = "drifted"
    MISSING = "missing"
    UNMANAGED = "unmanaged"
    ERROR = "error"


STATUSES = tuple(s.value for s in DriftStatus)
LABELS = {
    "in_sync": "in sync",
    "drifted": "drifted",
    "missing": "missing",
    "unmanaged": "unmanaged",
    "error": "could not be read",
}
TYPES = ("add", "remove", "not_equal", "unmanaged_aspect")
#: The kinds of difference in words, for the reports a person reads.
TYPE_WORDS = {
    "add": "only live has it",
    "remove": "missing from live",
    "not_equal": "differs",
    "unmanaged_aspect": "set, and not managed by the spec",
}


@dataclass(frozen=True)
class RunContext:
    """When and against what a report was made, for the page a person opens later. Kept out of
    the JSON, Markdown and JUnit forms, which stay the same from run to run unless the live
    state changes."""

    generated_at: str
    version: str
    region: str
    endpoint: str
    account: str | None = None
    fix: str | None = None


def account_of(live: LiveState) -> str | None:
    """The AWS account id, when something read names it (an ARN)."""
    return next((found for k in kinds() if (found := k.account(live))), None)


@dataclass(frozen=True)
class Difference:
    path: str
    expected: Any
    actual: Any
    type: str

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "expected": self.expected,
            "actual": self.actual,
            "type": self.type,
        }


@dataclass(frozen=True)
class ResourceDrift:
    """One resource's standing. ``id`` is a distribution's CloudFront id when it exists;
    ``reason`` says why a resource is drifted or unmanaged in words."""

    address: str
    kind: str
    name: str
    status: DriftStatus
    differences: tuple[Difference, ...] = ()
    id: str | None = None
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "address": self.address,
            "kind": self.kind,
            "name": self.name,
            "status": str(self.status),
            "differences": [d.to_json() for d in self.differences],
        }
        if self.id:
            out["id"] = self.id
        if self.reason:
            out["reason"] = self.reason
        return out


@dataclass(frozen=True)
class DriftReport:
    stack: str
    resources: tuple[ResourceDrift, ...]
    diagnostics: tuple[Diagnostic, ...] = ()
    include_unmanaged: bool = False
    #: Whether the aspects the spec leaves out were read (``--all-aspects``).
    every_aspect: bool = False

    @property
    def summary(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for resource in self.resources:
            counts[resource.status] += 1
        found = {"managed": len(self.resources) - counts[DriftStatus.UNMANAGED], **counts}
        if self.every_aspect:
            found["unmanaged_aspects"] = self.unmanaged_aspects
        return found

    @property
    def unmanaged_aspects(self) -> int:
        """Resources with an aspect set that the spec leaves out (``--all-aspects``)."""
        return sum(1 for r in self.resources if has_unmanaged_aspects(r.to_json()))

    @property
    def has_errors(self) -> bool:
        """Resources whose live state could not be read."""
        return any(r.status is DriftStatus.ERROR for r in self.resources)

    @property
    def has_drift(self) -> bool:
        """Drifted or missing resources (unmanaged ones are reported, not drift)."""
        return any(r.status in (DriftStatus.DRIFTED, DriftStatus.MISSING) for r in self.resources)

    def to_json(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "stack": self.stack,
            "mode": "drift",
            "include_unmanaged": self.include_unmanaged,
            **({"all_aspects": True} if self.every_aspect else {}),
            "summary": self.summary,
            "resources": [r.to_json() for r in self.resources],
            "diagnostics": [d.to_json() for d in self.diagnostics],
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2) + "\n"


def has_unmanaged_aspects(resource: dict[str, Any]) -> bool:
    """Whether a report's resource (its JSON form) has aspects set that the spec leaves out."""
    return any(d["type"] == "unmanaged_aspect" for d in resource["differences"])


def kind_of(expected: Any, actual: Any) -> str:
    if actual is None and expected is not None:
        return "remove"
    if expected is None and actual is not None:
        return "add"
    return "not_equal"


def differences(change: ResourceChange) -> tuple[Difference, ...]:
    """How the live resource differs from the spec, as the plan's change says it."""
    if change.action is Action.DELETE:
        return (Difference("state", "absent", "present", "add"),)
    if change.action is Action.REPLACE:
        return (Difference("region", change.region, change.previous_region, "not_equal"),)
    out: list[Difference] = []
    for aspect in change.aspects:
        entries = aspect.diff or ()
        if not entries:
            out.append(
                Difference(
                    aspect.aspect, aspect.after, aspect.before, kind_of(aspect.after, aspect.before)
                )
            )
        for entry in entries:
            before, after = entry.before, entry.after
            if not entry.path:
                before, after = shown(before, after, aspect.before, aspect.after)
            out.append(
                Difference(
                    resource_path(change.kind, aspect.aspect, entry.path),
                    after,
                    before,
                    kind_of(after, before),
                )
            )
    return tuple(out)


def _standing(change: ResourceChange | None, address: Address) -> ResourceDrift:
    where = (str(address), address.kind, address.name)
    if change is None:
        return ResourceDrift(*where, DriftStatus.IN_SYNC)
    if change.action is Action.CREATE:
        return ResourceDrift(*where, DriftStatus.MISSING, reason="declared, and not found")
    return ResourceDrift(
        *where, DriftStatus.DRIFTED, differences(change), id=change.id, reason=change.reason
    )


def drift_report(
    spec: Spec,
    plan: Plan,
    live: LiveState,
    *,
    include_unmanaged: bool = False,
    every_aspect: bool = False,
) -> DriftReport:
    """The drift report of ``plan`` (made for ``spec`` against ``live``, untargeted)."""
    by_address = {c.address: c for c in plan.changes}
    failed = unreadable(live)
    resources: list[ResourceDrift] = []
    for kind in kinds():
        declaration = kind.declaration
        for name in sorted(declaration.resources(spec)):
            address = declaration.address(name)
            if str(address) in failed:
                why = failed.pop(str(address))
                resources.append(
                    ResourceDrift(str(address), address.kind, name, DriftStatus.ERROR, reason=why)
                )
                continue
            standing = _standing(by_address.pop(str(address), None), address)
            if every_aspect and standing.status in (DriftStatus.IN_SYNC, DriftStatus.DRIFTED):
                extra = tuple(
                    Difference(f.path, None, f.actual, "unmanaged_aspect")
                    for f in kind.unmanaged_parts(spec, live, name)
                )
                standing = replace(standing, differences=standing.differences + extra)
            resources.append(standing)
    resources += [
        ResourceDrift(text, address.kind, address.name, DriftStatus.ERROR, reason=why)
        for text, why in failed.items()
        for address in [Address.parse(text)]
    ]
    # What is left is owned by this stack and no longer declared: due to be pruned.
    resources += [_standing(c, Address(c.kind, c.name)) for c in by_address.values()]
    if include_unmanaged:
        resources += _unmanaged(plan, live)
    resources.sort(key=lambda r: (r.status == DriftStatus.UNMANAGED, r.kind, r.address))
    warnings = tuple(d for d in plan.diagnostics if d.severity is not Severity.ERROR)
    return DriftReport(spec.stack, tuple(resources), warnings, include_unmanaged, every_aspect)


def unreadable(live: LiveState) -> dict[str, str]:
    """The addresses whose live state could not be read, with why (each kind says which)."""
    return {
        str(kind.declaration.address(name)): why
        for kind in kinds()
        for name, why in kind.unreadable(live).items()
    }


def _unmanaged(plan: Plan, live: LiveState) -> list[ResourceDrift]:
    adopted = frozenset(c.id for c in plan.changes if c.action is Action.ADOPT and c.id)
    return [
        ResourceDrift(
            str(kind.declaration.address(found.name)),
            kind.declaration.kind,
            found.name,
            DriftStatus.UNMANAGED,
            id=found.id,
            reason=found.reason,
        )
        for kind in kinds()
        for found in kind.unmanaged(live, adopted)
    ]

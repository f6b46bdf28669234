"""The plan workflow, shared by the commands, the demo and the benchmark: from a loaded spec to
a plan (what to read, reading it, planning), and a saved plan made again to prove it current.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from reconciler.apply.guard import Guard
from reconciler.destroy import destroy_spec
from reconciler.errors import PlanError, Severity, StalePlanError
from reconciler.kinds.base import PlanOptions
from reconciler.kinds.registry import kind_names
from reconciler.live.model import LiveState
from reconciler.live.reader import LiveReader
from reconciler.plan import compare
from reconciler.plan.model import Diagnostic, Plan
from reconciler.plan.planner import plan
from reconciler.plan.scope import check_targets as wrong_targets
from reconciler.plan.scope import scope_of, undeclared_targets
from reconciler.saved_plans import sources_of
from reconciler.spec.loader import LoadedSpec


def check_targets(targets: frozenset[str]) -> None:
    problems = wrong_targets(targets)
    if problems:
        examples = [f"{k}.NAME" for k in kind_names()]
        raise PlanError(
            "--target takes resource addresses such as "
            + ", ".join(examples[:-1])
            + f" or {examples[-1]}; not: "
            + ", ".join(problems)
        )


def make_plan(
    loaded: LoadedSpec,
    reader: LiveReader,
    *,
    default_region: str,
    targets: frozenset[str] = frozenset(),
    replace: frozenset[str] = frozenset(),
    destroy: bool = False,
    every_aspect: bool = False,
    cwd: Path | None = None,
) -> tuple[Plan, LiveState]:
    """The plan of ``loaded`` against the live state read now, and that state. The plan
    records how it was made (mode, targets, replace) and from what (the spec files relative
    to ``cwd``, the working directory by default), so that a saved one can be made again."""
    if destroy:
        loaded = destroy_spec(loaded)
    spec = loaded.spec
    # (their form was checked before any credential was resolved: `check_targets`)
    unknown = undeclared_targets(spec, targets)
    if unknown:  # refused before any request
        refused = Plan(
            stack=spec.stack,
            spec_digest=loaded.digest,
            changes=(),
            diagnostics=tuple(Diagnostic(Severity.ERROR, t, why) for t, why in unknown.items()),
            targets=tuple(sorted(targets)),
        )
        return refused, LiveState({})
    live = reader.read(spec, scope_of(spec, targets), every_part=every_aspect)

    def position(path: tuple[str | int, ...]) -> str | None:
        # A resource-level finding points at the resource's name; others at their value.
        found = loaded.source.key_at(path) if len(path) == 2 else None
        found = found or loaded.source.at(path)
        return str(found) if found else None

    result = plan(
        spec,
        live,
        PlanOptions(
            default_region=default_region,
            replace=replace,
            targets=targets,
            spec_digest=loaded.digest,
            position=position,
            destroy=destroy,
        ),
    )
    result = dataclasses.replace(
        result,
        mode="destroy" if destroy else "plan",
        replace=tuple(sorted(replace)),
        sources=sources_of(loaded, cwd or Path.cwd()),
    )
    return result, live


def guard_for(
    loaded: LoadedSpec,
    *,
    default_region: str,
    replace: frozenset[str] = frozenset(),
    destroy: bool = False,
) -> Guard:
    """The executor's safety rules for a plan of ``loaded`` made this way (a destroy reads
    every declared resource as absent)."""
    spec = destroy_spec(loaded).spec if destroy else loaded.spec
    return Guard(spec, default_region=default_region, replace=replace)


def replan_saved(
    saved: Plan, loaded: LoadedSpec, reader: LiveReader, *, default_region: str
) -> Plan:
    """The plan made again now for ``saved`` (from ``loaded``, the spec it was made from, and
    the live state), made the way ``saved`` was (mode, targets, replace). Raises
    `StalePlanError` when the live state moved since, naming each resource and part, and
    `PlanError` when the saved changes are not the fresh ones, naming each difference. A fresh
    plan with errors is returned as it is: the caller shows them and applies nothing."""
    fresh, live = make_plan(
        loaded,
        reader,
        default_region=default_region,
        targets=frozenset(saved.targets),
        replace=frozenset(saved.replace),
        destroy=saved.mode == "destroy",
    )
    if fresh.errors:
        return fresh
    moved = compare.stale(saved.changes, live, saved.stack)
    if moved:
        named = [f"{a} ({', '.join(parts)})" for a, parts in moved.items()]
        raise StalePlanError(
            "the saved plan is stale: the live state of "
            + ", ".join(named)
            + " changed since it was made; run plan again",
            addresses=list(moved),
        )
    found = compare.differences(saved.changes, fresh.changes)
    if found:
        raise PlanError(
            "the saved plan is not what the spec and the live state give now, so nothing is "
            f"applied: {compare.summary(found)}. Run plan again and review what it shows"
        )
    return fresh


def limit_plan(saved: Plan, targets: tuple[str, ...]) -> Plan:
    """A saved plan limited to ``targets`` and the changes they depend on."""
    if not targets:
        return saved
    unknown = sorted(set(targets) - {c.address for c in saved.changes})
    if unknown:
        raise PlanError("--target names no change in the saved plan: " + ", ".join(unknown))
    wanted = set(targets)
    for change in reversed(saved.changes):  # dependencies come earlier in a plan
        if change.address in wanted:
            wanted |= set(change.depends_on)
    return dataclasses.replace(
        saved,
        changes=tuple(c for c in saved.changes if c.address in wanted),
        targets=tuple(sorted(targets)),
    )

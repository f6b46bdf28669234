"""The plan workflow, shared by the commands, the demo and the benchmark: from a loaded spec to
a plan (what to read, reading it, planning), and a saved plan made again to prove it current.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from reconciler.apply.guard import Guard
from reconciler.aspects import object_ownership
from reconciler.aspects import registry as aspects
from reconciler.destroy import destroy_spec
from reconciler.errors import PlanError, StalePlanError
from reconciler.live.model import LiveState
from reconciler.live.reader import LiveReader, ReadRequest
from reconciler.plan import compare
from reconciler.plan.model import Diagnostic, Plan
from reconciler.plan.order import (
    distribution_scope,
    reads_distributions,
    scope,
    undeclared_targets,
)
from reconciler.plan.planner import PlanOptions, declared_aspects, plan
from reconciler.plan.references import declared_reads
from reconciler.saved_plans import sources_of
from reconciler.spec.distribution import Distribution
from reconciler.spec.loader import LoadedSpec
from reconciler.spec.model import Spec


def check_targets(targets: frozenset[str]) -> None:
    problems = [
        t
        for t in sorted(targets)
        if t in ("bucket.", "distribution.") or not t.startswith(("bucket.", "distribution."))
    ]
    if problems:
        raise PlanError(
            "--target takes resource addresses such as bucket.NAME or distribution.NAME; not: "
            + ", ".join(problems)
        )


def read_request(spec: Spec, targets: frozenset[str], *, every_aspect: bool = False) -> ReadRequest:
    """What a plan of ``spec`` (limited to ``targets``) must read; with ``every_aspect``, the
    aspects the spec leaves out as well (``drift --all-aspects``)."""
    covered = scope(spec, targets)
    named = {
        name: frozenset(a for a in declared_aspects(bucket) if a != aspects.TAGS.key)
        for name, bucket in spec.buckets.items()
        if covered is None or name in covered
    }
    declared = {n: frozenset(aspects.DECLARABLE) if every_aspect else a for n, a in named.items()}
    for name, reads in declared_reads(spec, declared).items():
        if name in declared:  # what checking a reference to it needs, left out of its spec
            declared[name] |= reads
    deletable = frozenset(name for name in declared if spec.buckets[name].state == "absent")
    dist_covered = distribution_scope(spec, targets)
    distributions = [
        d
        for name, d in spec.distributions.items()
        if (dist_covered is None or name in dist_covered) and d.state != "absent"
    ]
    return ReadRequest(
        stack=spec.stack,
        declared=declared,
        deletable=deletable,
        prune=True,
        only_undeclared=None if covered is None else covered,
        distributions=reads_distributions(spec, targets),
        aliases=frozenset(a.lower() for d in distributions for a in d.aliases or []),
        distribution_ids=frozenset(d.id for d in distributions if d.id),
        referenced=referenced_buckets(spec, declared, distributions),
        optional={n: declared[n] - a for n, a in named.items()},
    )


#: What is read of an undeclared bucket a distribution writes its logs into.
_CLOUDFRONT_LOGS = frozenset({object_ownership.ASPECT.key})


def referenced_buckets(
    spec: Spec, read: dict[str, frozenset[str]], distributions: list[Distribution]
) -> dict[str, frozenset[str]]:
    """Undeclared buckets that the buckets being read log into, or that the distributions use
    (as origins or for logs), each with the aspects that checking the reference needs."""
    found: dict[str, frozenset[str]] = {}

    def add(name: str, reads: frozenset[str]) -> None:
        if name not in spec.buckets:
            found[name] = found.get(name, frozenset()) | reads

    for name in read:
        bucket = spec.buckets[name]
        if bucket.state == "absent":
            continue
        for unit in aspects.ASPECTS:
            value = getattr(bucket, unit.key)
            for target in unit.references(value) if value else ():
                add(target, frozenset(unit.reference_reads))
    for dist in distributions:
        for origin in dist.origins or []:
            if origin.bucket:
                add(origin.bucket, frozenset())
        if dist.logging:
            add(dist.logging.bucket, _CLOUDFRONT_LOGS)
    return found


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
    check_targets(targets)
    unknown = undeclared_targets(spec, targets)
    if unknown:  # refused before any request
        refused = Plan(
            stack=spec.stack,
            spec_digest=loaded.digest,
            changes=(),
            diagnostics=tuple(Diagnostic("error", t, why) for t, why in unknown.items()),
            targets=tuple(sorted(targets)),
        )
        return refused, LiveState({})
    live = reader.read(read_request(spec, targets, every_aspect=every_aspect))

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

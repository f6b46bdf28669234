"""The plan workflow, shared by the commands, the demo and the benchmark: from a loaded spec to
a plan (what to read, reading it, planning), and the re-read that proves a saved plan is fresh.
"""

from __future__ import annotations

from collections.abc import Callable

from reconciler.errors import PlanError, StalePlanError
from reconciler.live.model import LiveState
from reconciler.live.reader import LiveReader, ReadRequest
from reconciler.plan.model import Action, Diagnostic, Plan
from reconciler.plan.order import scope
from reconciler.plan.planner import PlanOptions, declared_aspects, fingerprint, plan
from reconciler.spec.loader import LoadedSpec
from reconciler.spec.model import Spec


def check_targets(targets: frozenset[str]) -> None:
    problems = [t for t in sorted(targets) if not t.startswith("bucket.") or t == "bucket."]
    if problems:
        raise PlanError(
            "--target takes resource addresses such as bucket.NAME; not: " + ", ".join(problems)
        )


def read_request(spec: Spec, targets: frozenset[str]) -> ReadRequest:
    """What a plan of ``spec`` (limited to ``targets``) must read."""
    covered = scope(spec, targets)
    declared = {
        name: frozenset(a for a in declared_aspects(bucket) if a != "tags")
        for name, bucket in spec.buckets.items()
        if covered is None or name in covered
    }
    deletable = frozenset(name for name in declared if spec.buckets[name].state == "absent")
    return ReadRequest(
        stack=spec.stack,
        declared=declared,
        deletable=deletable,
        prune=True,
        only_undeclared=None if covered is None else covered,
    )


def make_plan(
    loaded: LoadedSpec,
    reader: LiveReader,
    *,
    default_region: str,
    targets: frozenset[str] = frozenset(),
    replace: frozenset[str] = frozenset(),
) -> tuple[Plan, LiveState]:
    spec = loaded.spec
    check_targets(targets)
    live = reader.read(read_request(spec, targets))

    def position(path: tuple[str, ...]) -> str | None:
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
        ),
    )
    known = {f"bucket.{n}" for n in spec.buckets} | {f"bucket.{n}" for n in live.buckets}
    unknown = sorted(t for t in targets if t not in known)
    if unknown:
        result = Plan(
            stack=result.stack,
            spec_digest=result.spec_digest,
            changes=result.changes,
            diagnostics=result.diagnostics
            + tuple(
                Diagnostic("error", t, "--target names no declared or owned resource")
                for t in unknown
            ),
            unchanged=result.unchanged,
            targets=result.targets,
        )
    return result, live


def stale_resources(
    saved: Plan, reader: LiveReader, *, progress: Callable[[str], None] | None = None
) -> list[str]:
    """The addresses whose live state changed since ``saved`` was made (re-read now)."""
    declared = {
        c.name: frozenset(a.aspect for a in c.aspects if a.aspect != "tags") for c in saved.changes
    }
    deletable = frozenset(c.name for c in saved.changes if c.action is Action.DELETE)
    if progress:
        progress(f"re-reading {len(declared)} resource(s) to check the plan is current")
    live = reader.read(
        ReadRequest(stack=saved.stack, declared=declared, deletable=deletable, prune=False)
    )
    stale = []
    for change in saved.changes:
        found = live.buckets[change.name]
        now = fingerprint(found, [a.aspect for a in change.aspects])
        if now != change.live_fingerprint:
            stale.append(change.address)
    return stale


def require_fresh(saved: Plan, reader: LiveReader) -> None:
    stale = stale_resources(saved, reader)
    if stale:
        raise StalePlanError(
            "the saved plan is stale: the live state of "
            + ", ".join(stale)
            + " changed since it was made; run plan again",
            addresses=stale,
        )


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
    return Plan(
        stack=saved.stack,
        spec_digest=saved.spec_digest,
        changes=tuple(c for c in saved.changes if c.address in wanted),
        diagnostics=saved.diagnostics,
        targets=tuple(sorted(targets)),
    )

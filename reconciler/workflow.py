"""The plan workflow, shared by the commands, the demo and the benchmark: from a loaded spec to
a plan (what to read, reading it, planning), and the re-read that proves a saved plan is fresh.
"""

from __future__ import annotations

from collections.abc import Callable

from reconciler.aspects import object_ownership
from reconciler.aspects import registry as aspects
from reconciler.destroy import destroy_spec
from reconciler.errors import PlanError, StalePlanError
from reconciler.live.model import LiveDistribution, LiveState
from reconciler.live.reader import LiveReader, ReadRequest
from reconciler.plan.distributions import fingerprint as distribution_fingerprint
from reconciler.plan.model import Action, Diagnostic, Plan, ResourceChange
from reconciler.plan.order import (
    distribution_scope,
    reads_distributions,
    scope,
    undeclared_targets,
)
from reconciler.plan.planner import PlanOptions, declared_aspects, fingerprint, plan
from reconciler.plan.references import declared_reads
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
) -> tuple[Plan, LiveState]:
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
    return result, live


#: Parts of a bucket's fingerprint that are not aspects to read again.
_STATE_PARTS = frozenset({"existence", "emptiness", "tags"})


def _read_parts(change: ResourceChange) -> list[str]:
    """The aspects (or fields) whose live values a saved change was made against: every
    declared one (``live_fingerprints``), or for older plan files the changed ones."""
    if change.fingerprints:
        return [name for name, _ in change.fingerprints if name not in _STATE_PARTS]
    return [a.aspect for a in change.aspects if a.aspect != "tags"]


def stale_parts(
    saved: Plan, reader: LiveReader, *, progress: Callable[[str], None] | None = None
) -> dict[str, list[str]]:
    """The addresses whose live state changed since ``saved`` was made (re-read now), each
    with the parts that moved (``existence``, ``tags``, an aspect's name, ...)."""
    buckets = [c for c in saved.changes if c.kind == "bucket"]
    distributions = [c for c in saved.changes if c.kind == "distribution"]
    declared = {c.name: frozenset(_read_parts(c)) for c in buckets}
    deletable = frozenset(c.name for c in buckets if c.action is Action.DELETE)
    if progress:
        progress(f"re-reading {len(saved.changes)} resource(s) to check the plan is current")
    live = reader.read(
        ReadRequest(
            stack=saved.stack,
            declared=declared,
            deletable=deletable,
            prune=False,
            distributions=bool(distributions),
            distribution_ids=frozenset(c.id for c in distributions if c.id),
        )
    )
    stale: dict[str, list[str]] = {}
    for change in saved.changes:
        parts = _read_parts(change)
        if change.kind == "distribution":
            now = distribution_fingerprint(_distribution(live, change, saved.stack), parts)
        else:
            current = live.buckets[change.name]
            if current.failures:
                stale[change.address] = ["the re-read failed: " + "; ".join(current.failures)]
                continue
            now = fingerprint(current, parts)
        if now["live_fingerprint"] == change.live_fingerprint:
            continue
        before, after = dict(change.fingerprints), dict(now["fingerprints"])
        moved = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        stale[change.address] = moved if change.fingerprints else []
    return stale


def stale_resources(
    saved: Plan, reader: LiveReader, *, progress: Callable[[str], None] | None = None
) -> list[str]:
    """The addresses whose live state changed since ``saved`` was made (re-read now)."""
    return list(stale_parts(saved, reader, progress=progress))


def _distribution(live: LiveState, change: ResourceChange, stack: str) -> LiveDistribution | None:
    """The distribution a saved change is about, as read now."""
    found = live.distributions or ()
    if change.id:
        return next((d for d in found if d.id == change.id), None)
    return next((d for d in found if d.stack == stack and d.name == change.name), None)


def require_fresh(saved: Plan, reader: LiveReader) -> None:
    stale = stale_parts(saved, reader)
    if stale:
        named = [f"{a} ({', '.join(parts)})" if parts else a for a, parts in stale.items()]
        raise StalePlanError(
            "the saved plan is stale: the live state of "
            + ", ".join(named)
            + " changed since it was made; run plan again",
            addresses=list(stale),
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

"""``reconciler merge``: every shard's result file into one fleet report.

Every target is counted once: the shards of one run (same fleet, same number of shards, each
index once) give the targets, and the result files of ``--retry-failed`` runs replace the
targets they ran again. What cannot be trusted is said in ``problems`` and makes the report
``FAILED``: a shard without a result file, files from different fleets, targets of the fleet
that no file reports.

The status, as StackSets gives it: ``SUCCEEDED`` (no target failed, every one ran),
``PARTIAL_SUCCESS`` (some failed, within the failure tolerance), ``FAILED`` (the tolerance was
exceeded, nothing succeeded, or targets or shards are missing). The tolerance is the one each
shard ran with (a shard that exceeded it says so), or ``merge --failure-tolerance`` over the
whole fleet.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from reconciler.errors import ConfigError
from reconciler.fleet.results import Counts, FleetReport, ResultFile, ShardsSeen, TargetResult
from reconciler.fleet.rollout import Amount

#: Failing targets first in a report: what needs a person.
ORDER = {"failed": 0, "not_started": 1, "drifted": 2, "succeeded": 3, "in_sync": 4}


def _check_alike(results: Sequence[ResultFile], sources: Sequence[str]) -> list[str]:
    first = results[0]
    problems = []
    for result, source in zip(results[1:], sources[1:], strict=True):
        if result.command != first.command:
            raise ConfigError(
                f"{source}: a result of {result.command}, and {sources[0]} of {first.command}: "
                "merge the result files of one command"
            )
        if result.targets_digest != first.targets_digest:
            problems.append(
                f"{source} comes from another fleet than {sources[0]} (the targets file or the "
                "organization changed between the shards' runs)"
            )
    return problems


def _shards(
    results: Sequence[ResultFile], sources: Sequence[str], *, partial: bool
) -> tuple[ShardsSeen, list[str]]:
    originals = [(r, s) for r, s in zip(results, sources, strict=True) if not r.retry]
    totals = {r.shard.total for r, _ in originals} or {results[0].shard.total}
    if len(totals) > 1:
        raise ConfigError(
            "the result files split the fleet differently (shards of " + ", ".join(
                str(t) for t in sorted(totals)) + "): merge the shards of one run"
        )  # fmt: skip
    total = totals.pop()
    seen: dict[int, str] = {}
    for result, source in originals:
        index = result.shard.index
        if index in seen:
            raise ConfigError(
                f"{seen[index]} and {source} are both shard {index} of {total}: merge each "
                "shard's result once (a --retry-failed run's file adds to them)"
            )
        seen[index] = source
    missing = [k for k in range(1, total + 1) if k not in seen]
    problems = []
    if missing and not partial:
        problems.append(
            f"no result file for shard(s) {', '.join(map(str, missing))} of {total}: their "
            "targets are not in this report"
        )
    return ShardsSeen(total=total, found=sorted(seen), missing=missing), problems


Status = Literal["SUCCEEDED", "PARTIAL_SUCCESS", "FAILED"]


def _status(
    counts: Counts, results: Sequence[ResultFile], tolerance: Amount | None, problems: list[str]
) -> Status:
    if problems or counts.not_started:
        return "FAILED"
    if not counts.failed:
        return "SUCCEEDED"
    if counts.failed == counts.total:
        return "FAILED"
    if tolerance is not None:
        return "PARTIAL_SUCCESS" if counts.failed <= tolerance.of(counts.total) else "FAILED"
    exceeded = any(r.rollout is not None and r.rollout.exceeded for r in results)
    return "FAILED" if exceeded else "PARTIAL_SUCCESS"


def _rollups(targets: Sequence[TargetResult]) -> dict[str, dict[str, Counts]]:
    groups: dict[str, dict[str, list[TargetResult]]] = {"account": {}, "region": {}, "ou": {}}
    for target in targets:
        groups["account"].setdefault(target.account, []).append(target)
        groups["region"].setdefault(target.region, []).append(target)
        groups["ou"].setdefault(target.ou or "(not from Organizations)", []).append(target)
    return {
        kind: {key: Counts.of(found) for key, found in sorted(members.items())}
        for kind, members in groups.items()
    }


def _one_stack(results: Sequence[ResultFile]) -> str | None:
    """The stack of every target, when they share one (each region its own stack: none)."""
    stacks = {r.stack for r in results}
    return stacks.pop() if len(stacks) == 1 else None


def merge(
    results: Sequence[ResultFile],
    *,
    sources: Sequence[str],
    tolerance: Amount | None = None,
    partial: bool = False,
) -> FleetReport:
    """The fleet report of ``results`` (read from ``sources``, named in messages). With
    ``partial`` (a shard's own report of itself) the other shards are not looked for."""
    if not results:
        raise ConfigError("no result files to merge")
    problems = _check_alike(results, sources)
    shards, missing = _shards(results, sources, partial=partial)
    problems += missing
    by_target: dict[str, TargetResult] = {}
    for result in [r for r in results if not r.retry] + [r for r in results if r.retry]:
        for target in result.targets:
            by_target[target.target] = target  # a retry's replaces the first run's
    targets = sorted(by_target.values(), key=lambda t: (ORDER[t.outcome], t.target))
    fleet_size = max(r.fleet_size for r in results)
    if not partial and not shards.missing and len(targets) < fleet_size:
        problems.append(
            f"{fleet_size - len(targets)} of the fleet's {fleet_size} targets are in no result file"
        )
    counts = Counts.of(targets)
    recorded = next(
        (r.rollout.failure_tolerance for r in results if r.rollout and r.rollout.failure_tolerance),
        None,
    )
    return FleetReport(
        format_version="1",
        kind="reconciler-fleet-report",
        command=results[0].command,
        stack=_one_stack(results),
        status=_status(counts, results, tolerance, problems),
        counts=counts,
        failure_tolerance=str(tolerance) if tolerance is not None else recorded,
        shards=shards,
        problems=problems,
        rollups=_rollups(targets),
        targets=targets,
    )

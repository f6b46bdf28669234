"""A fleet run: the command's work on each of this shard's targets, with the target's own
session, under the rollout controls; one result per target, and the run's result file.

A target's failure is its own: whatever it raises (a role that cannot be assumed, an endpoint
that does not answer, a plan with errors) becomes its ``failed`` outcome with the reason and
its kind, and the other targets go on (within the failure tolerance). A spec that cannot be
loaded for a target (its variables make a name too long, ...) fails that target as
``invalid`` before any API call of the run.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from reconciler import __version__
from reconciler.aws.session import Session
from reconciler.errors import ConfigError, ReconcilerError
from reconciler.fleet.failures import kind_of
from reconciler.fleet.results import ErrorKind, Outcome, ResultFile, TargetResult
from reconciler.fleet.results import Shard as ShardRecord
from reconciler.fleet.rollout import Controls, roll_out
from reconciler.fleet.sessions import FleetSessions
from reconciler.fleet.shards import Shard
from reconciler.fleet.targets import Target, targets_digest
from reconciler.spec.loader import LoadedSpec

log = logging.getLogger("reconciler.fleet")


@dataclass(frozen=True)
class Done:
    """What a command's work made of one target."""

    outcome: Outcome
    reason: str | None = None
    error_kind: ErrorKind | None = None
    report: dict[str, Any] | None = None
    #: what a person reads of it (the plan, the drift, the steps applied)
    text: str = ""


#: A command's work on one target: its spec (``None`` for import) and its session.
Work = Callable[[Target, LoadedSpec | None, Session], Done]
#: Called as each target finishes (from the worker threads, one at a time).
Show = Callable[[TargetResult, str], None]


@dataclass(frozen=True)
class Settings:
    command: str
    fleet: Sequence[Target]
    shard: Shard | None
    controls: Controls
    retry: bool = False
    stack: str | None = None


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _result(
    target: Target,
    shard: int,
    done: Done,
    *,
    started: datetime | None,
    requests: int | None,
    stack: str | None = None,
) -> TargetResult:
    return TargetResult(
        target=target.id,
        account=target.account,
        region=target.region,
        account_name=target.account_name,
        ou=target.ou,
        stack=stack,
        shard=shard,
        outcome=done.outcome,
        reason=done.reason,
        error_kind=done.error_kind,
        started_at=started,
        ended_at=_now() if started else None,
        requests=requests,
        report=done.report,
    )


def spec_failure(error: ConfigError) -> Done:
    shown = [str(i) for i in error.issues] or [str(error)]
    more = f" (and {len(shown) - 5} more)" if len(shown) > 5 else ""
    return Done(
        "failed",
        reason=f"{error.message}: " + "; ".join(shown[:5]) + more,
        error_kind="invalid",
        text="\n".join(shown) + "\n",
    )


def run_fleet(
    settings: Settings,
    targets: Sequence[Target],
    specs: Mapping[str, LoadedSpec | ConfigError | None],
    work: Work,
    *,
    hub: Session,
    env: Mapping[str, str],
    show: Show,
    stop: threading.Event | None = None,
) -> ResultFile:
    """Run ``work`` on each of ``targets`` (this shard's); their results as a result file."""
    shard = settings.shard.index if settings.shard else 1
    sessions = FleetSessions(hub, env=env)
    shown = threading.Lock()
    started_at = _now()

    def run(target: Target) -> TargetResult:
        started = _now()
        requests: int | None = None
        loaded = specs.get(target.id)
        if isinstance(loaded, ConfigError):
            done = spec_failure(loaded)
        else:
            try:
                with sessions.session(target) as session:
                    try:
                        done = work(target, loaded, session)
                    finally:
                        requests = session.transport.requests_sent
            except ReconcilerError as exc:
                done = Done("failed", reason=str(exc), error_kind=kind_of(exc), text=f"{exc}\n")
            except Exception as exc:  # a defect: the target fails, the others go on
                log.debug("%s: unexpected error", target.id, exc_info=True)
                done = Done(
                    "failed",
                    reason=f"unexpected {type(exc).__name__}: {exc}",
                    error_kind="other",
                    text=f"unexpected {type(exc).__name__}: {exc}\n",
                )
        stack = loaded.spec.stack if isinstance(loaded, LoadedSpec) else settings.stack
        result = _result(target, shard, done, started=started, requests=requests, stack=stack)
        with shown:
            show(result, done.text)
        return result

    def not_started(target: Target, why: str) -> TargetResult:
        loaded = specs.get(target.id)
        stack = loaded.spec.stack if isinstance(loaded, LoadedSpec) else settings.stack
        done = Done("not_started", reason=why)
        return _result(target, shard, done, started=None, requests=None, stack=stack)

    try:
        outcome = roll_out(targets, run, settings.controls, not_started=not_started, stop=stop)
    finally:
        sessions.close()
    total = settings.shard.total if settings.shard else 1
    return ResultFile(
        format_version="1",
        kind="reconciler-fleet-result",
        command=settings.command,  # type: ignore[arg-type]
        stack=settings.stack,
        reconciler_version=__version__,
        targets_digest=targets_digest(settings.fleet),
        fleet_size=len(settings.fleet),
        shard=ShardRecord(index=shard, total=total),
        retry=settings.retry,
        started_at=started_at,
        ended_at=_now(),
        rollout=settings.controls.described(exceeded=outcome.exceeded),
        targets=outcome.results,
    )

"""Apply: walk the plan in dependency order and make each change; never re-diff.

Resources run in parallel on a bounded pool as soon as what they depend on is done; the steps of
one resource run serially, in the plan's order (S3 answers concurrent configuration writes to one
bucket with ``OperationAborted``); a distribution's steps (create, tags, configuration, waits,
the delete sequence) come from `reconciler.kinds.distribution.steps`. A failed step stops the
rest of its resource and everything that depends on it; independent work carries on. The result
is a per-step report: done, failed (with the reason) or skipped (with why), so a user knows
exactly where things stand, and running the same spec again converges from there.

S3 is eventually consistent right after a bucket is created or deleted: ``NoSuchBucket`` on a
bucket this apply just created, and ``OperationAborted``, are retried with capped backoff, a
bounded number of times.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from types import FrameType
from typing import Any, TypeVar

from reconciler.apply.guard import Guard
from reconciler.aws.cloudfront import CloudFrontClient
from reconciler.aws.cloudfront_waiters import Waiter
from reconciler.aws.s3 import S3Client
from reconciler.errors import (
    BucketAlreadyOwnedByYou,
    NoSuchBucket,
    OperationAborted,
    ReconcilerError,
)
from reconciler.kinds.bucket.writes import owner_id as read_owner_id
from reconciler.kinds.bucket.writes import write_aspect
from reconciler.kinds.distribution.steps import DistributionSteps
from reconciler.kinds.distribution.steps import steps as distribution_steps
from reconciler.plan.model import Action, Plan, ResourceChange

T = TypeVar("T")

DONE, FAILED, SKIPPED = "done", "failed", "skipped"


@dataclass(frozen=True)
class StepResult:
    """One step of the apply: ``step`` is ``bucket`` (create / delete) or an aspect."""

    address: str
    step: str
    action: str
    status: str
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "step": self.step,
            "action": self.action,
            "status": self.status,
            "reason": self.reason,
        }


@dataclass
class ApplyReport:
    results: list[StepResult] = field(default_factory=list)
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        return all(r.status == DONE for r in self.results)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)


@dataclass(frozen=True)
class Backoff:
    """Retries of the eventual-consistency answers: capped exponential waits, bounded."""

    attempts: int = 8
    base: float = 0.5
    cap: float = 10.0

    def delay(self, attempt: int) -> float:
        return float(min(self.cap, self.base * 2 ** (attempt - 1)))


def steps(change: ResourceChange) -> list[tuple[str, str]]:
    """The steps of a change, in order: (step, action)."""
    if change.kind == "distribution":
        return distribution_steps(change)
    steps: list[tuple[str, str]] = []
    if change.action in (Action.DELETE, Action.REPLACE):
        steps.append(("bucket", "delete"))
    if change.action in (Action.CREATE, Action.REPLACE):
        steps.append(("bucket", "create"))
    steps += [(a.aspect, a.action.value) for a in change.aspects]
    return steps


class Executor:
    def __init__(
        self,
        s3: S3Client,
        *,
        guard: Guard,
        cloudfront: CloudFrontClient | None = None,
        waiter: Waiter | None = None,
        parallelism: int = 16,
        backoff: Backoff = Backoff(),
        sleep: Callable[[float], None] = time.sleep,
        on_step: Callable[[StepResult], None] | None = None,
    ) -> None:
        self._s3 = s3
        self._guard = guard
        self._cloudfront = cloudfront
        self._waiter = waiter or (Waiter(cloudfront) if cloudfront else None)
        self._distributions: DistributionSteps | None = None
        self._parallelism = parallelism
        self._backoff = backoff
        self._sleep = sleep
        self._on_step = on_step
        self._lock = threading.Lock()
        self._stop = threading.Event()

    # -- one resource ----------------------------------------------------------------------

    def _retrying(self, call: Callable[[], T], *, created: bool) -> T:
        attempt = 1
        while True:
            try:
                return call()
            except (OperationAborted, NoSuchBucket) as exc:
                retry = isinstance(exc, OperationAborted) or created
                if not retry or attempt >= self._backoff.attempts:
                    raise
                self._sleep(self._backoff.delay(attempt))
                attempt += 1

    def _empty(self, name: str) -> None:
        """Delete every object version and delete marker (force_destroy)."""
        s3 = self._s3
        while True:
            batch = [(v.key, v.version_id) for v in s3.list_object_versions(name)]
            if not batch:
                return
            result = s3.delete_objects(name, batch)
            if result.failures:
                first = result.failures[0]
                raise ReconcilerError(
                    f"{len(result.failures)} object version(s) could not be deleted, e.g. "
                    f"{first.key!r}: {first.code}: {first.message}",
                    address=f"bucket.{name}",
                )

    def _delete_bucket(self, change: ResourceChange) -> None:
        s3, bucket = self._s3, change.name
        where = change.previous_region or change.region
        if where:
            s3.remember_region(bucket, where)
        try:
            if not self._guard.deleting_bucket(s3, change, emptying=change.force_destroy):
                return  # already gone: an earlier, interrupted apply got this far
            if change.force_destroy:
                self._empty(bucket)
            self._retrying(lambda: s3.delete_bucket(bucket), created=False)
        except NoSuchBucket:
            return  # already gone: an earlier, interrupted apply got this far

    def _create_bucket(self, change: ResourceChange) -> None:
        region = change.region or self._s3.region
        try:
            self._retrying(
                lambda: self._s3.create_bucket(change.name, region=region), created=False
            )
        except BucketAlreadyOwnedByYou:
            return  # an earlier, interrupted apply created it

    def _bucket_runner(self, change: ResourceChange) -> Callable[[str, str], None]:
        """A function that runs one step of a bucket's change."""
        s3 = self._s3
        if change.region and change.action is not Action.REPLACE:
            s3.remember_region(change.name, change.region)
        owner: list[str] = []

        def owner_id() -> str:
            if not owner:
                owner.append(read_owner_id(s3, change.name))
            return owner[0]

        created = change.action in (Action.CREATE, Action.REPLACE)
        by_aspect = {a.aspect: a for a in change.aspects}

        def run(step: str, action: str) -> None:
            if step == "bucket" and action == "delete":
                self._delete_bucket(change)
            elif step == "bucket":
                self._create_bucket(change)
                s3.remember_region(change.name, change.region or s3.region)
            else:
                self._guard.writing_aspect(change, step, by_aspect[step].after)
                write = partial(
                    write_aspect,
                    s3,
                    change.name,
                    step,
                    by_aspect[step].after,
                    owner=owner_id,
                    before=by_aspect[step].before,
                )
                self._retrying(write, created=created)

        return run

    def _run_resource(self, change: ResourceChange) -> list[StepResult]:
        if change.kind == "distribution":
            if self._distributions is None:
                raise ReconcilerError(
                    "no CloudFront client to apply a distribution's change", address=change.address
                )
            run = self._distributions.runner(change)
        else:
            run = self._bucket_runner(change)
        results: list[StepResult] = []
        failed: str | None = None
        for step, action in steps(change):
            if failed is not None:
                results.append(
                    self._emit(change.address, step, action, SKIPPED, f"{failed} failed before it")
                )
                continue
            try:
                run(step, action)
            except ReconcilerError as exc:
                failed = step
                results.append(self._emit(change.address, step, action, FAILED, str(exc)))
                continue
            results.append(self._emit(change.address, step, action, DONE))
        return results

    def _emit(
        self, address: str, step: str, action: str, status: str, reason: str | None = None
    ) -> StepResult:
        result = StepResult(address, step, action, status, reason)
        if self._on_step:
            with self._lock:
                self._on_step(result)
        return result

    # -- the plan ----------------------------------------------------------------------------

    def request_stop(self) -> None:
        """Start nothing new; resources under way finish their steps (safe from a signal)."""
        self._stop.set()

    def _skip(self, change: ResourceChange, reason: str) -> list[StepResult]:
        return [
            self._emit(change.address, step, action, SKIPPED, reason)
            for step, action in steps(change)
        ]

    def apply(self, plan: Plan) -> ApplyReport:
        report = ApplyReport()
        if self._cloudfront is not None and self._waiter is not None:
            self._distributions = DistributionSteps(
                self._cloudfront,
                self._waiter,
                guard=self._guard,
                stack=plan.stack,
                spec_digest=plan.spec_digest,
            )
        pending = {c.address: c for c in plan.changes}
        finished: dict[str, bool] = {}
        running: dict[Future[list[StepResult]], str] = {}
        with ThreadPoolExecutor(max_workers=self._parallelism) as pool:
            while pending or running:
                for address, change in list(pending.items()):
                    if self._stop.is_set():
                        del pending[address]
                        report.interrupted = True
                        report.results += self._skip(change, "the apply was interrupted")
                        continue
                    # Dependencies outside the plan have nothing to do: they are satisfied.
                    deps = [
                        d
                        for d in change.depends_on
                        if d in pending or d in finished or d in running.values()
                    ]
                    broken = [d for d in deps if finished.get(d) is False]
                    if broken:
                        del pending[address]
                        finished[address] = False
                        report.results += self._skip(
                            change, f"it depends on {broken[0]}, which failed"
                        )
                    elif len(running) < self._parallelism and all(finished.get(d) for d in deps):
                        # Submitted only when a worker is free: what waits can still be stopped.
                        del pending[address]
                        running[pool.submit(self._run_resource, change)] = address
                if not running:
                    if pending:  # cannot happen with a plan from the planner; never spin
                        raise ReconcilerError(
                            "the plan's dependencies cannot be satisfied: "
                            + ", ".join(sorted(pending))
                        )
                    continue
                done, _ = wait(list(running), return_when=FIRST_COMPLETED)
                for future in done:
                    address = running.pop(future)
                    results = future.result()
                    report.results.extend(results)
                    finished[address] = all(r.status == DONE for r in results)
        order = {c.address: i for i, c in enumerate(plan.changes)}
        report.results.sort(key=lambda r: order.get(r.address, 0))
        return report


@contextmanager
def stop_on_interrupt(
    executor: Executor, *, notify: Callable[[str], None] | None = None
) -> Iterator[None]:
    """While applying, a first Ctrl-C (SIGINT) is acknowledged at once (``notify``), lets the
    requests under way finish and skips the rest, so the report stays true; a second one
    aborts the process at once, saying so (no Python traceback or shutdown noise). Outside the
    main thread (where signals cannot be caught) this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def second(signum: int, frame: FrameType | None) -> None:
        sys.stdout.flush()
        sys.stderr.write(
            "\nAborted: the requests under way may or may not have been applied; run plan to "
            "see where things stand.\n"
        )
        sys.stderr.flush()
        os._exit(130)

    def first(signum: int, frame: FrameType | None) -> None:
        executor.request_stop()
        signal.signal(signal.SIGINT, second)
        if notify is not None:
            notify("\nStopping after the requests under way; Ctrl-C again to abort.")

    previous = signal.signal(signal.SIGINT, first)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)

"""Apply: walk the plan in dependency order and make each change; never re-diff.

Resources run in parallel on a bounded pool as soon as what they depend on is done; the steps of
one resource run serially, in the plan's order: each kind turns a change into typed steps
(`ResourceKind.steps`: a bucket's create, delete and aspects, a distribution's create,
configuration, waits and delete sequence), each retrying what is its own to retry and checking
the contract's safety rules before it acts. A failed step stops the rest of its resource and
everything that depends on it; independent work carries on. The result is a per-step report:
done, failed (with the reason) or skipped (with why), so a user knows exactly where things
stand, and running the same spec again converges from there.
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
from types import FrameType
from typing import Any

from reconciler.apply.guard import Guard
from reconciler.aws.cloudfront import CloudFrontClient
from reconciler.aws.cloudfront_waiters import Waiter
from reconciler.aws.s3 import S3Client
from reconciler.errors import ReconcilerError
from reconciler.kinds.base import ApplyContext, Clients, Step, StepStatus
from reconciler.kinds.registry import kind
from reconciler.plan.model import Plan, ResourceChange
from reconciler.retries import EVENTUAL, Backoff

DONE, FAILED, SKIPPED = StepStatus.DONE, StepStatus.FAILED, StepStatus.SKIPPED


@dataclass(frozen=True)
class StepResult:
    """One step of the apply: ``step`` is the part it acted on (``bucket``, an aspect,
    ``distribution``, ...)."""

    address: str
    step: str
    action: str
    status: StepStatus
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "step": self.step,
            "action": self.action,
            "status": str(self.status),
            "reason": self.reason,
        }


@dataclass
class ApplyReport:
    results: list[StepResult] = field(default_factory=list)
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        return all(r.status is DONE for r in self.results)

    def count(self, status: StepStatus) -> int:
        return sum(1 for r in self.results if r.status is status)


class Executor:
    def __init__(
        self,
        s3: S3Client,
        *,
        guard: Guard,
        cloudfront: CloudFrontClient | None = None,
        waiter: Waiter | None = None,
        parallelism: int = 16,
        backoff: Backoff = EVENTUAL,
        sleep: Callable[[float], None] = time.sleep,
        on_step: Callable[[StepResult], None] | None = None,
    ) -> None:
        self._clients = Clients(s3, cloudfront)
        self._guard = guard
        self._waiter = waiter or (Waiter(cloudfront) if cloudfront else None)
        self._parallelism = parallelism
        self._backoff = backoff
        self._sleep = sleep
        self._on_step = on_step
        self._lock = threading.Lock()
        self._stop = threading.Event()

    # -- one resource ----------------------------------------------------------------------

    def _context(self, plan: Plan) -> ApplyContext:
        return ApplyContext(
            clients=self._clients,
            guard=self._guard,
            stack=plan.stack,
            spec_digest=plan.spec_digest,
            backoff=self._backoff,
            sleep=self._sleep,
            waiter=self._waiter,
            parallelism=self._parallelism,
        )

    def _steps(self, change: ResourceChange, context: ApplyContext) -> list[Step]:
        return kind(change.kind).steps(change, context)

    def _run_resource(self, change: ResourceChange, context: ApplyContext) -> list[StepResult]:
        results: list[StepResult] = []
        failed: str | None = None
        for step in self._steps(change, context):
            if failed is not None:
                results.append(
                    self._emit(change.address, step, SKIPPED, f"{failed} failed before it")
                )
                continue
            try:
                step.run()
            except ReconcilerError as exc:
                failed = step.part
                results.append(self._emit(change.address, step, FAILED, str(exc)))
                continue
            results.append(self._emit(change.address, step, DONE))
        return results

    def _emit(
        self, address: str, step: Step, status: StepStatus, reason: str | None = None
    ) -> StepResult:
        result = StepResult(address, step.part, step.action, status, reason)
        if self._on_step:
            with self._lock:
                self._on_step(result)
        return result

    # -- the plan ----------------------------------------------------------------------------

    def request_stop(self) -> None:
        """Start nothing new; resources under way finish their steps (safe from a signal)."""
        self._stop.set()

    def _skip(self, change: ResourceChange, context: ApplyContext, reason: str) -> list[StepResult]:
        return [
            self._emit(change.address, step, SKIPPED, reason)
            for step in self._steps(change, context)
        ]

    def apply(self, plan: Plan) -> ApplyReport:
        report = ApplyReport()
        context = self._context(plan)
        pending = {c.address: c for c in plan.changes}
        finished: dict[str, bool] = {}
        running: dict[Future[list[StepResult]], str] = {}
        with ThreadPoolExecutor(max_workers=self._parallelism) as pool:
            while pending or running:
                for address, change in list(pending.items()):
                    if self._stop.is_set():
                        del pending[address]
                        report.interrupted = True
                        report.results += self._skip(change, context, "the apply was interrupted")
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
                            change, context, f"it depends on {broken[0]}, which failed"
                        )
                    elif len(running) < self._parallelism and all(finished.get(d) for d in deps):
                        # Submitted only when a worker is free: what waits can still be stopped.
                        del pending[address]
                        running[pool.submit(self._run_resource, change, context)] = address
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
                    finished[address] = all(r.status is DONE for r in results)
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

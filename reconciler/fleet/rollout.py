"""Rollout controls, as CloudFormation StackSets names them, over one run's targets.

- ``--max-concurrent N|P%``: at most this many targets run at once (a percentage of the run's
  targets, rounded down, at least one).
- ``--failure-tolerance N|P%``: once more targets than this have failed, no new target starts;
  those under way finish, and the rest are reported ``not_started`` (rounded down; left out,
  no limit: one account's failure never stops the others).
- ``--region-order R1,R2``: region by region, each finished before the next starts (the
  regions not named follow, in the targets file's order); left out, every region at once.
- ``--strict``: concurrency drops as failures arrive (StackSets' STRICT_FAILURE_TOLERANCE):
  at most the tolerance plus one, less each failure, never below one.

Two targets of one account never run at once: an account's API budgets (above all
CloudFront's, which is global and throttles per account) are its own, and StackSets too works
through an account's regions one after another.
"""

from __future__ import annotations

import re
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

from reconciler.errors import ConfigError
from reconciler.fleet.results import Rollout, TargetResult
from reconciler.fleet.targets import Target

_AMOUNT = re.compile(r"^\s*(\d+)\s*(%?)\s*$")
DEFAULT_MAX_CONCURRENT = 4


@dataclass(frozen=True)
class Amount:
    """A count, or a percentage of a run's targets."""

    value: int
    percent: bool = False

    @classmethod
    def parse(cls, text: str, option: str) -> Amount:
        found = _AMOUNT.match(text)
        if found is None:
            raise ConfigError(f"{option}: {text!r} is not a count (3) or a percentage (10%)")
        value, percent = int(found.group(1)), bool(found.group(2))
        if percent and value > 100:
            raise ConfigError(f"{option}: {text!r}: a percentage is at most 100%")
        return cls(value, percent)

    def of(self, total: int) -> int:
        return total * self.value // 100 if self.percent else self.value

    def __str__(self) -> str:
        return f"{self.value}%" if self.percent else str(self.value)


@dataclass(frozen=True)
class Controls:
    max_concurrent: Amount = Amount(DEFAULT_MAX_CONCURRENT)
    failure_tolerance: Amount | None = None
    region_order: tuple[str, ...] = ()
    strict: bool = False

    def __post_init__(self) -> None:
        if self.max_concurrent.value < 1:
            raise ConfigError("--max-concurrent: at least 1 (or a percentage above 0%)")

    def described(self, *, exceeded: bool) -> Rollout:
        return Rollout(
            max_concurrent=str(self.max_concurrent),
            failure_tolerance=str(self.failure_tolerance) if self.failure_tolerance else None,
            region_order=list(self.region_order),
            strict=self.strict,
            exceeded=exceeded,
        )


def waves(targets: Sequence[Target], region_order: Sequence[str]) -> list[list[Target]]:
    """The targets in the groups that run one after another: one group without a region
    order; with one, a group per region (those named first, in that order)."""
    if not region_order:
        return [list(targets)] if targets else []
    regions = list(dict.fromkeys([*region_order, *(t.region for t in targets)]))
    grouped = [[t for t in targets if t.region == region] for region in regions]
    return [group for group in grouped if group]


@dataclass
class Outcome:
    results: list[TargetResult]
    exceeded: bool
    interrupted: bool


class _Schedule:
    def __init__(self, targets: Sequence[Target], controls: Controls) -> None:
        total = len(targets)
        self.ceiling = max(1, controls.max_concurrent.of(total))
        tolerance = controls.failure_tolerance
        self.tolerance = tolerance.of(total) if tolerance is not None else None
        self.strict = controls.strict
        self.failures = 0

    @property
    def exceeded(self) -> bool:
        return self.tolerance is not None and self.failures > self.tolerance

    def limit(self) -> int:
        if self.strict and self.tolerance is not None:
            return max(1, min(self.ceiling, self.tolerance + 1 - self.failures))
        return self.ceiling


@contextmanager
def _first_interrupt_stops(stop: threading.Event) -> Iterator[None]:
    """A first Ctrl-C sets ``stop`` (no new target starts; those under way finish and are
    reported); a second one interrupts as usual. Only the main thread receives signals."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.getsignal(signal.SIGINT)

    def first(number: int, frame: FrameType | None) -> None:
        stop.set()
        signal.signal(signal.SIGINT, before)

    signal.signal(signal.SIGINT, first)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


def roll_out(
    targets: Sequence[Target],
    run: Callable[[Target], TargetResult],
    controls: Controls,
    *,
    not_started: Callable[[Target, str], TargetResult],
    stop: threading.Event | None = None,
) -> Outcome:
    """Run ``run`` on each target under ``controls``; the results in the targets' order. A
    set ``stop``, or a Ctrl-C, starts no new target: those under way finish, the rest are
    reported not started."""
    schedule = _Schedule(targets, controls)
    groups = [deque(group) for group in waves(targets, controls.region_order)]
    stop = stop or threading.Event()
    done: dict[str, TargetResult] = {}
    running: dict[Future[TargetResult], Target] = {}
    busy: set[str] = set()
    current = 0
    with (
        _first_interrupt_stops(stop),
        ThreadPoolExecutor(schedule.ceiling, thread_name_prefix="target") as pool,
    ):
        while True:
            while current < len(groups) and not schedule.exceeded and not stop.is_set():
                group = groups[current]
                if not group:
                    if running:
                        break  # the next region waits for this one to finish
                    current += 1
                    continue
                if len(running) >= schedule.limit():
                    break
                ready = next((t for t in group if t.account not in busy), None)
                if ready is None:
                    break
                group.remove(ready)
                busy.add(ready.account)
                running[pool.submit(run, ready)] = ready
            if not running:
                break
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                target = running.pop(future)
                busy.discard(target.account)
                result = future.result()
                done[target.id] = result
                if result.outcome == "failed":
                    schedule.failures += 1
    why = (
        f"not started: more targets failed ({schedule.failures}) than the failure tolerance "
        f"allows ({controls.failure_tolerance}, {schedule.tolerance} of {len(targets)})"
        if schedule.exceeded
        else "not started: the run was interrupted"
    )
    for group in groups:
        for target in group:
            done[target.id] = not_started(target, why)
    return Outcome(
        [done[t.id] for t in targets],
        exceeded=schedule.exceeded,
        interrupted=stop.is_set() and not schedule.exceeded,
    )

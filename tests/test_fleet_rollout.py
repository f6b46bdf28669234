"""Rollout controls over a run's targets: how many at once, one account's targets never
together, no new target once the failure tolerance is exceeded (the rest not started),
region by region, and strict mode lowering concurrency as failures arrive."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from reconciler.errors import ConfigError
from reconciler.fleet.results import TargetResult
from reconciler.fleet.rollout import Amount, Controls, roll_out, waves
from reconciler.fleet.targets import Target


def targets(accounts: int, regions: tuple[str, ...] = ("us-east-1",)) -> list[Target]:
    return [
        Target(account=f"{n:012d}", region=r, role_arn=f"arn:aws:iam::{n:012d}:role/x")
        for n in range(1, accounts + 1)
        for r in regions
    ]


def result(target: Target, outcome: str, reason: str | None = None) -> TargetResult:
    return TargetResult(
        target=target.id,
        account=target.account,
        region=target.region,
        shard=1,
        outcome=outcome,  # type: ignore[arg-type]
        reason=reason,
    )


class Recorder:
    """A fake target run: records when each ran and how many ran at once."""

    def __init__(
        self,
        fails: Callable[[Target], bool] = lambda t: False,
        pause: float = 0.02,
        failing_pause: float | None = None,
    ):
        self.fails = fails
        self.pause = pause
        self.failing_pause = pause if failing_pause is None else failing_pause
        self.lock = threading.Lock()
        self.now = 0
        self.most = 0
        self.order: list[tuple[str, str]] = []  # ("start"|"end", target id)
        self.at_once: list[int] = []

    def __call__(self, target: Target) -> TargetResult:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
            self.at_once.append(self.now)
            self.order.append(("start", target.id))
        time.sleep(self.failing_pause if self.fails(target) else self.pause)
        with self.lock:
            self.now -= 1
            self.order.append(("end", target.id))
        return result(target, "failed" if self.fails(target) else "succeeded")


def not_started(target: Target, why: str) -> TargetResult:
    return result(target, "not_started", why)


def test_at_most_max_concurrent_at_once_and_results_in_target_order() -> None:
    run = Recorder()
    fleet = targets(12)
    done = roll_out(fleet, run, Controls(max_concurrent=Amount(3)), not_started=not_started)
    assert run.most == 3
    assert [r.target for r in done.results] == [t.id for t in fleet]
    assert {r.outcome for r in done.results} == {"succeeded"}
    assert not done.exceeded


def test_a_percentage_of_the_targets_rounds_down_and_is_at_least_one() -> None:
    assert Amount.parse("25%", "--max-concurrent").of(10) == 2
    assert Amount.parse("5%", "--max-concurrent").of(10) == 0
    run = Recorder()
    roll_out(targets(10), run, Controls(max_concurrent=Amount(5, True)), not_started=not_started)
    assert run.most == 1


def test_one_accounts_targets_never_run_at_once() -> None:
    run = Recorder()
    fleet = targets(2, ("us-east-1", "eu-west-1", "us-west-2"))
    roll_out(fleet, run, Controls(max_concurrent=Amount(6)), not_started=not_started)
    running: set[str] = set()
    for event, target in run.order:
        account = target.split("/")[0]
        if event == "start":
            assert account not in running
            running.add(account)
        else:
            running.discard(account)
    assert run.most == 2  # one per account


def test_a_tolerance_of_zero_starts_nothing_after_the_first_failure() -> None:
    fleet = targets(8)
    run = Recorder(fails=lambda t: t.account.endswith("02"))
    done = roll_out(
        fleet, run, Controls(max_concurrent=Amount(1), failure_tolerance=Amount(0)),
        not_started=not_started,
    )  # fmt: skip
    outcomes = [r.outcome for r in done.results]
    assert outcomes == ["succeeded", "failed"] + ["not_started"] * 6
    assert done.exceeded
    assert done.results[-1].reason == (
        "not started: more targets failed (1) than the failure tolerance allows (0, 0 of 8)"
    )
    assert [t for e, t in run.order if e == "start"] == [fleet[0].id, fleet[1].id]


def test_failures_within_the_tolerance_stop_nothing() -> None:
    run = Recorder(fails=lambda t: int(t.account) % 4 == 0)
    done = roll_out(
        targets(12), run, Controls(max_concurrent=Amount(2), failure_tolerance=Amount(25, True)),
        not_started=not_started,
    )  # fmt: skip
    assert [r.outcome for r in done.results].count("failed") == 3  # 25% of 12
    assert "not_started" not in [r.outcome for r in done.results]
    assert not done.exceeded


def test_region_by_region_each_finished_before_the_next() -> None:
    fleet = targets(3, ("us-east-1", "eu-west-1", "ap-south-1"))
    run = Recorder()
    roll_out(
        fleet, run, Controls(max_concurrent=Amount(3), region_order=("eu-west-1", "us-east-1")),
        not_started=not_started,
    )  # fmt: skip
    regions = [(event, target.split("/")[1]) for event, target in run.order]
    started = [r for e, r in regions if e == "start"]
    assert started == ["eu-west-1"] * 3 + ["us-east-1"] * 3 + ["ap-south-1"] * 3
    for before, after in (("eu-west-1", "us-east-1"), ("us-east-1", "ap-south-1")):
        last_end = max(i for i, (e, r) in enumerate(regions) if e == "end" and r == before)
        first_start = min(i for i, (e, r) in enumerate(regions) if e == "start" and r == after)
        assert last_end < first_start
    assert run.most == 3
    assert [len(w) for w in waves(fleet, ())] == [9]


def test_strict_mode_lowers_concurrency_as_failures_arrive() -> None:
    fleet = targets(12)
    # the two failures answer first, while the others are under way
    run = Recorder(fails=lambda t: int(t.account) <= 2, pause=0.1, failing_pause=0.01)
    done = roll_out(
        fleet, run,
        Controls(max_concurrent=Amount(5), failure_tolerance=Amount(3), strict=True),
        not_started=not_started,
    )  # fmt: skip
    assert run.at_once[:4] == [1, 2, 3, 4]  # min(5, the tolerance + 1) at first
    assert max(run.at_once[4:]) <= 2  # after two failures: 3 + 1 - 2
    assert [r.outcome for r in done.results].count("failed") == 2
    assert not done.exceeded


def test_a_stop_starts_no_new_target() -> None:
    stop = threading.Event()
    fleet = targets(6)

    def run(target: Target) -> TargetResult:
        stop.set()
        return result(target, "succeeded")

    done = roll_out(
        fleet, run, Controls(max_concurrent=Amount(1)), not_started=not_started, stop=stop
    )
    assert [r.outcome for r in done.results] == ["succeeded"] + ["not_started"] * 5
    assert done.interrupted
    assert done.results[1].reason == "not started: the run was interrupted"


@pytest.mark.parametrize(
    ("text", "message"),
    [("x", r"'x' is not a count \(3\) or a percentage \(10%\)"), ("101%", "at most 100%")],
)
def test_a_wrong_amount_is_refused(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Amount.parse(text, "--failure-tolerance")
    with pytest.raises(ConfigError, match="--max-concurrent: at least 1"):
        Controls(max_concurrent=Amount(0))


def test_a_ctrl_c_lets_the_targets_under_way_finish_and_starts_no_other() -> None:
    import os
    import signal

    fleet = targets(5)

    def run(target: Target) -> TargetResult:
        if target is fleet[0]:
            os.kill(os.getpid(), signal.SIGINT)  # the main thread is waiting for this one
            time.sleep(0.1)
        return result(target, "succeeded")

    done = roll_out(fleet, run, Controls(max_concurrent=Amount(1)), not_started=not_started)
    assert [r.outcome for r in done.results] == ["succeeded"] + ["not_started"] * 4
    assert done.interrupted

"""``reconciler targets check``: can each target's role be assumed from the hub's credentials?

Each distinct role is assumed once (a role is per account, shared by its regions), a few at a
time; every target is then said to be ready, or not and why, with the kind of failure (a
denied one needs its trust policy or the hub's permissions fixed)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from reconciler.aws.session import Session
from reconciler.errors import ReconcilerError
from reconciler.fleet.failures import kind_of
from reconciler.fleet.sessions import FleetSessions
from reconciler.fleet.targets import Target
from reconciler.terminal import count

#: Roles assumed at once: STS answers fast, and a hub is one caller for every account.
AT_ONCE = 8


@dataclass(frozen=True)
class Checked:
    target: Target
    problem: str | None = None
    kind: str | None = None


@dataclass(frozen=True)
class CheckResults:
    checked: tuple[Checked, ...]

    @property
    def ok(self) -> bool:
        return all(c.problem is None for c in self.checked)

    def lines(self, *, style: Callable[[str, str | None], str]) -> list[str]:
        out = []
        for c in self.checked:
            if c.problem is None:
                out.append(
                    f"  {style('✓', 'green')} {c.target.id}: {c.target.role_arn} can be assumed"
                )
            else:
                out.append(f"  {style('✗', 'red')} {c.target.id}: {c.kind}: {c.problem}")
        return out

    def summary(self) -> str:
        failed = sum(1 for c in self.checked if c.problem is not None)
        total = len(self.checked)
        if not failed:
            return f"Every target's role can be assumed ({count(total, 'target')})."
        return f"{failed} of {count(total, 'target')} cannot be run: their roles cannot be assumed."


def check_roles(hub: Session, targets: Sequence[Target], *, env: Mapping[str, str]) -> CheckResults:
    sessions = FleetSessions(hub, env=env)
    first: dict[str, Target] = {}
    for target in targets:
        first.setdefault(target.role_arn, target)

    def attempt(target: Target) -> tuple[str | None, str | None]:
        try:
            sessions.check(target)
        except ReconcilerError as exc:
            return str(exc), kind_of(exc)
        return None, None

    try:
        with ThreadPoolExecutor(AT_ONCE, thread_name_prefix="check") as pool:
            found = dict(zip(first, pool.map(attempt, first.values()), strict=True))
    finally:
        sessions.close()
    return CheckResults(tuple(Checked(t, *found[t.role_arn]) for t in targets))

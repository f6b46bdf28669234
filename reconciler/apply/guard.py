"""The executor's own safety rules, checked at the moment of each step, whatever the plan says.

A plan is data, and a saved one comes from outside: the planner's rules (the contract's
ownership and deletion rules) must still hold when a step runs, even if a plan file was forged
and the check that a saved plan is the one the spec gives were somehow passed. So each kind's
steps check them again, from the spec the plan was made from (not from the plan), reading the
resource's ownership again before anything destructive: the bucket kind's rules are in
`reconciler.kinds.bucket.guard`, the distribution kind's in `reconciler.kinds.distribution.guard`.
A refusal is that step's failure (`UnsafeStep`), naming the resource and the rule.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.errors import UnsafeStep
from reconciler.live.model import STACK_TAG
from reconciler.plan.model import ResourceChange
from reconciler.spec.model import Spec


@dataclass(frozen=True)
class Guard:
    """The rules' inputs: the spec a plan was made from (for a destroy, the spec as destroy
    reads it: every resource absent), where buckets without a region go, and the addresses
    ``--replace`` allowed."""

    spec: Spec
    default_region: str
    replace: frozenset[str] = frozenset()

    @property
    def stack(self) -> str:
        return self.spec.stack


def refuse(change: ResourceChange, why: str) -> UnsafeStep:
    return UnsafeStep(f"refused: {why}", address=change.address)


def tags(
    guard: Guard,
    change: ResourceChange,
    after: Any,
    declared: Mapping[str, str] | None,
    *,
    own: Collection[str] = (STACK_TAG,),
) -> None:
    """Checks that the tags ``change`` writes carry this stack's ownership tags (``own``:
    the stack's, and the kind's own, such as a distribution's name) and otherwise the spec's."""
    if not isinstance(after, dict):
        raise refuse(change, "the tags to write are not a map")
    expected = {STACK_TAG: guard.stack} | {k: change.name for k in own if k != STACK_TAG}
    for key, value in expected.items():
        if after.get(key) != value:
            raise refuse(change, f"the tags to write do not say {key}={value}")
    if declared is None:
        return
    given = {k: v for k, v in after.items() if k not in own and not k.startswith("aws:")}
    if given != {k: v for k, v in declared.items() if k not in own}:
        raise refuse(change, "the tags to write are not the spec's")

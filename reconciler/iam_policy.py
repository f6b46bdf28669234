"""Pieces of an IAM policy document, for ``reconciler permissions``: the actions of API
operations (`reconciler.aws.iam`) and a statement granting some on some resources."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from reconciler.aws.iam import OPERATIONS

Command = Literal["plan", "apply", "drift", "import", "destroy"]
COMMANDS: tuple[Command, ...] = ("plan", "apply", "drift", "import", "destroy")


def actions(operations: Iterable[str]) -> tuple[str, ...]:
    """The IAM actions the API ``operations`` are authorized as, sorted."""
    return tuple(sorted({a for op in operations for a in OPERATIONS[op][0]}))


def statement(sid: str, granted: Iterable[str], resources: list[str]) -> dict[str, Any]:
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Action": sorted(granted),
        "Resource": resources[0] if len(resources) == 1 else sorted(resources),
    }

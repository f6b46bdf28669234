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


def by_command(
    sid: str,
    command: Command,
    *,
    reads: Iterable[str],
    deletes: Iterable[str],
    writes: Iterable[str],
) -> dict[str, Any]:
    """One statement on every resource (``*``: CloudFront's have no ARN known before they are
    made) granting the operations ``command`` needs: the ``reads``, with ``writes`` and
    ``deletes`` for apply, with ``deletes`` alone for destroy."""
    operations = list(reads)
    if command == "apply":
        operations += [*deletes, *writes]
    elif command == "destroy":
        operations += deletes
    return statement(sid, actions(operations), ["*"])


def statement(sid: str, granted: Iterable[str], resources: list[str]) -> dict[str, Any]:
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Action": sorted(granted),
        "Resource": resources[0] if len(resources) == 1 else sorted(resources),
    }

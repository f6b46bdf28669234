"""What the origin access control kind needs of IAM: the account's list (each read in full
there), and for apply to read one, create, update and delete; for destroy, to delete."""

from __future__ import annotations

from typing import Any

from reconciler.iam_policy import Command, by_command
from reconciler.spec.model import Spec


def statements(spec: Spec, command: Command) -> list[dict[str, Any]]:
    return [
        by_command(
            "OriginAccessControls",
            command,
            reads=("ListOriginAccessControls",),
            deletes=("GetOriginAccessControl", "DeleteOriginAccessControl"),
            writes=("CreateOriginAccessControl", "UpdateOriginAccessControl"),
        )
    ]

"""What the origin access control kind needs of IAM: the account's list (each read in full
there), and for apply to read one, create, update and delete; for destroy, to delete."""

from __future__ import annotations

from typing import Any

from reconciler.iam_policy import Command, actions, statement
from reconciler.spec.model import Spec

_READS = ("ListOriginAccessControls",)
_DELETES = ("GetOriginAccessControl", "DeleteOriginAccessControl")
_WRITES = (*_DELETES, "CreateOriginAccessControl", "UpdateOriginAccessControl")


def statements(spec: Spec, command: Command) -> list[dict[str, Any]]:
    operations = list(_READS)
    if command == "apply":
        operations += _WRITES
    elif command == "destroy":
        operations += _DELETES
    return [statement("OriginAccessControls", actions(operations), ["*"])]

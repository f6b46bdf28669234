"""``reconciler permissions``: the least-privilege IAM policy a command needs for one spec.

Built from the same facts the reader and the writer act on, each kind stating its own
statements (`ResourceKind.statements`): the operations each declared part reads and writes,
what a resource's existence, ownership and deletion take, and the IAM action each operation is
authorized as (`reconciler.aws.iam`). A kind the spec does not manage needs nothing (a spec
without ``distributions:`` asks for no CloudFront action).

``destroy`` (and ``plan --destroy``) needs what applying the spec with every declared resource
``state: absent`` needs: the same reads, and the deletes alone.
"""

from __future__ import annotations

import json
from typing import Any

from reconciler.destroy import absent
from reconciler.iam_policy import COMMANDS, Command  # noqa: F401 - the commands it serves
from reconciler.kinds.registry import kinds
from reconciler.spec.model import Spec


def policy(spec: Spec, command: Command) -> dict[str, Any]:
    """The IAM policy document ``command`` needs for ``spec``."""
    target = absent(spec) if command == "destroy" else spec
    statements = [
        found
        for kind in kinds()
        if target.manages(kind.declaration.section, always=kind.declaration.always_managed)
        for found in kind.statements(target, command)
    ]
    return {"Version": "2012-10-17", "Statement": statements}


def policy_text(spec: Spec, command: Command) -> str:
    return json.dumps(policy(spec, command), indent=2) + "\n"

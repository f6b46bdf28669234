"""What the distribution kind needs of IAM: the account's distributions listed with their tags
(a distribution is found by them) and the configuration of this stack's; for apply, creating,
updating, tagging and deleting them; for destroy, disabling (an update) and deleting only."""

from __future__ import annotations

from typing import Any

from reconciler.iam_policy import Command, by_command
from reconciler.spec.model import Spec


def statements(spec: Spec, command: Command) -> list[dict[str, Any]]:
    return [
        by_command(
            "Distributions",
            command,
            reads=("ListDistributions", "ListTagsForResource", "GetDistributionConfig"),
            deletes=("GetDistribution", "UpdateDistribution", "DeleteDistribution"),
            writes=("CreateDistributionWithTags", "TagResource", "UntagResource"),
        )
    ]

"""What the distribution kind needs of IAM: the account's distributions listed with their tags
(a distribution is found by them) and the configuration of this stack's; for apply, creating,
updating, tagging and deleting them; for destroy, disabling (an update) and deleting only."""

from __future__ import annotations

from typing import Any

from reconciler.iam_policy import Command, actions, statement
from reconciler.spec.model import Spec

_READS = ("ListDistributions", "ListTagsForResource", "GetDistributionConfig")
_DELETES = ("GetDistribution", "UpdateDistribution", "DeleteDistribution")
_WRITES = (*_DELETES, "CreateDistributionWithTags", "TagResource", "UntagResource")


def statements(spec: Spec, command: Command) -> list[dict[str, Any]]:
    operations = list(_READS)
    if command == "apply":
        operations += _WRITES
    elif command == "destroy":
        operations += _DELETES
    return [statement("Distributions", actions(operations), ["*"])]

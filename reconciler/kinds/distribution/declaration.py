"""The distribution kind, as the spec sees it: ``distributions:``, a map of logical names to
`Distribution` (CloudFront picks the id)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from reconciler.address import Address
from reconciler.kinds.bucket.aspects import object_ownership
from reconciler.kinds.declaration import Declaration, Reference
from reconciler.kinds.distribution import rules
from reconciler.kinds.distribution.declared import SECTION
from reconciler.kinds.distribution.model import Distribution

if TYPE_CHECKING:
    from reconciler.spec.model import Spec

KIND = "distribution"

#: What is read of an undeclared bucket a distribution writes its logs into: CloudFront
#: writes them through ACLs, which an ownership of BucketOwnerEnforced disables.
LOG_BUCKET_NEEDS = frozenset({object_ownership.ASPECT.key})


def references(spec: Spec, name: str, dist: Distribution) -> Iterator[Reference]:
    """The buckets a present distribution uses: its S3 origins and its logging bucket."""
    if dist.state == "absent":
        return
    for origin in dist.origins or []:
        if origin.bucket:
            yield Reference(Address("bucket", origin.bucket))
        if origin.origin_access_control:
            yield Reference(Address("origin_access_control", origin.origin_access_control))
    if dist.logging:
        yield Reference(Address("bucket", dist.logging.bucket), LOG_BUCKET_NEEDS)


def destroyed(dist: Distribution) -> Distribution:
    return dist.model_copy(update={"state": "absent"})


DECLARATION = Declaration(
    kind=KIND,
    section=SECTION,
    model=Distribution,
    description="CloudFront distributions, by logical name. Left out, the stack does not "
    "manage distributions (no CloudFront request at all); {} means it owns none (owned ones "
    "are deleted).",
    noun="distribution",
    rules=rules.check,
    references=references,
    destroyed=destroyed,
    relative_paths=False,
    deleting="will be disabled, then deleted",
)

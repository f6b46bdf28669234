"""``accelerate``: S3 Transfer Acceleration (enabled or suspended; never configured reads as
suspended). Acceleration needs a bucket name without dots."""

from __future__ import annotations

from collections.abc import Iterator

from reconciler.kinds.bucket.aspects import switch
from reconciler.kinds.bucket.aspects.base import Aspect, Call, S3Calls, Unconfigured
from reconciler.kinds.bucket.model import Bucket
from reconciler.spec.findings import Finding, RuleContext
from reconciler.spec.source import Path

#: The root element S3 answers and takes.
DOCUMENT = "AccelerateConfiguration"


def _rules(ctx: RuleContext, name: str, bucket: Bucket, path: Path) -> Iterator[Finding]:
    if bucket.accelerate == "enabled" and "." in name:
        yield Finding(
            (*path, "accelerate"),
            f"transfer acceleration needs a bucket name without dots (S3 refuses it for {name!r})",
        )


ASPECT = Aspect(
    key="accelerate",
    calls=S3Calls(
        subresource="accelerate",
        document=DOCUMENT,
        get=Call("GetBucketAccelerateConfiguration", "s3:GetAccelerateConfiguration"),
        put=Call("PutBucketAccelerateConfiguration", "s3:PutAccelerateConfiguration"),
    ),
    decode=switch.decode,
    encode=switch.encoder(DOCUMENT),
    unconfigured=Unconfigured(compares_as="suspended"),
    follows=("tags",),
    rules=_rules,
)

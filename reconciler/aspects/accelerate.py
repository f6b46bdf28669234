"""``accelerate``: S3 Transfer Acceleration (enabled or suspended; never configured reads as
suspended). Acceleration needs a bucket name without dots."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element

from reconciler import xmlcodec as xml
from reconciler.aspects.base import Aspect, Call, Decoded, S3Calls, WriteContext
from reconciler.spec.bucket import Bucket
from reconciler.spec.findings import Finding, RuleContext
from reconciler.spec.source import Path

#: The root element S3 answers and takes.
DOCUMENT = "AccelerateConfiguration"


def _decode(root: Element) -> Decoded:
    return Decoded("enabled" if xml.text(root, "Status") == "Enabled" else "suspended")


def _encode(value: Any, ctx: WriteContext) -> bytes:
    root = xml.root(DOCUMENT)
    xml.add(root, "Status", "Enabled" if value == "enabled" else "Suspended")
    return xml.serialise(root)


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
    decode=_decode,
    encode=_encode,
    never_set="suspended",
    follows=("tags",),
    rules=_rules,
    removable=False,
)

"""``object_ownership``: who owns the objects written into the bucket (and whether ACLs work)."""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element

from reconciler import xmlcodec as xml
from reconciler.kinds.bucket.aspects.base import (
    Aspect,
    Call,
    Decoded,
    S3Calls,
    Unconfigured,
    WriteContext,
)

#: The root element S3 answers and takes.
DOCUMENT = "OwnershipControls"
#: The ownership that disables ACLs (AWS's default for new buckets since April 2023).
ENFORCED = "BucketOwnerEnforced"


def disables_acls(ownership: object) -> bool:
    """Whether a bucket of this ownership refuses ACLs: it takes no ACL but the private one, no
    logging target grants, and no CloudFront standard logs (which are written through ACLs).
    The one statement of that rule, which the ACL, logging and distribution checks ask."""
    return ownership == ENFORCED


def _decode(root: Element) -> Decoded:
    rule = root.find("Rule")
    return Decoded(xml.text(rule, "ObjectOwnership") if rule is not None else None)


def _encode(value: Any, ctx: WriteContext) -> bytes:
    root = xml.root(DOCUMENT)
    xml.add(xml.add(root, "Rule"), "ObjectOwnership", value)
    return xml.serialise(root)


ASPECT = Aspect(
    key="object_ownership",
    calls=S3Calls(
        subresource="ownershipControls",
        document=DOCUMENT,
        get=Call("GetBucketOwnershipControls", "s3:GetBucketOwnershipControls"),
        put=Call("PutBucketOwnershipControls", "s3:PutBucketOwnershipControls"),
        delete=Call("DeleteBucketOwnershipControls", "s3:PutBucketOwnershipControls"),
    ),
    decode=_decode,
    encode=_encode,
    unconfigured=Unconfigured(
        compares_as="ObjectWriter", codes=("OwnershipControlsNotFoundError",)
    ),
    follows=("tags",),
)

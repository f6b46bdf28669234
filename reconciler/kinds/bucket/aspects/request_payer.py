"""``request_payer``: who pays for requests and data transfer (Requester or BucketOwner; never
configured reads as BucketOwner)."""

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
DOCUMENT = "RequestPaymentConfiguration"


def _decode(root: Element) -> Decoded:
    return Decoded("Requester" if xml.text(root, "Payer") == "Requester" else "BucketOwner")


def _encode(value: Any, ctx: WriteContext) -> bytes:
    root = xml.root(DOCUMENT)
    xml.add(root, "Payer", value)
    return xml.serialise(root)


ASPECT = Aspect(
    key="request_payer",
    calls=S3Calls(
        subresource="requestPayment",
        document=DOCUMENT,
        get=Call("GetBucketRequestPayment", "s3:GetBucketRequestPayment"),
        put=Call("PutBucketRequestPayment", "s3:PutBucketRequestPayment"),
    ),
    decode=_decode,
    encode=_encode,
    unconfigured=Unconfigured(compares_as="BucketOwner"),
    follows=("tags",),
)

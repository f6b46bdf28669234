"""``versioning``: enabled or suspended (a bucket once versioned never returns to "never")."""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element

from reconciler import xmlcodec as xml
from reconciler.aspects.base import Aspect, Call, Decoded, S3Calls, WriteContext

#: The root element S3 answers and takes.
DOCUMENT = "VersioningConfiguration"


def _decode(root: Element) -> Decoded:
    return Decoded("enabled" if xml.text(root, "Status") == "Enabled" else "suspended")


def _encode(value: Any, ctx: WriteContext) -> bytes:
    root = xml.root(DOCUMENT)
    xml.add(root, "Status", "Enabled" if value == "enabled" else "Suspended")
    return xml.serialise(root)


ASPECT = Aspect(
    key="versioning",
    calls=S3Calls(
        subresource="versioning",
        document=DOCUMENT,
        get=Call("GetBucketVersioning", "s3:GetBucketVersioning"),
        put=Call("PutBucketVersioning", "s3:PutBucketVersioning"),
    ),
    decode=_decode,
    encode=_encode,
    never_set="suspended",
    follows=("tags",),
    removable=False,
)

"""``versioning``: enabled or suspended (a bucket once versioned never returns to "never")."""

from __future__ import annotations

from reconciler.kinds.bucket.aspects import switch
from reconciler.kinds.bucket.aspects.base import Aspect, Call, S3Calls, Unconfigured

#: The root element S3 answers and takes.
DOCUMENT = "VersioningConfiguration"


ASPECT = Aspect(
    key="versioning",
    calls=S3Calls(
        subresource="versioning",
        document=DOCUMENT,
        get=Call("GetBucketVersioning", "s3:GetBucketVersioning"),
        put=Call("PutBucketVersioning", "s3:PutBucketVersioning"),
    ),
    decode=switch.decode,
    encode=switch.encoder(DOCUMENT),
    unconfigured=Unconfigured(compares_as="suspended"),
    follows=("tags",),
)

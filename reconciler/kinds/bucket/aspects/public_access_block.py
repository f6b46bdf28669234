"""``public_access_block``: the bucket's four public-access switches, and the rules that keep
them from contradicting the ACL and the policy the same spec declares."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element

from reconciler import xmlcodec as xml
from reconciler.kinds.bucket.aspects.acl import public_acl
from reconciler.kinds.bucket.aspects.base import (
    Aspect,
    Call,
    Decoded,
    S3Calls,
    Unconfigured,
    WriteContext,
)
from reconciler.kinds.bucket.aspects.policy import public_policy
from reconciler.kinds.bucket.canonical import Context, Json, dump
from reconciler.kinds.bucket.model import Bucket, PublicAccessBlock
from reconciler.spec.findings import Finding, RuleContext
from reconciler.spec.source import Path

#: The root element S3 answers and takes.
DOCUMENT = "PublicAccessBlockConfiguration"

_FIELDS = (
    ("BlockPublicAcls", "block_public_acls"),
    ("IgnorePublicAcls", "ignore_public_acls"),
    ("BlockPublicPolicy", "block_public_policy"),
    ("RestrictPublicBuckets", "restrict_public_buckets"),
)


def _decode(root: Element) -> Decoded:
    return Decoded(PublicAccessBlock(**{a: bool(xml.boolean(root, t)) for t, a in _FIELDS}))


def _encode(value: Any, ctx: WriteContext) -> bytes:
    root = xml.root(DOCUMENT)
    for tag, attr in _FIELDS:
        xml.add(root, tag, bool(getattr(value, attr)))
    return xml.serialise(root)


def _canonical(value: Any, ctx: Context, desired: bool) -> Json:
    return dump(value) if isinstance(value, PublicAccessBlock) else value


def _rules(ctx: RuleContext, name: str, bucket: Bucket, path: Path) -> Iterator[Finding]:
    block = bucket.public_access_block
    if not block:
        return
    exposed = public_acl(bucket.acl)
    if exposed and block.block_public_acls:
        yield Finding(
            (*path, "acl"),
            f"the acl is public ({exposed}), but "
            "public_access_block.block_public_acls refuses public ACLs",
        )
    if (
        isinstance(bucket.policy, dict)
        and public_policy(bucket.policy)
        and block.block_public_policy
    ):
        yield Finding(
            (*path, "policy"),
            "the policy allows everyone (Principal '*'), but "
            "public_access_block.block_public_policy refuses public policies",
        )


ASPECT = Aspect(
    key="public_access_block",
    calls=S3Calls(
        subresource="publicAccessBlock",
        document=DOCUMENT,
        get=Call("GetPublicAccessBlock", "s3:GetBucketPublicAccessBlock"),
        put=Call("PutPublicAccessBlock", "s3:PutBucketPublicAccessBlock"),
        delete=Call("DeletePublicAccessBlock", "s3:PutBucketPublicAccessBlock"),
    ),
    decode=_decode,
    encode=_encode,
    unconfigured=Unconfigured(
        compares_as={
            "block_public_acls": False,
            "ignore_public_acls": False,
            "block_public_policy": False,
            "restrict_public_buckets": False,
        },
        codes=("NoSuchPublicAccessBlockConfiguration",),
    ),
    canonical=_canonical,
    follows=("object_ownership",),
    rules=_rules,
)

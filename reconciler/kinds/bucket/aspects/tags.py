"""``tags``: the bucket's tags. Always read, since the ``reconciler:stack`` tag records which
stack owns the bucket; ``aws:`` tags belong to AWS services and are never compared or written."""

from __future__ import annotations

from collections.abc import Iterator
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
from reconciler.kinds.bucket.canonical import Context, Json
from reconciler.kinds.bucket.model import Bucket
from reconciler.spec.findings import Finding, RuleContext
from reconciler.spec.source import Path
from reconciler.spec.tag_rules import check_tags

#: The root element S3 answers and takes.
DOCUMENT = "Tagging"


def _decode(root: Element) -> Decoded:
    tag_set = root.find("TagSet")
    if tag_set is None:
        return Decoded({})
    return Decoded(
        {
            xml.text(tag, "Key") or "": xml.text(tag, "Value") or ""
            for tag in xml.children(tag_set, "Tag")
        }
    )


def _encode(value: Any, ctx: WriteContext) -> bytes:
    root = xml.root(DOCUMENT)
    tag_set = xml.add(root, "TagSet")
    for key in sorted(value):
        if key.startswith("aws:"):
            continue
        tag = xml.add(tag_set, "Tag")
        xml.add(tag, "Key", key)
        xml.add(tag, "Value", value[key])
    return xml.serialise(root)


def _canonical(value: Any, ctx: Context, desired: bool) -> Json:
    return {k: v for k, v in sorted(value.items()) if not k.startswith("aws:")}


def _rules(ctx: RuleContext, name: str, bucket: Bucket, path: Path) -> Iterator[Finding]:
    if bucket.tags is not None:
        yield from check_tags(bucket.tags, (*path, "tags"), reserved=1, owner="bucket")


ASPECT = Aspect(
    key="tags",
    calls=S3Calls(
        subresource="tagging",
        document=DOCUMENT,
        get=Call("GetBucketTagging", "s3:GetBucketTagging"),
        put=Call("PutBucketTagging", "s3:PutBucketTagging"),
        delete=Call("DeleteBucketTagging", "s3:PutBucketTagging"),
    ),
    decode=_decode,
    encode=_encode,
    unconfigured=Unconfigured(compares_as={}, codes=("NoSuchTagSet",), reads_as={}),
    canonical=_canonical,
    rules=_rules,
)

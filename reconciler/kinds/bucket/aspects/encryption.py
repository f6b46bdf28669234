"""``encryption``: the default server-side encryption (never configured reads as SSE-S3)."""

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
from reconciler.kinds.bucket.model import Bucket, Encryption
from reconciler.spec.findings import Finding, RuleContext
from reconciler.spec.source import Path

#: The root element S3 answers and takes.
DOCUMENT = "ServerSideEncryptionConfiguration"


def _decode(root: Element) -> Decoded:
    for node in xml.children(root, "Rule"):
        default = node.find("ApplyServerSideEncryptionByDefault")
        if default is None:
            continue
        return Decoded(
            Encryption(
                algorithm=xml.text(default, "SSEAlgorithm") or "",  # type: ignore[arg-type]
                kms_key_id=xml.text(default, "KMSMasterKeyID") or None,
                bucket_key_enabled=xml.boolean(node, "BucketKeyEnabled"),
            )
        )
    return Decoded(None)


def _encode(value: Any, ctx: WriteContext) -> bytes:
    root = xml.root(DOCUMENT)
    node = xml.add(root, "Rule")
    default = xml.add(node, "ApplyServerSideEncryptionByDefault")
    xml.add(default, "SSEAlgorithm", value.algorithm)
    xml.add_if(default, "KMSMasterKeyID", value.kms_key_id)
    xml.add_if(node, "BucketKeyEnabled", value.bucket_key_enabled)
    return xml.serialise(root)


def _canonical(value: Any, ctx: Context, desired: bool) -> Json:
    kms = value.algorithm != "AES256"
    return {
        "algorithm": value.algorithm,
        "kms_key_id": value.kms_key_id if kms else None,
        "bucket_key_enabled": bool(value.bucket_key_enabled),
    }


def _rules(ctx: RuleContext, name: str, bucket: Bucket, path: Path) -> Iterator[Finding]:
    enc = bucket.encryption
    if not enc or enc.algorithm != "AES256":
        return
    if enc.kms_key_id is not None:
        yield Finding(
            (*path, "encryption", "kms_key_id"),
            "kms_key_id applies to aws:kms or aws:kms:dsse encryption only",
        )
    if enc.bucket_key_enabled is not None:
        yield Finding(
            (*path, "encryption", "bucket_key_enabled"),
            "bucket_key_enabled applies to aws:kms or aws:kms:dsse encryption only",
        )


ASPECT = Aspect(
    key="encryption",
    calls=S3Calls(
        subresource="encryption",
        document=DOCUMENT,
        get=Call("GetBucketEncryption", "s3:GetEncryptionConfiguration"),
        put=Call("PutBucketEncryption", "s3:PutEncryptionConfiguration"),
        delete=Call("DeleteBucketEncryption", "s3:PutEncryptionConfiguration"),
    ),
    decode=_decode,
    encode=_encode,
    unconfigured=Unconfigured(
        compares_as={"algorithm": "AES256", "kms_key_id": None, "bucket_key_enabled": False},
        codes=("ServerSideEncryptionConfigurationNotFoundError",),
    ),
    canonical=_canonical,
    follows=("tags",),
    rules=_rules,
)

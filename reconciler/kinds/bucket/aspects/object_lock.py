"""``object_lock``: the default retention of new object versions.

Object lock, once enabled on a bucket, can never be turned off: ``false`` clears the default
retention and leaves the lock itself on. S3 allows enabling it on an existing bucket that has
versioning enabled; the plan warns that it cannot be undone.
"""

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
from reconciler.kinds.bucket.canonical import Context, Json, drop_none
from reconciler.kinds.bucket.model import Bucket
from reconciler.kinds.bucket.model_protection import ObjectLock
from reconciler.spec.findings import Finding, RuleContext
from reconciler.spec.source import Path

#: The root element S3 answers and takes.
DOCUMENT = "ObjectLockConfiguration"


def _decode(root: Element) -> Decoded:
    if xml.text(root, "ObjectLockEnabled") != "Enabled":
        return Decoded(None)
    rule = root.find("Rule")
    retention = rule.find("DefaultRetention") if rule is not None else None
    if retention is None:
        return Decoded(False)  # locked, without a default retention
    return Decoded(
        ObjectLock(
            mode=xml.text(retention, "Mode") or "",  # type: ignore[arg-type]
            # a zero is "not given" (some stores answer Years 0 beside Days)
            days=xml.integer(retention, "Days") or None,
            years=xml.integer(retention, "Years") or None,
        )
    )


def _configuration(value: ObjectLock | None) -> bytes:
    root = xml.root(DOCUMENT)
    xml.add(root, "ObjectLockEnabled", "Enabled")
    if value is not None:
        retention = xml.add(xml.add(root, "Rule"), "DefaultRetention")
        xml.add(retention, "Mode", value.mode)
        xml.add_if(retention, "Days", value.days)
        xml.add_if(retention, "Years", value.years)
    return xml.serialise(root)


def _encode(value: Any, ctx: WriteContext) -> bytes:
    return _configuration(value)


def _canonical(value: Any, ctx: Context, desired: bool) -> Json:
    return drop_none({"mode": value.mode, "days": value.days, "years": value.years})


def _rules(ctx: RuleContext, name: str, bucket: Bucket, path: Path) -> Iterator[Finding]:
    lock = bucket.object_lock
    if not lock:
        return
    where = (*path, "object_lock")
    if (lock.days is None) == (lock.years is None):
        yield Finding(where, "give the default retention in days or in years (one of them)")
    if bucket.versioning != "enabled":
        yield Finding(
            where,
            "object lock needs versioning: enabled on the bucket (S3 refuses it otherwise)",
        )


def _warn(have: Any, want: Any) -> str | None:
    if have is None and want:
        return (
            "this enables object lock on the bucket, which cannot be undone: the default "
            "retention can later be cleared (object_lock: false), the lock itself never"
        )
    return None


ASPECT = Aspect(
    key="object_lock",
    calls=S3Calls(
        subresource="object-lock",
        document=DOCUMENT,
        get=Call("GetObjectLockConfiguration", "s3:GetBucketObjectLockConfiguration"),
        put=Call("PutObjectLockConfiguration", "s3:PutBucketObjectLockConfiguration"),
    ),
    decode=_decode,
    encode=_encode,
    unconfigured=Unconfigured(
        compares_as=None,
        codes=("ObjectLockConfigurationNotFoundError",),
        written_as=lambda: _configuration(None),
        left_alone_on_create=True,
    ),
    canonical=_canonical,
    follows=("versioning",),
    rules=_rules,
    warn_change=_warn,
)

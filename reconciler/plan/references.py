"""Checks of the buckets a spec refers to but does not declare, against what was read of them:
a bucket's logging target, a distribution's log bucket. The spec's own rules check declared
targets offline; these are the promised checks of the rest, made when planning, so that a
plan whose apply would fail half-way (``InvalidTargetBucketForLogging``) is an error before
any write.
"""

from __future__ import annotations

from collections.abc import Iterator

from reconciler.aspects.logging import LOG_DELIVERY_PRINCIPAL, delivers_logs
from reconciler.live.model import LiveBucket
from reconciler.spec.bucket import Bucket

#: (message, path below the resource where the spec says it)
Problem = tuple[str, tuple[str, ...]]


def _found(name: str, what: str, live: LiveBucket | None) -> Iterator[str]:
    """What keeps an undeclared bucket from serving as ``what``: unreadable, missing, foreign."""
    if live is None:
        return
    for failure in live.failures:
        yield f"{what} {name!r} cannot be checked: {failure}"
    if live.failures:
        return
    if not live.exists:
        yield f"{what} {name!r} does not exist, and this spec does not declare it"
    elif live.foreign:
        yield f"{what} {name!r} belongs to another AWS account"


def logging_target(bucket: Bucket, region: str, live: LiveBucket | None) -> Iterator[Problem]:
    """Why an undeclared logging target cannot take this bucket's server access logs."""
    if not bucket.logging or live is None:
        return
    name = bucket.logging.target_bucket
    where = ("logging", "target_bucket")
    problems = list(_found(name, "logging target bucket", live))
    if problems:
        yield from ((p, where) for p in problems)
        return
    if live.region and live.region != region:
        yield (
            f"logging target bucket {name!r} is in {live.region} but this bucket is in "
            f"{region}: S3 delivers logs within a region only",
            where,
        )
    ownership = live.aspects.get("object_ownership")
    enforced = ownership == "BucketOwnerEnforced"
    if enforced and bucket.logging.target_grants:
        yield (
            f"logging target bucket {name!r} has object_ownership BucketOwnerEnforced, which "
            "does not support target grants",
            ("logging", "target_grants"),
        )
    target = Bucket.model_construct(acl=live.aspects.get("acl"), policy=live.aspects.get("policy"))
    if not delivers_logs(target):
        how = f"a bucket policy allowing {LOG_DELIVERY_PRINCIPAL} to s3:PutObject"
        if not enforced:
            how = f"the log-delivery-write ACL, or {how}"
        yield (
            f"logging target bucket {name!r} does not let S3 deliver logs: it needs {how}",
            where,
        )


def distribution_log_bucket(name: str, live: LiveBucket | None) -> Iterator[str]:
    """Why an undeclared bucket cannot take a distribution's standard logs."""
    problems = list(_found(name, "logging bucket", live))
    yield from problems
    enforced = live is not None and live.aspects.get("object_ownership") == "BucketOwnerEnforced"
    if not problems and enforced:
        yield (
            f"logging bucket {name!r} has object_ownership BucketOwnerEnforced: CloudFront "
            "writes standard logs through ACLs, which it disables"
        )

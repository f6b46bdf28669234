"""``logging``: server access logging into a target bucket, and the checks that the target can
receive the logs (declared here, or read when planning: `reconciler.kinds.bucket.references`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element

from reconciler import xmlcodec as xml
from reconciler.errors import Severity
from reconciler.kinds.bucket import canonical as canon
from reconciler.kinds.bucket.aspects import acl, object_ownership, policy
from reconciler.kinds.bucket.aspects import grants as grant_xml
from reconciler.kinds.bucket.aspects.base import (
    Aspect,
    Call,
    Decoded,
    Problem,
    Referenced,
    Refers,
    S3Calls,
    Unconfigured,
    WriteContext,
)
from reconciler.kinds.bucket.canonical import Context, Json
from reconciler.kinds.bucket.declared import declared_bucket
from reconciler.kinds.bucket.model import AclGrants, Bucket, Logging
from reconciler.spec.findings import Finding, RuleContext
from reconciler.spec.source import Path

#: The root element S3 answers and takes.
DOCUMENT = "BucketLoggingStatus"

LOG_DELIVERY_PRINCIPAL = "logging.s3.amazonaws.com"
LOG_DELIVERY_URI = "http://acs.amazonaws.com/groups/s3/LogDelivery"
#: What decides whether a bucket can receive logs.
ACL, POLICY, OWNERSHIP = acl.ASPECT.key, policy.ASPECT.key, object_ownership.ASPECT.key


def _decode(root: Element) -> Decoded:
    enabled = root.find("LoggingEnabled")
    if enabled is None:
        return Decoded(None)
    return Decoded(
        Logging(
            target_bucket=xml.text(enabled, "TargetBucket") or "",
            target_prefix=xml.text(enabled, "TargetPrefix") or "",
            target_grants=grant_xml.decode(enabled.find("TargetGrants")),
        )
    )


def _status(value: Logging | None) -> bytes:
    root = xml.root(DOCUMENT)
    if value is not None:
        enabled = xml.add(root, "LoggingEnabled")
        xml.add(enabled, "TargetBucket", value.target_bucket)
        xml.add(enabled, "TargetPrefix", value.target_prefix)
        if value.target_grants:
            grant_xml.encode(xml.add(enabled, "TargetGrants"), value.target_grants)
    return xml.serialise(root)


def _encode(value: Any, ctx: WriteContext) -> bytes:
    return _status(value)


def _canonical(value: Any, ctx: Context, desired: bool) -> Json:
    grants = list(value.target_grants)
    if desired:
        grants = [g for g in grants if g.grantee.email is None]
    else:
        grants = canon.unverifiable(
            grants,
            emails=ctx.logging_email_permissions,
            declared=ctx.logging_declared_ids,
            owner=None,
        )
    return {
        "target_bucket": value.target_bucket,
        "target_prefix": value.target_prefix,
        "target_grants": canon.grant_map(grants, None),
    }


def _prepare(value: Any, ctx: Context) -> Iterator[tuple[str, tuple[str, ...]]]:
    grants = value.target_grants
    emails = frozenset(g.permission for g in grants if g.grantee.email)
    if emails:
        ctx.logging_email_permissions = emails
        ctx.logging_declared_ids = frozenset(g.grantee.id for g in grants if g.grantee.id)
        yield (
            "target grants to email addresses cannot be verified (AWS answers them "
            "with canonical ids); they are left out of the comparison",
            ("target_grants",),
        )


def delivers_logs(target: Bucket) -> bool:
    """Whether S3 may deliver server access logs into ``target``: a log-delivery ACL (canned or
    a grant to the LogDelivery group) or a policy allowing the logging service principal.
    Used on declared targets here, and by the planner on live ones."""
    if target.acl == "log-delivery-write":
        return True
    if isinstance(target.acl, AclGrants) and any(
        (g.grantee.group == "LogDelivery" or g.grantee.uri == LOG_DELIVERY_URI)
        and g.permission in ("WRITE", "FULL_CONTROL")
        for g in target.acl.grants
    ):
        return True
    return policy.lets_service_put(target.policy, LOG_DELIVERY_PRINCIPAL)


def _check_target(value: Any, region: str, target: Referenced) -> Iterator[Problem]:
    """Why an undeclared logging target cannot take this bucket's server access logs."""
    name, where = target.name, ("target_bucket",)
    if target.region and target.region != region:
        yield (
            f"logging target bucket {name!r} is in {target.region} but this bucket is in "
            f"{region}: S3 delivers logs within a region only",
            where,
        )
    enforced = object_ownership.disables_acls(target.aspects.get(OWNERSHIP))
    if enforced and value.target_grants:
        yield (
            f"logging target bucket {name!r} has object_ownership BucketOwnerEnforced, which "
            "does not support target grants",
            ("target_grants",),
        )
    model = Bucket.model_construct(acl=target.aspects.get(ACL), policy=target.aspects.get(POLICY))
    if not delivers_logs(model):
        how = f"a bucket policy allowing {LOG_DELIVERY_PRINCIPAL} to s3:PutObject"
        if not enforced:
            how = f"the log-delivery-write ACL, or {how}"
        yield (
            f"logging target bucket {name!r} does not let S3 deliver logs: it needs {how}",
            where,
        )


def _rules(ctx: RuleContext, name: str, bucket: Bucket, path: Path) -> Iterator[Finding]:
    if not bucket.logging:
        return
    where = (*path, "logging", "target_bucket")
    target_name = bucket.logging.target_bucket
    yield from grant_xml.check(bucket.logging.target_grants, (*path, "logging", "target_grants"))
    target = declared_bucket(ctx, target_name)
    if target is False:
        return
    if target is None:
        yield Finding(
            where,
            f"target bucket {target_name!r} is not declared in this spec: its "
            "existence, region and log-delivery permission are checked against AWS "
            "when planning",
            severity=Severity.WARNING,
        )
        return
    if target.state == "absent":
        yield Finding(where, f"target bucket {target_name!r} is declared state: absent")
        return
    if bucket.region and target.region and bucket.region != target.region:
        yield Finding(
            where,
            f"target bucket {target_name!r} is in {target.region} but this "
            f"bucket is in {bucket.region}: S3 delivers logs within a region only",
        )
    enforced = object_ownership.disables_acls(target.object_ownership)
    if enforced and bucket.logging.target_grants:
        yield Finding(
            (*path, "logging", "target_grants"),
            f"target bucket {target_name!r} has "
            "object_ownership BucketOwnerEnforced, which does not support target "
            "grants",
        )
    if not delivers_logs(target):
        how = (
            "a policy statement that allows the service principal "
            f"{LOG_DELIVERY_PRINCIPAL} to s3:PutObject"
        )
        if not enforced:
            how = f"acl: log-delivery-write, or {how}"
        yield Finding(
            where, f"target bucket {target_name!r} does not let S3 deliver logs: give it {how}"
        )


ASPECT = Aspect(
    key="logging",
    calls=S3Calls(
        subresource="logging",
        document=DOCUMENT,
        get=Call("GetBucketLogging", "s3:GetBucketLogging"),
        put=Call("PutBucketLogging", "s3:PutBucketLogging"),
    ),
    decode=_decode,
    encode=_encode,
    unconfigured=Unconfigured(compares_as=None, written_as=lambda: _status(None)),
    canonical=_canonical,
    follows=("tags",),
    rules=_rules,
    prepare=_prepare,
    refers=Refers(
        names=lambda value: (value.target_bucket,),
        label="logging target bucket",
        at=("target_bucket",),
        reads=(ACL, POLICY, OWNERSHIP),
        check=_check_target,
    ),
)

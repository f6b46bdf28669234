"""One aspect's desired value (spec vocabulary, as the plan holds it) written through the client.

The plan's ``after`` is read back into the spec's own model, so a plan file is validated the same
way as a spec, then turned into the client's types. "Absent" values (``false``, ``[]``) become
the aspect's delete call; deleting what is already gone counts as done, so a re-run converges.

ACLs are always written as explicit grants (a canned name expanded with the owner's id): S3
stores a canned ACL as exactly those grants, and an explicit list is what every S3 emulator reads
back faithfully.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reconciler.aws import s3_types as aws
from reconciler.aws.s3 import S3Client
from reconciler.errors import NoSuchBucket, NotFound
from reconciler.spec import canonical
from reconciler.spec.bucket import (
    AclGrants,
    Bucket,
    CorsRule,
    Encryption,
    Grant,
    LifecycleFilter,
    LifecycleRule,
    Logging,
    PublicAccessBlock,
    Website,
)


def spec_value(aspect: str, after: Any) -> Any:
    """The plan's JSON value of an aspect as the spec model (validated like a spec)."""
    return getattr(Bucket.model_validate({aspect: after}), aspect)


def aws_grant(grant: Grant) -> aws.Grant:
    who = grant.grantee
    if who.id is not None:
        grantee = aws.Grantee.user(who.id)
    elif who.group is not None:
        grantee = aws.Grantee.group(canonical.GROUP_URIS[who.group])
    elif who.uri is not None:
        grantee = aws.Grantee.group(who.uri)
    else:
        grantee = aws.Grantee.by_email(who.email or "")
    return aws.Grant(grantee, grant.permission)


def acl_policy(value: str | AclGrants, owner_id: str) -> aws.AccessControlPolicy:
    if isinstance(value, str):
        grants = canonical.grants_from_canned(value, owner_id)
    else:
        grants = list(value.grants)
        owner_key = canonical.OWNER
        if not any(
            canonical.grantee_key(g.grantee, owner_id) == owner_key
            and g.permission == "FULL_CONTROL"
            for g in grants
        ):
            grants = canonical.grants_from_canned("private", owner_id) + grants
    return aws.AccessControlPolicy(
        owner=aws.Owner(owner_id), grants=tuple(aws_grant(g) for g in grants)
    )


def _lifecycle_filter(flt: LifecycleFilter | None) -> aws.LifecycleFilter:
    if flt is None:
        return aws.LifecycleFilter(prefix="")
    return aws.LifecycleFilter(
        prefix=flt.prefix,
        tags=tuple(sorted((flt.tags or {}).items())),
        object_size_greater_than=flt.object_size_greater_than,
        object_size_less_than=flt.object_size_less_than,
    )


def lifecycle_rule(rule: LifecycleRule) -> aws.LifecycleRule:
    exp = rule.expiration
    nve = rule.noncurrent_version_expiration
    return aws.LifecycleRule(
        id=rule.id,
        enabled=rule.enabled,
        filter=_lifecycle_filter(rule.filter),
        expiration=None
        if exp is None
        else aws.Expiration(
            days=exp.days,
            date=exp.date,
            expired_object_delete_marker=exp.expired_object_delete_marker,
        ),
        transitions=tuple(
            aws.Transition(t.storage_class, days=t.days, date=t.date) for t in rule.transitions
        ),
        noncurrent_version_expiration=None
        if nve is None
        else aws.NoncurrentVersionExpiration(nve.noncurrent_days, nve.newer_noncurrent_versions),
        noncurrent_version_transitions=tuple(
            aws.NoncurrentVersionTransition(
                t.storage_class, t.noncurrent_days, t.newer_noncurrent_versions
            )
            for t in rule.noncurrent_version_transitions
        ),
        abort_incomplete_multipart_upload_days=rule.abort_incomplete_multipart_upload_days,
    )


def cors_rule(rule: CorsRule) -> aws.CorsRule:
    return aws.CorsRule(
        allowed_methods=tuple(rule.allowed_methods),
        allowed_origins=tuple(rule.allowed_origins),
        allowed_headers=tuple(rule.allowed_headers),
        expose_headers=tuple(rule.expose_headers),
        max_age_seconds=rule.max_age_seconds,
        id=rule.id,
    )


def website(site: Website) -> aws.Website:
    redirect = site.redirect_all_requests_to
    return aws.Website(
        index_document=site.index_document,
        error_document=site.error_document,
        redirect_all_requests_to=None
        if redirect is None
        else aws.RedirectAllRequestsTo(redirect.host_name, redirect.protocol),
        routing_rules=tuple(
            aws.RoutingRule(
                key_prefix_equals=r.condition.key_prefix_equals if r.condition else None,
                http_error_code_returned_equals=r.condition.http_error_code_returned_equals
                if r.condition
                else None,
                host_name=r.redirect.host_name,
                http_redirect_code=r.redirect.http_redirect_code,
                protocol=r.redirect.protocol,
                replace_key_prefix_with=r.redirect.replace_key_prefix_with,
                replace_key_with=r.redirect.replace_key_with,
            )
            for r in site.routing_rules
        ),
    )


def logging_config(value: Logging) -> aws.LoggingConfig:
    return aws.LoggingConfig(
        target_bucket=value.target_bucket,
        target_prefix=value.target_prefix,
        target_grants=tuple(aws_grant(g) for g in value.target_grants),
    )


def encryption(value: Encryption) -> aws.EncryptionRule:
    return aws.EncryptionRule(value.algorithm, value.kms_key_id, value.bucket_key_enabled)


def public_access_block(value: PublicAccessBlock) -> aws.PublicAccessBlock:
    return aws.PublicAccessBlock(
        value.block_public_acls,
        value.ignore_public_acls,
        value.block_public_policy,
        value.restrict_public_buckets,
    )


def _absent(value: Any) -> bool:
    return value is False or value == []


def _deleting(call: Callable[[], None]) -> None:
    """A delete of a configuration that is already gone is done."""
    try:
        call()
    except NoSuchBucket:
        raise
    except NotFound:
        return


def write_aspect(  # noqa: PLR0912 - one branch per aspect reads best as a flat list
    s3: S3Client, bucket: str, aspect: str, after: Any, *, owner_id: Callable[[], str]
) -> None:
    """Make ``aspect`` of ``bucket`` what ``after`` says (one request, two for a new ACL)."""
    value = spec_value(aspect, after)
    if aspect == "tags":
        s3.put_bucket_tagging(bucket, {k: v for k, v in value.items() if not k.startswith("aws:")})
    elif aspect == "object_ownership":
        if _absent(value):
            _deleting(lambda: s3.delete_bucket_ownership_controls(bucket))
        else:
            s3.put_bucket_ownership_controls(bucket, value)
    elif aspect == "public_access_block":
        if _absent(value):
            _deleting(lambda: s3.delete_public_access_block(bucket))
        else:
            s3.put_public_access_block(bucket, public_access_block(value))
    elif aspect == "acl":
        s3.put_bucket_acl(bucket, policy=acl_policy(value, owner_id()))
    elif aspect == "policy":
        if _absent(value):
            _deleting(lambda: s3.delete_bucket_policy(bucket))
        else:
            s3.put_bucket_policy(bucket, value)
    elif aspect == "encryption":
        if _absent(value):
            _deleting(lambda: s3.delete_bucket_encryption(bucket))
        else:
            s3.put_bucket_encryption(bucket, (encryption(value),))
    elif aspect == "versioning":
        s3.put_bucket_versioning(
            bucket, aws.Versioning("Enabled" if value == "enabled" else "Suspended")
        )
    elif aspect == "lifecycle":
        if _absent(value):
            _deleting(lambda: s3.delete_bucket_lifecycle(bucket))
        else:
            s3.put_bucket_lifecycle(bucket, tuple(lifecycle_rule(r) for r in value))
    elif aspect == "cors":
        if _absent(value):
            _deleting(lambda: s3.delete_bucket_cors(bucket))
        else:
            s3.put_bucket_cors(bucket, tuple(cors_rule(r) for r in value))
    elif aspect == "website":
        if _absent(value):
            _deleting(lambda: s3.delete_bucket_website(bucket))
        else:
            s3.put_bucket_website(bucket, website(value))
    elif aspect == "logging":
        s3.put_bucket_logging(bucket, None if _absent(value) else logging_config(value))
    else:
        raise ValueError(f"unknown aspect {aspect!r}")

"""AWS's answers, turned into the spec's own models.

The client returns typed values shaped like the API; the planner compares spec models. Each
function here takes what one read returned (``None``: never configured) and gives the value a
user would have written in the spec to get that state, so a plan's "before" reads in the spec's
vocabulary. Equivalences that depend on meaning (canned ACL vs grants, filter spellings, policy
normal forms) are the job of `reconciler.spec.canonical`, applied to both sides.
"""

from __future__ import annotations

from typing import Any

from reconciler.aws import s3_types as aws
from reconciler.spec import canonical
from reconciler.spec.bucket import (
    AclGrants,
    CorsRule,
    Encryption,
    Expiration,
    Grant,
    Grantee,
    LifecycleFilter,
    LifecycleRule,
    Logging,
    NoncurrentVersionExpiration,
    NoncurrentVersionTransition,
    PublicAccessBlock,
    RedirectAllRequestsTo,
    RoutingCondition,
    RoutingRedirect,
    RoutingRule,
    Transition,
    Website,
)


def grantee(value: aws.Grantee) -> Grantee:
    if value.kind == "Group" and value.uri:
        group = canonical.URI_GROUPS.get(value.uri)
        return Grantee(group=group) if group else Grantee(uri=value.uri)  # type: ignore[arg-type]
    if value.kind == "AmazonCustomerByEmail":
        return Grantee(email=value.email)
    return Grantee(id=value.id)


def grants(values: tuple[aws.Grant, ...]) -> list[Grant]:
    return [
        Grant(grantee=grantee(g.grantee), permission=g.permission)  # type: ignore[arg-type]
        for g in values
    ]


def acl(policy: aws.AccessControlPolicy) -> str | AclGrants:
    """The canned name when the grants are exactly one, else every grant (the owner's too, so a
    lost owner grant is seen). Display names are dropped."""
    found = grants(policy.grants)
    name = canonical.canned_name(found, policy.owner.id)
    return name if name is not None else AclGrants(grants=found)


def _filter(value: aws.LifecycleFilter) -> LifecycleFilter | None:
    if (
        value.prefix is None
        and not value.tags
        and value.object_size_greater_than is None
        and value.object_size_less_than is None
    ):
        return None
    return LifecycleFilter(
        prefix=value.prefix,
        tags=dict(value.tags) or None,
        object_size_greater_than=value.object_size_greater_than,
        object_size_less_than=value.object_size_less_than,
    )


def _rule(index: int, rule: aws.LifecycleRule) -> LifecycleRule:
    exp = rule.expiration
    nve = rule.noncurrent_version_expiration
    return LifecycleRule(
        id=rule.id or f"#{index}",
        enabled=rule.enabled,
        filter=_filter(rule.filter),
        expiration=None
        if exp is None
        else Expiration(
            days=exp.days,
            date=exp.date,
            expired_object_delete_marker=exp.expired_object_delete_marker,
        ),
        transitions=[
            Transition(storage_class=t.storage_class, days=t.days, date=t.date)  # type: ignore[arg-type]
            for t in rule.transitions
        ],
        noncurrent_version_expiration=None
        if nve is None or nve.noncurrent_days is None
        else NoncurrentVersionExpiration(
            noncurrent_days=nve.noncurrent_days,
            newer_noncurrent_versions=nve.newer_noncurrent_versions,
        ),
        noncurrent_version_transitions=[
            NoncurrentVersionTransition(
                storage_class=t.storage_class,  # type: ignore[arg-type]
                noncurrent_days=t.noncurrent_days or 0,
                newer_noncurrent_versions=t.newer_noncurrent_versions,
            )
            for t in rule.noncurrent_version_transitions
        ],
        abort_incomplete_multipart_upload_days=rule.abort_incomplete_multipart_upload_days,
    )


def lifecycle(rules: tuple[aws.LifecycleRule, ...] | None) -> list[LifecycleRule]:
    return [_rule(i, r) for i, r in enumerate(rules or ())]


def logging(config: aws.LoggingConfig | None) -> Logging | None:
    if config is None:
        return None
    return Logging(
        target_bucket=config.target_bucket,
        target_prefix=config.target_prefix,
        target_grants=grants(config.target_grants),
    )


def versioning(value: aws.Versioning) -> str:
    return "enabled" if value.status == "Enabled" else "suspended"


def public_access_block(value: aws.PublicAccessBlock | None) -> PublicAccessBlock | None:
    if value is None:
        return None
    return PublicAccessBlock(
        block_public_acls=value.block_public_acls,
        ignore_public_acls=value.ignore_public_acls,
        block_public_policy=value.block_public_policy,
        restrict_public_buckets=value.restrict_public_buckets,
    )


def encryption(rules: tuple[aws.EncryptionRule, ...] | None) -> Encryption | None:
    if not rules:
        return None
    rule = rules[0]
    return Encryption(
        algorithm=rule.algorithm,  # type: ignore[arg-type]
        kms_key_id=rule.kms_key_id,
        bucket_key_enabled=rule.bucket_key_enabled,
    )


def cors(rules: tuple[aws.CorsRule, ...] | None) -> list[CorsRule]:
    return [
        CorsRule(
            id=r.id,
            allowed_methods=list(r.allowed_methods),  # type: ignore[arg-type]
            allowed_origins=list(r.allowed_origins),
            allowed_headers=list(r.allowed_headers),
            expose_headers=list(r.expose_headers),
            max_age_seconds=r.max_age_seconds,
        )
        for r in rules or ()
    ]


def website(site: aws.Website | None) -> Website | None:
    if site is None:
        return None
    redirect = site.redirect_all_requests_to
    return Website(
        index_document=site.index_document,
        error_document=site.error_document,
        redirect_all_requests_to=None
        if redirect is None
        else RedirectAllRequestsTo(
            host_name=redirect.host_name,
            protocol=redirect.protocol,  # type: ignore[arg-type]
        ),
        routing_rules=[
            RoutingRule(
                condition=None
                if r.key_prefix_equals is None and r.http_error_code_returned_equals is None
                else RoutingCondition(
                    key_prefix_equals=r.key_prefix_equals,
                    http_error_code_returned_equals=r.http_error_code_returned_equals,
                ),
                redirect=RoutingRedirect(
                    host_name=r.host_name,
                    http_redirect_code=r.http_redirect_code,
                    protocol=r.protocol,  # type: ignore[arg-type]
                    replace_key_prefix_with=r.replace_key_prefix_with,
                    replace_key_with=r.replace_key_with,
                ),
            )
            for r in site.routing_rules
        ],
    )


def policy(document: dict[str, Any] | None) -> dict[str, Any] | None:
    return document

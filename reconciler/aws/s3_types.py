"""Typed values for what the S3 API says about a bucket.

These mirror the API closely (the live layer turns them into the spec's own vocabulary); no XML
leaves the client. "Not configured" is ``None`` at the client's surface, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

GranteeKind = Literal["CanonicalUser", "Group", "AmazonCustomerByEmail"]

ALL_USERS_URI = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS_URI = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
LOG_DELIVERY_URI = "http://acs.amazonaws.com/groups/s3/LogDelivery"


@dataclass(frozen=True)
class Owner:
    id: str
    display_name: str | None = None


@dataclass(frozen=True)
class Grantee:
    kind: GranteeKind
    id: str | None = None
    uri: str | None = None
    email: str | None = None
    display_name: str | None = None

    @classmethod
    def user(cls, canonical_id: str) -> Grantee:
        return cls("CanonicalUser", id=canonical_id)

    @classmethod
    def group(cls, uri: str) -> Grantee:
        return cls("Group", uri=uri)

    @classmethod
    def by_email(cls, email: str) -> Grantee:
        return cls("AmazonCustomerByEmail", email=email)


@dataclass(frozen=True)
class Grant:
    grantee: Grantee
    permission: str


@dataclass(frozen=True)
class AccessControlPolicy:
    owner: Owner
    grants: tuple[Grant, ...]


@dataclass(frozen=True)
class BucketSummary:
    name: str
    created: datetime | None
    region: str | None = None


@dataclass(frozen=True)
class BucketHead:
    """What ``HeadBucket`` tells: the bucket exists, and where; ``accessible`` is false when it
    exists but this identity may not use it (HTTP 403)."""

    region: str | None
    accessible: bool = True


@dataclass(frozen=True)
class LifecycleFilter:
    """Which objects a rule applies to. All empty: every object."""

    prefix: str | None = None
    tags: tuple[tuple[str, str], ...] = ()
    object_size_greater_than: int | None = None
    object_size_less_than: int | None = None


@dataclass(frozen=True)
class Expiration:
    days: int | None = None
    date: date | None = None
    expired_object_delete_marker: bool | None = None


@dataclass(frozen=True)
class Transition:
    storage_class: str
    days: int | None = None
    date: date | None = None


@dataclass(frozen=True)
class NoncurrentVersionExpiration:
    noncurrent_days: int | None = None
    newer_noncurrent_versions: int | None = None


@dataclass(frozen=True)
class NoncurrentVersionTransition:
    storage_class: str
    noncurrent_days: int | None = None
    newer_noncurrent_versions: int | None = None


@dataclass(frozen=True)
class LifecycleRule:
    id: str | None
    enabled: bool = True
    filter: LifecycleFilter = field(default_factory=LifecycleFilter)
    expiration: Expiration | None = None
    transitions: tuple[Transition, ...] = ()
    noncurrent_version_expiration: NoncurrentVersionExpiration | None = None
    noncurrent_version_transitions: tuple[NoncurrentVersionTransition, ...] = ()
    abort_incomplete_multipart_upload_days: int | None = None


@dataclass(frozen=True)
class LoggingConfig:
    target_bucket: str
    target_prefix: str = ""
    target_grants: tuple[Grant, ...] = ()


@dataclass(frozen=True)
class Versioning:
    """``status`` is ``None`` for a bucket that was never versioned."""

    status: Literal["Enabled", "Suspended"] | None
    mfa_delete: Literal["Enabled", "Disabled"] | None = None


@dataclass(frozen=True)
class PublicAccessBlock:
    block_public_acls: bool = False
    ignore_public_acls: bool = False
    block_public_policy: bool = False
    restrict_public_buckets: bool = False


@dataclass(frozen=True)
class EncryptionRule:
    algorithm: str
    kms_key_id: str | None = None
    bucket_key_enabled: bool | None = None


@dataclass(frozen=True)
class CorsRule:
    allowed_methods: tuple[str, ...]
    allowed_origins: tuple[str, ...]
    allowed_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age_seconds: int | None = None
    id: str | None = None


@dataclass(frozen=True)
class RedirectAllRequestsTo:
    host_name: str
    protocol: str | None = None


@dataclass(frozen=True)
class RoutingRule:
    key_prefix_equals: str | None = None
    http_error_code_returned_equals: str | None = None
    host_name: str | None = None
    http_redirect_code: str | None = None
    protocol: str | None = None
    replace_key_prefix_with: str | None = None
    replace_key_with: str | None = None


@dataclass(frozen=True)
class Website:
    index_document: str | None = None
    error_document: str | None = None
    redirect_all_requests_to: RedirectAllRequestsTo | None = None
    routing_rules: tuple[RoutingRule, ...] = ()


@dataclass(frozen=True)
class ObjectSummary:
    key: str
    size: int
    etag: str | None = None


@dataclass(frozen=True)
class ObjectVersion:
    key: str
    version_id: str | None
    is_delete_marker: bool = False
    is_latest: bool = False


@dataclass(frozen=True)
class ObjectHead:
    size: int
    etag: str | None
    content_type: str | None
    version_id: str | None = None


@dataclass(frozen=True)
class DeleteFailure:
    key: str
    version_id: str | None
    code: str
    message: str


@dataclass(frozen=True)
class DeleteResult:
    deleted: int
    failures: tuple[DeleteFailure, ...] = ()

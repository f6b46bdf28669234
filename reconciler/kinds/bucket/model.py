"""The desired state of an S3 bucket, aspect by aspect.

Every aspect is optional: left out, it is unmanaged (never read, never changed, never drift).
``false`` or an empty value means the aspect must be absent. Shapes and types are checked here;
rules that need context (names, limits, cross-references) live in `rules`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag

from reconciler.kinds.bucket.model_analytics import (
    Analytics,
    IntelligentTiering,
    Inventory,
    Metrics,
)
from reconciler.kinds.bucket.model_base import LifecycleFilter, NonNegative, Positive, StorageClass
from reconciler.kinds.bucket.model_events import Notifications
from reconciler.kinds.bucket.model_protection import ObjectLock, Replication
from reconciler.spec.common import (
    CANNED_TAG,
    GRANTS_TAG,
    OFF,
    ON,
    SWITCH,
    AnyCase,
    Off,
    ResourceState,
    SpecModel,
    Tags,
)

CannedAcl = Annotated[
    Literal[
        "private",
        "public-read",
        "public-read-write",
        "authenticated-read",
        "log-delivery-write",
        "bucket-owner-read",
        "bucket-owner-full-control",
        "aws-exec-read",
    ],
    AnyCase,
]
Permission = Annotated[Literal["FULL_CONTROL", "READ", "WRITE", "READ_ACP", "WRITE_ACP"], AnyCase]
GranteeGroup = Literal["AllUsers", "AuthenticatedUsers", "LogDelivery"]
VersioningState = Annotated[Literal["enabled", "suspended"], AnyCase]
ObjectOwnership = Annotated[
    Literal["BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter"], AnyCase
]
EncryptionAlgorithm = Annotated[Literal["AES256", "aws:kms", "aws:kms:dsse"], AnyCase]
CorsMethod = Annotated[Literal["GET", "PUT", "POST", "DELETE", "HEAD"], AnyCase]
RedirectProtocol = Literal["http", "https"]


class Grantee(SpecModel):
    """Who a grant is for: exactly one of a canonical user id, an email, a group or a URI."""

    id: str | None = Field(None, description="Canonical user id of an AWS account.")
    email: str | None = Field(
        None, description="Email of an AWS account (only in some older regions)."
    )
    group: GranteeGroup | None = Field(
        None, description="A predefined group: AllUsers, AuthenticatedUsers or LogDelivery."
    )
    uri: str | None = Field(None, description="A group URI, as S3 writes it.")


class Grant(SpecModel):
    grantee: Grantee = Field(description="Who receives the permission.")
    permission: Permission = Field(description="FULL_CONTROL, READ, WRITE, READ_ACP or WRITE_ACP.")


class AclGrants(SpecModel):
    """An explicit ACL. The bucket owner keeps FULL_CONTROL implicitly."""

    grants: list[Grant] = Field(description="The grants besides the owner's FULL_CONTROL.")


class PublicAccessBlock(SpecModel):
    block_public_acls: bool = Field(False, description="Refuse new public ACLs.")
    ignore_public_acls: bool = Field(False, description="Ignore existing public ACLs.")
    block_public_policy: bool = Field(False, description="Refuse public bucket policies.")
    restrict_public_buckets: bool = Field(
        False, description="Only AWS services and this account may use a public bucket."
    )


class Expiration(SpecModel):
    days: Positive | None = Field(None, description="Expire objects this many days after creation.")
    date: dt.date | None = Field(None, description="Expire objects on this date (midnight UTC).")
    expired_object_delete_marker: bool | None = Field(
        None, description="Remove delete markers that have no versions left behind them."
    )


class Transition(SpecModel):
    storage_class: StorageClass = Field(description="The storage class to move objects to.")
    days: NonNegative | None = Field(None, description="Days after creation.")
    date: dt.date | None = Field(None, description="On this date (midnight UTC).")


class NoncurrentVersionExpiration(SpecModel):
    noncurrent_days: Positive = Field(description="Days after a version becomes noncurrent.")
    newer_noncurrent_versions: Annotated[int, Field(ge=1, le=100)] | None = Field(
        None, description="Keep this many newer noncurrent versions."
    )


class NoncurrentVersionTransition(SpecModel):
    storage_class: StorageClass = Field(description="The storage class to move versions to.")
    noncurrent_days: NonNegative = Field(description="Days after a version becomes noncurrent.")
    newer_noncurrent_versions: Annotated[int, Field(ge=1, le=100)] | None = Field(
        None, description="Keep this many newer noncurrent versions where they are."
    )


class LifecycleRule(SpecModel):
    id: str = Field(description="The rule's unique id (rules compare by id, in order).")
    enabled: bool = Field(True, description="Whether the rule is in force.")
    filter: LifecycleFilter | None = Field(
        None, description="Which objects the rule applies to; left out: every object."
    )
    expiration: Expiration | None = Field(None, description="When current objects expire.")
    transitions: list[Transition] = Field(
        default_factory=list, description="Moves to cheaper storage classes, in time order."
    )
    noncurrent_version_expiration: NoncurrentVersionExpiration | None = Field(
        None, description="When noncurrent versions expire."
    )
    noncurrent_version_transitions: list[NoncurrentVersionTransition] = Field(
        default_factory=list, description="Moves of noncurrent versions to other classes."
    )
    abort_incomplete_multipart_upload_days: Positive | None = Field(
        None, description="Abort multipart uploads left incomplete this many days."
    )


class Logging(SpecModel):
    target_bucket: str = Field(description="The bucket that receives the access logs.")
    target_prefix: str = Field("", description="Key prefix for the log objects.")
    target_grants: list[Grant] = Field(
        default_factory=list, description="Who may read the log objects."
    )


class Encryption(SpecModel):
    algorithm: EncryptionAlgorithm = Field(
        "AES256", description="AES256 (SSE-S3), aws:kms (SSE-KMS) or aws:kms:dsse."
    )
    kms_key_id: str | None = Field(None, description="KMS key id, ARN or alias (KMS only).")
    bucket_key_enabled: bool | None = Field(
        None, description="Use an S3 Bucket Key to cut KMS costs (KMS only)."
    )


class CorsRule(SpecModel):
    id: str | None = Field(None, description="An optional name for the rule.")
    allowed_methods: list[CorsMethod] = Field(description="GET, PUT, POST, DELETE or HEAD.")
    allowed_origins: list[str] = Field(description="Origins allowed, one '*' wildcard each.")
    allowed_headers: list[str] = Field(
        default_factory=list, description="Headers allowed in preflight requests."
    )
    expose_headers: list[str] = Field(
        default_factory=list, description="Response headers browsers may read."
    )
    max_age_seconds: NonNegative | None = Field(
        None, description="How long browsers may cache the preflight answer."
    )


class RedirectAllRequestsTo(SpecModel):
    host_name: str = Field(description="Host every request is redirected to.")
    protocol: RedirectProtocol | None = Field(None, description="http or https.")


class RoutingCondition(SpecModel):
    key_prefix_equals: str | None = Field(None, description="Applies to keys with this prefix.")
    http_error_code_returned_equals: str | None = Field(
        None, description="Applies when this HTTP error code would be returned."
    )


class RoutingRedirect(SpecModel):
    host_name: str | None = Field(None, description="Host to redirect to.")
    http_redirect_code: str | None = Field(None, description="HTTP code of the redirect.")
    protocol: RedirectProtocol | None = Field(None, description="http or https.")
    replace_key_prefix_with: str | None = Field(None, description="Replace the matched prefix.")
    replace_key_with: str | None = Field(None, description="Replace the whole key.")


class RoutingRule(SpecModel):
    condition: RoutingCondition | None = Field(None, description="When the rule applies.")
    redirect: RoutingRedirect = Field(description="Where requests go.")


class Website(SpecModel):
    index_document: str | None = Field(None, description="Suffix served for directory requests.")
    error_document: str | None = Field(None, description="Key served on 4xx errors.")
    redirect_all_requests_to: RedirectAllRequestsTo | None = Field(
        None, description="Redirect every request elsewhere (excludes the other fields)."
    )
    routing_rules: list[RoutingRule] = Field(
        default_factory=list, description="Conditional redirects."
    )


def _acl_form(value: Any) -> str:
    return GRANTS_TAG if isinstance(value, dict | AclGrants) else CANNED_TAG


AclSpec = Annotated[
    Annotated[CannedAcl, Tag(CANNED_TAG)] | Annotated[AclGrants, Tag(GRANTS_TAG)],
    Discriminator(_acl_form),
]
OwnershipSwitch = Annotated[Annotated[Off, OFF] | Annotated[ObjectOwnership, ON], SWITCH]
PublicAccessBlockSwitch = Annotated[Annotated[Off, OFF] | Annotated[PublicAccessBlock, ON], SWITCH]
LoggingSwitch = Annotated[Annotated[Off, OFF] | Annotated[Logging, ON], SWITCH]
PolicySwitch = Annotated[Annotated[Off, OFF] | Annotated[dict[str, Any], ON], SWITCH]
EncryptionSwitch = Annotated[Annotated[Off, OFF] | Annotated[Encryption, ON], SWITCH]
WebsiteSwitch = Annotated[Annotated[Off, OFF] | Annotated[Website, ON], SWITCH]
ObjectLockSwitch = Annotated[Annotated[Off, OFF] | Annotated[ObjectLock, ON], SWITCH]
ReplicationSwitch = Annotated[Annotated[Off, OFF] | Annotated[Replication, ON], SWITCH]
NotificationsSwitch = Annotated[Annotated[Off, OFF] | Annotated[Notifications, ON], SWITCH]
AccelerateState = Annotated[Literal["enabled", "suspended"], AnyCase]
Payer = Annotated[Literal["Requester", "BucketOwner"], AnyCase]


class Bucket(SpecModel):
    """One bucket; its name is the key it is declared under."""

    region: str | None = Field(
        None, description="The bucket's region; left out, the configured region."
    )
    state: ResourceState = Field("present", description="present, or absent to delete it.")
    force_destroy: bool = Field(
        False, description="With state: absent, delete every object version first."
    )
    prevent_destroy: bool = Field(False, description="Make any plan that deletes it an error.")
    object_ownership: OwnershipSwitch | None = Field(
        None, description="BucketOwnerEnforced (ACLs off), BucketOwnerPreferred or ObjectWriter."
    )
    public_access_block: PublicAccessBlockSwitch | None = Field(
        None, description="The bucket's public access block; false removes it."
    )
    acl: AclSpec | None = Field(None, description="A canned ACL name, or {grants: [...]}.")
    tags: Tags | None = Field(None, description="Tags; {} removes all but the reconciler's own.")
    versioning: VersioningState | None = Field(None, description="enabled or suspended.")
    lifecycle: list[LifecycleRule] | None = Field(
        None, description="Lifecycle rules; [] deletes the configuration."
    )
    logging: LoggingSwitch | None = Field(
        None, description="Server access logging; false disables it."
    )
    policy: PolicySwitch | None = Field(
        None, description="The bucket policy document; false deletes it."
    )
    encryption: EncryptionSwitch | None = Field(
        None, description="Default encryption; false deletes the configuration."
    )
    cors: list[CorsRule] | None = Field(None, description="CORS rules; [] deletes them.")
    website: WebsiteSwitch | None = Field(
        None, description="Static website hosting; false turns it off."
    )
    accelerate: AccelerateState | None = Field(
        None, description="Transfer acceleration: enabled or suspended."
    )
    request_payer: Payer | None = Field(
        None, description="Who pays for requests and downloads: Requester or BucketOwner."
    )
    object_lock: ObjectLockSwitch | None = Field(
        None,
        description="Object lock's default retention; false: none. Enabling object lock on a "
        "bucket cannot be undone.",
    )
    replication: ReplicationSwitch | None = Field(
        None, description="Replication rules; false deletes the configuration."
    )
    notifications: NotificationsSwitch | None = Field(
        None,
        description="Event notifications (queues, topics, functions, EventBridge); false: none.",
    )
    intelligent_tiering: list[IntelligentTiering] | None = Field(
        None, description="Intelligent-Tiering archive configurations, by id; [] deletes all."
    )
    inventory: list[Inventory] | None = Field(
        None, description="Inventory reports, by id; [] deletes all."
    )
    metrics: list[Metrics] | None = Field(
        None, description="Request metrics configurations, by id; [] deletes all."
    )
    analytics: list[Analytics] | None = Field(
        None, description="Storage-class analytics configurations, by id; [] deletes all."
    )

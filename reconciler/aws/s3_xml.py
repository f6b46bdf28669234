"""S3's XML documents to and from the typed values of `s3_types`, one pair per document.

Pure functions: bytes in, values out (and back). The client sends and receives; this module
only knows the document shapes, so each shape can be tested without a network.
"""

from __future__ import annotations

from datetime import date, datetime
from xml.etree.ElementTree import Element

from reconciler.aws import xml
from reconciler.aws.s3_types import (
    AccessControlPolicy,
    BucketSummary,
    CorsRule,
    DeleteFailure,
    EncryptionRule,
    Expiration,
    Grant,
    Grantee,
    GranteeKind,
    LifecycleFilter,
    LifecycleRule,
    LoggingConfig,
    NoncurrentVersionExpiration,
    NoncurrentVersionTransition,
    ObjectSummary,
    ObjectVersion,
    Owner,
    PublicAccessBlock,
    RedirectAllRequestsTo,
    RoutingRule,
    Transition,
    Versioning,
    Website,
)

_GRANTEE_KINDS: tuple[GranteeKind, ...] = ("CanonicalUser", "Group", "AmazonCustomerByEmail")


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def _date_text(value: date) -> str:
    return f"{value.isoformat()}T00:00:00.000Z"


def _timestamp(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


# -- grants (ACLs and logging target grants) -----------------------------------------------


def _encode_grant(parent: Element, grant: Grant) -> None:
    node = xml.add(parent, "Grant")
    grantee = xml.add(node, "Grantee")
    grantee.set("xmlns:xsi", xml.XSI_NS)
    grantee.set("xsi:type", grant.grantee.kind)
    xml.add_if(grantee, "ID", grant.grantee.id)
    xml.add_if(grantee, "URI", grant.grantee.uri)
    xml.add_if(grantee, "EmailAddress", grant.grantee.email)
    xml.add(node, "Permission", grant.permission)


def _decode_grants(parent: Element | None) -> tuple[Grant, ...]:
    if parent is None:
        return ()
    grants = []
    for node in xml.children(parent, "Grant"):
        grantee = node.find("Grantee")
        if grantee is None:
            continue
        kind = grantee.get("type")
        if kind not in _GRANTEE_KINDS:
            # Infer the kind from what is there: some S3-compatible services omit xsi:type.
            kind = (
                "Group"
                if xml.text(grantee, "URI")
                else (
                    "AmazonCustomerByEmail"
                    if xml.text(grantee, "EmailAddress")
                    else "CanonicalUser"
                )
            )
        grants.append(
            Grant(
                Grantee(
                    kind,  # type: ignore[arg-type]
                    id=xml.text(grantee, "ID"),
                    uri=xml.text(grantee, "URI"),
                    email=xml.text(grantee, "EmailAddress"),
                    display_name=xml.text(grantee, "DisplayName"),
                ),
                xml.text(node, "Permission") or "",
            )
        )
    return tuple(grants)


def encode_acl(policy: AccessControlPolicy) -> bytes:
    root = xml.root("AccessControlPolicy")
    owner = xml.add(root, "Owner")
    xml.add(owner, "ID", policy.owner.id)
    acl = xml.add(root, "AccessControlList")
    for grant in policy.grants:
        _encode_grant(acl, grant)
    return xml.serialise(root)


def decode_acl(root: Element) -> AccessControlPolicy:
    owner = root.find("Owner")
    return AccessControlPolicy(
        owner=Owner(
            id=(xml.text(owner, "ID") or "") if owner is not None else "",
            display_name=xml.text(owner, "DisplayName") if owner is not None else None,
        ),
        grants=_decode_grants(root.find("AccessControlList")),
    )


# -- tags --------------------------------------------------------------------------------------


def encode_tagging(tags: dict[str, str]) -> bytes:
    root = xml.root("Tagging")
    tag_set = xml.add(root, "TagSet")
    for key in sorted(tags):
        tag = xml.add(tag_set, "Tag")
        xml.add(tag, "Key", key)
        xml.add(tag, "Value", tags[key])
    return xml.serialise(root)


def decode_tagging(root: Element) -> dict[str, str]:
    tag_set = root.find("TagSet")
    if tag_set is None:
        return {}
    return {
        xml.text(tag, "Key") or "": xml.text(tag, "Value") or ""
        for tag in xml.children(tag_set, "Tag")
    }


# -- lifecycle -------------------------------------------------------------------------------


def _encode_filter(rule: Element, flt: LifecycleFilter) -> None:
    node = xml.add(rule, "Filter")
    conditions = (
        (1 if flt.prefix else 0)
        + len(flt.tags)
        + (flt.object_size_greater_than is not None)
        + (flt.object_size_less_than is not None)
    )
    if conditions == 0:
        if flt.prefix is not None:
            xml.add(node, "Prefix", flt.prefix)
        return
    target = xml.add(node, "And") if conditions > 1 else node
    if flt.prefix:
        xml.add(target, "Prefix", flt.prefix)
    for key, value in flt.tags:
        tag = xml.add(target, "Tag")
        xml.add(tag, "Key", key)
        xml.add(tag, "Value", value)
    xml.add_if(target, "ObjectSizeGreaterThan", flt.object_size_greater_than)
    xml.add_if(target, "ObjectSizeLessThan", flt.object_size_less_than)


def _decode_filter(rule: Element) -> LifecycleFilter:
    node = rule.find("Filter")
    if node is None:
        # The legacy form: a rule-level <Prefix>.
        return LifecycleFilter(prefix=xml.text(rule, "Prefix"))
    source = node.find("And")
    source = node if source is None else source
    tags = tuple(
        (xml.text(tag, "Key") or "", xml.text(tag, "Value") or "")
        for tag in xml.children(source, "Tag")
    )
    return LifecycleFilter(
        prefix=xml.text(source, "Prefix"),
        tags=tags,
        object_size_greater_than=xml.integer(source, "ObjectSizeGreaterThan"),
        object_size_less_than=xml.integer(source, "ObjectSizeLessThan"),
    )


def encode_lifecycle(rules: tuple[LifecycleRule, ...]) -> bytes:
    root = xml.root("LifecycleConfiguration")
    for rule in rules:
        node = xml.add(root, "Rule")
        xml.add_if(node, "ID", rule.id)
        _encode_filter(node, rule.filter)
        xml.add(node, "Status", "Enabled" if rule.enabled else "Disabled")
        if rule.expiration is not None:
            exp = xml.add(node, "Expiration")
            xml.add_if(exp, "Days", rule.expiration.days)
            if rule.expiration.date is not None:
                xml.add(exp, "Date", _date_text(rule.expiration.date))
            xml.add_if(
                exp, "ExpiredObjectDeleteMarker", rule.expiration.expired_object_delete_marker
            )
        for transition in rule.transitions:
            node_t = xml.add(node, "Transition")
            xml.add_if(node_t, "Days", transition.days)
            if transition.date is not None:
                xml.add(node_t, "Date", _date_text(transition.date))
            xml.add(node_t, "StorageClass", transition.storage_class)
        if rule.noncurrent_version_expiration is not None:
            nve = xml.add(node, "NoncurrentVersionExpiration")
            xml.add_if(nve, "NoncurrentDays", rule.noncurrent_version_expiration.noncurrent_days)
            xml.add_if(
                nve,
                "NewerNoncurrentVersions",
                rule.noncurrent_version_expiration.newer_noncurrent_versions,
            )
        for nvt in rule.noncurrent_version_transitions:
            node_n = xml.add(node, "NoncurrentVersionTransition")
            xml.add_if(node_n, "NoncurrentDays", nvt.noncurrent_days)
            xml.add(node_n, "StorageClass", nvt.storage_class)
            xml.add_if(node_n, "NewerNoncurrentVersions", nvt.newer_noncurrent_versions)
        if rule.abort_incomplete_multipart_upload_days is not None:
            abort = xml.add(node, "AbortIncompleteMultipartUpload")
            xml.add(abort, "DaysAfterInitiation", rule.abort_incomplete_multipart_upload_days)
    return xml.serialise(root)


def _decode_rule(node: Element) -> LifecycleRule:
    exp_node = node.find("Expiration")
    expiration = None
    if exp_node is not None:
        expiration = Expiration(
            days=xml.integer(exp_node, "Days"),
            date=_date(xml.text(exp_node, "Date")),
            expired_object_delete_marker=xml.boolean(exp_node, "ExpiredObjectDeleteMarker"),
        )
    nve_node = node.find("NoncurrentVersionExpiration")
    nve = None
    if nve_node is not None:
        nve = NoncurrentVersionExpiration(
            noncurrent_days=xml.integer(nve_node, "NoncurrentDays"),
            newer_noncurrent_versions=xml.integer(nve_node, "NewerNoncurrentVersions"),
        )
    abort = node.find("AbortIncompleteMultipartUpload")
    return LifecycleRule(
        id=xml.text(node, "ID"),
        enabled=(xml.text(node, "Status") or "Enabled") == "Enabled",
        filter=_decode_filter(node),
        expiration=expiration,
        transitions=tuple(
            Transition(
                storage_class=xml.text(t, "StorageClass") or "",
                days=xml.integer(t, "Days"),
                date=_date(xml.text(t, "Date")),
            )
            for t in xml.children(node, "Transition")
        ),
        noncurrent_version_expiration=nve,
        noncurrent_version_transitions=tuple(
            NoncurrentVersionTransition(
                storage_class=xml.text(t, "StorageClass") or "",
                noncurrent_days=xml.integer(t, "NoncurrentDays"),
                newer_noncurrent_versions=xml.integer(t, "NewerNoncurrentVersions"),
            )
            for t in xml.children(node, "NoncurrentVersionTransition")
        ),
        abort_incomplete_multipart_upload_days=(
            xml.integer(abort, "DaysAfterInitiation") if abort is not None else None
        ),
    )


def decode_lifecycle(root: Element) -> tuple[LifecycleRule, ...]:
    return tuple(_decode_rule(node) for node in xml.children(root, "Rule"))


# -- logging, versioning, public access block, ownership ------------------------------------


def encode_logging(config: LoggingConfig | None) -> bytes:
    root = xml.root("BucketLoggingStatus")
    if config is not None:
        enabled = xml.add(root, "LoggingEnabled")
        xml.add(enabled, "TargetBucket", config.target_bucket)
        xml.add(enabled, "TargetPrefix", config.target_prefix)
        if config.target_grants:
            grants = xml.add(enabled, "TargetGrants")
            for grant in config.target_grants:
                _encode_grant(grants, grant)
    return xml.serialise(root)


def decode_logging(root: Element) -> LoggingConfig | None:
    enabled = root.find("LoggingEnabled")
    if enabled is None:
        return None
    return LoggingConfig(
        target_bucket=xml.text(enabled, "TargetBucket") or "",
        target_prefix=xml.text(enabled, "TargetPrefix") or "",
        target_grants=_decode_grants(enabled.find("TargetGrants")),
    )


def encode_versioning(config: Versioning) -> bytes:
    root = xml.root("VersioningConfiguration")
    xml.add_if(root, "Status", config.status)
    xml.add_if(root, "MfaDelete", config.mfa_delete)
    return xml.serialise(root)


def decode_versioning(root: Element) -> Versioning:
    status = xml.text(root, "Status") or None
    mfa = xml.text(root, "MfaDelete") or None
    return Versioning(
        status=status if status in ("Enabled", "Suspended") else None,  # type: ignore[arg-type]
        mfa_delete=mfa if mfa in ("Enabled", "Disabled") else None,  # type: ignore[arg-type]
    )


_PAB_FIELDS = (
    ("BlockPublicAcls", "block_public_acls"),
    ("IgnorePublicAcls", "ignore_public_acls"),
    ("BlockPublicPolicy", "block_public_policy"),
    ("RestrictPublicBuckets", "restrict_public_buckets"),
)


def encode_public_access_block(config: PublicAccessBlock) -> bytes:
    root = xml.root("PublicAccessBlockConfiguration")
    for tag, attr in _PAB_FIELDS:
        xml.add(root, tag, bool(getattr(config, attr)))
    return xml.serialise(root)


def decode_public_access_block(root: Element) -> PublicAccessBlock:
    return PublicAccessBlock(**{attr: bool(xml.boolean(root, tag)) for tag, attr in _PAB_FIELDS})


def encode_ownership(ownership: str) -> bytes:
    root = xml.root("OwnershipControls")
    rule = xml.add(root, "Rule")
    xml.add(rule, "ObjectOwnership", ownership)
    return xml.serialise(root)


def decode_ownership(root: Element) -> str | None:
    rule = root.find("Rule")
    return xml.text(rule, "ObjectOwnership") if rule is not None else None


# -- encryption, CORS, website ---------------------------------------------------------------


def encode_encryption(rules: tuple[EncryptionRule, ...]) -> bytes:
    root = xml.root("ServerSideEncryptionConfiguration")
    for rule in rules:
        node = xml.add(root, "Rule")
        default = xml.add(node, "ApplyServerSideEncryptionByDefault")
        xml.add(default, "SSEAlgorithm", rule.algorithm)
        xml.add_if(default, "KMSMasterKeyID", rule.kms_key_id)
        xml.add_if(node, "BucketKeyEnabled", rule.bucket_key_enabled)
    return xml.serialise(root)


def decode_encryption(root: Element) -> tuple[EncryptionRule, ...]:
    rules = []
    for node in xml.children(root, "Rule"):
        default = node.find("ApplyServerSideEncryptionByDefault")
        if default is None:
            continue
        rules.append(
            EncryptionRule(
                algorithm=xml.text(default, "SSEAlgorithm") or "",
                kms_key_id=xml.text(default, "KMSMasterKeyID") or None,
                bucket_key_enabled=xml.boolean(node, "BucketKeyEnabled"),
            )
        )
    return tuple(rules)


def encode_cors(rules: tuple[CorsRule, ...]) -> bytes:
    root = xml.root("CORSConfiguration")
    for rule in rules:
        node = xml.add(root, "CORSRule")
        xml.add_if(node, "ID", rule.id)
        for value in rule.allowed_headers:
            xml.add(node, "AllowedHeader", value)
        for value in rule.allowed_methods:
            xml.add(node, "AllowedMethod", value)
        for value in rule.allowed_origins:
            xml.add(node, "AllowedOrigin", value)
        for value in rule.expose_headers:
            xml.add(node, "ExposeHeader", value)
        xml.add_if(node, "MaxAgeSeconds", rule.max_age_seconds)
    return xml.serialise(root)


def _texts(node: Element, tag: str) -> tuple[str, ...]:
    return tuple(child.text or "" for child in xml.children(node, tag))


def decode_cors(root: Element) -> tuple[CorsRule, ...]:
    return tuple(
        CorsRule(
            allowed_methods=_texts(node, "AllowedMethod"),
            allowed_origins=_texts(node, "AllowedOrigin"),
            allowed_headers=_texts(node, "AllowedHeader"),
            expose_headers=_texts(node, "ExposeHeader"),
            max_age_seconds=xml.integer(node, "MaxAgeSeconds"),
            id=xml.text(node, "ID") or None,
        )
        for node in xml.children(root, "CORSRule")
    )


def encode_website(site: Website) -> bytes:
    root = xml.root("WebsiteConfiguration")
    if site.redirect_all_requests_to is not None:
        redirect = xml.add(root, "RedirectAllRequestsTo")
        xml.add(redirect, "HostName", site.redirect_all_requests_to.host_name)
        xml.add_if(redirect, "Protocol", site.redirect_all_requests_to.protocol)
        return xml.serialise(root)
    if site.index_document is not None:
        xml.add(xml.add(root, "IndexDocument"), "Suffix", site.index_document)
    if site.error_document is not None:
        xml.add(xml.add(root, "ErrorDocument"), "Key", site.error_document)
    if site.routing_rules:
        rules = xml.add(root, "RoutingRules")
        for rule in site.routing_rules:
            node = xml.add(rules, "RoutingRule")
            if (
                rule.key_prefix_equals is not None
                or rule.http_error_code_returned_equals is not None
            ):
                condition = xml.add(node, "Condition")
                xml.add_if(
                    condition, "HttpErrorCodeReturnedEquals", rule.http_error_code_returned_equals
                )
                xml.add_if(condition, "KeyPrefixEquals", rule.key_prefix_equals)
            redirect = xml.add(node, "Redirect")
            xml.add_if(redirect, "HostName", rule.host_name)
            xml.add_if(redirect, "HttpRedirectCode", rule.http_redirect_code)
            xml.add_if(redirect, "Protocol", rule.protocol)
            xml.add_if(redirect, "ReplaceKeyPrefixWith", rule.replace_key_prefix_with)
            xml.add_if(redirect, "ReplaceKeyWith", rule.replace_key_with)
    return xml.serialise(root)


def _maybe(node: Element | None, tag: str) -> str | None:
    return xml.text(node, tag) if node is not None else None


def decode_website(root: Element) -> Website:
    redirect_all = root.find("RedirectAllRequestsTo")
    rules_node = root.find("RoutingRules")
    rules = []
    for node in xml.children(rules_node, "RoutingRule") if rules_node is not None else ():
        condition = node.find("Condition")
        redirect = node.find("Redirect")
        rules.append(
            RoutingRule(
                key_prefix_equals=_maybe(condition, "KeyPrefixEquals"),
                http_error_code_returned_equals=_maybe(condition, "HttpErrorCodeReturnedEquals"),
                host_name=_maybe(redirect, "HostName"),
                http_redirect_code=_maybe(redirect, "HttpRedirectCode"),
                protocol=_maybe(redirect, "Protocol"),
                replace_key_prefix_with=_maybe(redirect, "ReplaceKeyPrefixWith"),
                replace_key_with=_maybe(redirect, "ReplaceKeyWith"),
            )
        )
    return Website(
        index_document=_maybe(root.find("IndexDocument"), "Suffix"),
        error_document=_maybe(root.find("ErrorDocument"), "Key"),
        redirect_all_requests_to=(
            RedirectAllRequestsTo(
                host_name=xml.text(redirect_all, "HostName") or "",
                protocol=xml.text(redirect_all, "Protocol") or None,
            )
            if redirect_all is not None
            else None
        ),
        routing_rules=tuple(rules),
    )


# -- buckets and objects ---------------------------------------------------------------------


def encode_create_bucket(region: str) -> bytes:
    root = xml.root("CreateBucketConfiguration")
    xml.add(root, "LocationConstraint", region)
    return xml.serialise(root)


def decode_location(root: Element) -> str:
    """``GetBucketLocation``: empty means us-east-1, and ``EU`` is the old name of eu-west-1."""
    value = (root.text or "").strip()
    if not value:
        return "us-east-1"
    return "eu-west-1" if value == "EU" else value


def decode_bucket_list(root: Element) -> tuple[list[BucketSummary], str | None]:
    buckets_node = root.find("Buckets")
    buckets = [
        BucketSummary(
            name=xml.text(node, "Name") or "",
            created=_timestamp(xml.text(node, "CreationDate")),
            region=xml.text(node, "BucketRegion") or None,
        )
        for node in (xml.children(buckets_node, "Bucket") if buckets_node is not None else ())
    ]
    return buckets, xml.text(root, "ContinuationToken") or None


def decode_object_list(root: Element) -> tuple[list[ObjectSummary], str | None]:
    objects = [
        ObjectSummary(
            key=xml.text(node, "Key") or "",
            size=xml.integer(node, "Size") or 0,
            etag=xml.text(node, "ETag"),
        )
        for node in xml.children(root, "Contents")
    ]
    token = xml.text(root, "NextContinuationToken") if xml.boolean(root, "IsTruncated") else None
    return objects, token or None


def decode_version_list(
    root: Element,
) -> tuple[list[ObjectVersion], tuple[str, str] | None]:
    versions = [
        ObjectVersion(
            key=xml.text(node, "Key") or "",
            version_id=xml.text(node, "VersionId"),
            is_delete_marker=node.tag == "DeleteMarker",
            is_latest=bool(xml.boolean(node, "IsLatest")),
        )
        for node in root
        if node.tag in ("Version", "DeleteMarker")
    ]
    if not xml.boolean(root, "IsTruncated"):
        return versions, None
    return versions, (
        xml.text(root, "NextKeyMarker") or "",
        xml.text(root, "NextVersionIdMarker") or "",
    )


def encode_delete_objects(objects: list[tuple[str, str | None]]) -> bytes:
    root = xml.root("Delete")
    xml.add(root, "Quiet", True)
    for key, version in objects:
        node = xml.add(root, "Object")
        xml.add(node, "Key", key)
        xml.add_if(node, "VersionId", version)
    return xml.serialise(root)


def decode_delete_failures(root: Element) -> list[DeleteFailure]:
    return [
        DeleteFailure(
            key=xml.text(node, "Key") or "",
            version_id=xml.text(node, "VersionId") or None,
            code=xml.text(node, "Code") or "",
            message=xml.text(node, "Message") or "",
        )
        for node in xml.children(root, "Error")
    ]

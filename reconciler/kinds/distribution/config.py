"""A distribution's configuration both ways: ``DistributionConfig`` XML ⇄ the spec's vocabulary.

Reading (`read_config`) turns every field the spec knows into its spec spelling (JSON values:
``aliases``, ``origins`` with S3 origins named by ``bucket``, ``default_cache_behavior``, ...),
exactly as CloudFront tells it; deciding what compares equal is the canonical layer's job.

Writing (`write_config`, in `render`) renders the fields a plan sets, on top of a
base: the live configuration for an update, so every field and sub-element the spec leaves out
(origin shield, function associations, trusted key groups, OriginGroups, ...) is sent back
unchanged, or a minimal skeleton for a create. CloudFront's schema fixes the order of elements;
the result is always in that order. S3 origins arrive with their ``domain_name`` already
resolved (the bucket's regional endpoint, worked out by the planner, which knows where the
bucket is). The element orders live here, for both directions.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element

from reconciler import xmlcodec as xml

Json = Any

# Element order of CloudFront's schema (the API reference's order of members).
CONFIG_ORDER = (
    "CallerReference", "Aliases", "DefaultRootObject", "Origins", "OriginGroups",
    "DefaultCacheBehavior", "CacheBehaviors", "CustomErrorResponses", "Comment", "Logging",
    "PriceClass", "Enabled", "ViewerCertificate", "Restrictions", "WebACLId", "HttpVersion",
    "IsIPV6Enabled", "ContinuousDeploymentPolicyId", "Staging", "AnycastIpListId",
    "TenantConfig", "ConnectionMode",
)  # fmt: skip
ORIGIN_ORDER = (
    "Id", "DomainName", "OriginPath", "CustomHeaders", "S3OriginConfig", "CustomOriginConfig",
    "VpcOriginConfig", "ConnectionAttempts", "ConnectionTimeout", "ResponseCompletionTimeout",
    "OriginShield", "OriginAccessControlId",
)  # fmt: skip
BEHAVIOR_ORDER = (
    "PathPattern", "TargetOriginId", "TrustedSigners", "TrustedKeyGroups",
    "ViewerProtocolPolicy", "AllowedMethods", "SmoothStreaming", "Compress",
    "LambdaFunctionAssociations", "FunctionAssociations", "FieldLevelEncryptionId",
    "RealtimeLogConfigArn", "CachePolicyId", "OriginRequestPolicyId", "ResponseHeadersPolicyId",
    "GrpcConfig", "ForwardedValues", "MinTTL", "DefaultTTL", "MaxTTL",
)  # fmt: skip

#: Legacy TTLs CloudFront applies when a behaviour without a cache policy leaves them out.
LEGACY_TTLS = {"min_ttl": 0, "default_ttl": 86400, "max_ttl": 31536000}

_S3_DOMAIN = re.compile(
    r"^(?P<bucket>[a-z0-9][a-z0-9.\-]*?)\.s3(?:[.-](?P<region>[a-z0-9-]+))?\.amazonaws\.com(?:\.cn)?$"
)
_LOG_SUFFIX = ".s3.amazonaws.com"


def bucket_of_domain(domain: str) -> str | None:
    """The bucket an S3 REST endpoint names (``b.s3.amazonaws.com``, ``b.s3.eu-west-1...``);
    ``None`` for anything else, including S3 website endpoints (custom origins)."""
    match = _S3_DOMAIN.match(domain)
    if match is None or (match.group("region") or "").startswith("website"):
        return None
    return match.group("bucket")


def logging_bucket_domain(bucket: str) -> str:
    return f"{bucket}{_LOG_SUFFIX}"


# -- reading ---------------------------------------------------------------------------------


def _str(parent: Element, name: str) -> str:
    return xml.text(parent, name) or ""


def _opt(parent: Element, name: str) -> str | None:
    """A text that CloudFront writes as empty when unset."""
    return xml.text(parent, name) or None


def _int(parent: Element, name: str) -> int | None:
    value = xml.text(parent, name)
    return int(value) if value not in (None, "") else None


def _bool(parent: Element, name: str, default: bool = False) -> bool:
    value = xml.boolean(parent, name)
    return default if value is None else value


def _origin(node: Element) -> Json:
    domain = _str(node, "DomainName")
    bucket = bucket_of_domain(domain) if node.find("CustomOriginConfig") is None else None
    out: dict[str, Any] = {"id": _str(node, "Id")}
    if bucket is not None:
        out["bucket"] = bucket
    else:
        out["domain_name"] = domain
    out["origin_path"] = _str(node, "OriginPath")
    out["origin_access_control_id"] = _opt(node, "OriginAccessControlId")
    out["custom_headers"] = {
        _str(h, "HeaderName"): _str(h, "HeaderValue")
        for h in xml.items(node, "CustomHeaders", "OriginCustomHeader")
    }
    custom = node.find("CustomOriginConfig")
    if custom is not None:
        out["custom"] = {
            "http_port": _int(custom, "HTTPPort"),
            "https_port": _int(custom, "HTTPSPort"),
            "protocol_policy": _str(custom, "OriginProtocolPolicy"),
            "ssl_protocols": xml.item_texts(custom, "OriginSslProtocols", "SslProtocol"),
            "read_timeout": _int(custom, "OriginReadTimeout"),
            "keepalive_timeout": _int(custom, "OriginKeepaliveTimeout"),
        }
    out["connection_attempts"] = _int(node, "ConnectionAttempts")
    out["connection_timeout"] = _int(node, "ConnectionTimeout")
    return out


def _behavior(node: Element) -> Json:
    methods = node.find("AllowedMethods")
    out: dict[str, Any] = {}
    if node.find("PathPattern") is not None:
        out["path_pattern"] = _str(node, "PathPattern")
    out |= {
        "target_origin": _str(node, "TargetOriginId"),
        "viewer_protocol_policy": _str(node, "ViewerProtocolPolicy"),
        "allowed_methods": xml.item_texts(node, "AllowedMethods", "Method") or ["GET", "HEAD"],
        "cached_methods": xml.item_texts(methods, "CachedMethods", "Method") or ["GET", "HEAD"],
        "compress": _bool(node, "Compress"),
        "cache_policy_id": _opt(node, "CachePolicyId"),
        "origin_request_policy_id": _opt(node, "OriginRequestPolicyId"),
        "response_headers_policy_id": _opt(node, "ResponseHeadersPolicyId"),
        "min_ttl": _int(node, "MinTTL"),
        "default_ttl": _int(node, "DefaultTTL"),
        "max_ttl": _int(node, "MaxTTL"),
    }
    return out


def _error_response(node: Element) -> Json:
    code = _opt(node, "ResponseCode")
    return {
        "error_code": _int(node, "ErrorCode"),
        "response_page_path": _opt(node, "ResponsePagePath"),
        "response_code": int(code) if code else None,
        "error_caching_min_ttl": _int(node, "ErrorCachingMinTTL"),
    }


def _viewer_certificate(node: Element | None) -> Json:
    if node is None:
        return {"cloudfront_default_certificate": True}
    return {
        "cloudfront_default_certificate": _bool(node, "CloudFrontDefaultCertificate"),
        "acm_certificate_arn": _opt(node, "ACMCertificateArn"),
        "iam_certificate_id": _opt(node, "IAMCertificateId"),
        "ssl_support_method": _opt(node, "SSLSupportMethod"),
        "minimum_protocol_version": _opt(node, "MinimumProtocolVersion"),
    }


def _logging(node: Element | None) -> Json:
    if node is None or not _bool(node, "Enabled"):
        return False
    bucket = _str(node, "Bucket")
    return {
        "bucket": bucket.removesuffix(_LOG_SUFFIX),
        "prefix": _str(node, "Prefix"),
        "include_cookies": _bool(node, "IncludeCookies"),
    }


def _restrictions(node: Element | None) -> Json:
    geo = node.find("GeoRestriction") if node is not None else None
    if geo is None:
        return {"geo_restriction": {"type": "none", "locations": []}}
    return {
        "geo_restriction": {
            "type": _str(geo, "RestrictionType") or "none",
            "locations": [e.text or "" for e in geo.findall("Items/Location")],
        }
    }


def read_config(config: Element) -> dict[str, Json]:
    """Every distribution field of the spec but ``tags``, in the spec's spelling, as the
    configuration says."""
    default = config.find("DefaultCacheBehavior")
    return {
        "enabled": _bool(config, "Enabled"),
        "comment": _str(config, "Comment"),
        "aliases": xml.item_texts(config, "Aliases", "CNAME"),
        "default_root_object": _str(config, "DefaultRootObject"),
        "price_class": _str(config, "PriceClass") or "PriceClass_All",
        "http_version": _str(config, "HttpVersion") or "http2",
        "ipv6": _bool(config, "IsIPV6Enabled"),
        "origins": [_origin(o) for o in xml.items(config, "Origins", "Origin")],
        "default_cache_behavior": _behavior(default) if default is not None else None,
        "cache_behaviors": [
            _behavior(b) for b in xml.items(config, "CacheBehaviors", "CacheBehavior")
        ],
        "custom_error_responses": [
            _error_response(r)
            for r in xml.items(config, "CustomErrorResponses", "CustomErrorResponse")
        ],
        "restrictions": _restrictions(config.find("Restrictions")),
        "viewer_certificate": _viewer_certificate(config.find("ViewerCertificate")),
        "logging": _logging(config.find("Logging")),
        "web_acl_id": _str(config, "WebACLId"),
    }


# -- writing ---------------------------------------------------------------------------------

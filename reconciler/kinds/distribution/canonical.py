"""What a distribution field *means*, as a plain JSON value two states can be compared by.

Both sides arrive in the spec's spelling (the desired value as the user wrote it, the live one as
`reconciler.kinds.distribution.config.read_config` tells it) and go through the same function here.
Values CloudFront fills in when left out compare equal to leaving them out: empty lists, the
legacy TTLs beside (or instead of) a cache policy, the default certificate's protocol flags,
connection attempts and timeouts, a custom origin's ports and TLS versions, the error caching
TTL. Sets (aliases, methods, TLS versions, countries) are sorted; origins and error responses are
keyed (``origins[site].origin_path``); cache behaviours keep their order, which matters.

Every value is wrapped in its field's name, so a difference's path reads like the spec:
``comment``, ``aliases``, ``cache_behaviors[0].compress``, ``tags.env``.
"""

from __future__ import annotations

from typing import Any

Json = Any

#: The distribution fields a configuration holds, in the order a plan lists them (``tags``
#: travel apart, through the tagging API).
CONFIG_FIELDS = (
    "enabled",
    "comment",
    "aliases",
    "default_root_object",
    "price_class",
    "http_version",
    "ipv6",
    "origins",
    "default_cache_behavior",
    "cache_behaviors",
    "custom_error_responses",
    "restrictions",
    "viewer_certificate",
    "logging",
    "web_acl_id",
)

#: CloudFront's own defaults, which a spec that leaves them out stands for.
_CUSTOM_ORIGIN = {
    "http_port": 80,
    "https_port": 443,
    "protocol_policy": "https-only",
    "ssl_protocols": ["TLSv1.2"],
    "read_timeout": 30,
    "keepalive_timeout": 5,
}
_LEGACY_TTLS = {"min_ttl": 0, "default_ttl": 86400, "max_ttl": 31536000}
ERROR_CACHING_MIN_TTL = 10


def _or(value: Any, default: Any) -> Any:
    return default if value is None else value


def _origin(value: Json) -> Json:
    out: dict[str, Any] = {}
    if value.get("bucket"):
        out["bucket"] = value["bucket"]
    else:
        out["domain_name"] = (value.get("domain_name") or "").lower()
        custom = {k: _or((value.get("custom") or {}).get(k), d) for k, d in _CUSTOM_ORIGIN.items()}
        custom["ssl_protocols"] = sorted(custom["ssl_protocols"])
        out["custom"] = custom
    out["origin_path"] = value.get("origin_path") or ""
    out["origin_access_control_id"] = value.get("origin_access_control_id") or ""
    out["custom_headers"] = dict(sorted((value.get("custom_headers") or {}).items()))
    out["connection_attempts"] = _or(value.get("connection_attempts"), 3)
    out["connection_timeout"] = _or(value.get("connection_timeout"), 10)
    return out


def _behavior(value: Json) -> Json:
    out: dict[str, Any] = {}
    if "path_pattern" in value:
        out["path_pattern"] = value["path_pattern"]
    out["target_origin"] = value["target_origin"]
    out["viewer_protocol_policy"] = value["viewer_protocol_policy"]
    out["allowed_methods"] = sorted(value.get("allowed_methods") or ["GET", "HEAD"])
    out["cached_methods"] = sorted(value.get("cached_methods") or ["GET", "HEAD"])
    out["compress"] = bool(value.get("compress", False))
    for key in ("cache_policy_id", "origin_request_policy_id", "response_headers_policy_id"):
        out[key] = value.get(key) or None
    if not out["cache_policy_id"]:
        # TTLs only mean something without a cache policy; CloudFront reports them either way.
        for key, default in _LEGACY_TTLS.items():
            out[key] = _or(value.get(key), default)
    return out


def _error_response(value: Json) -> Json:
    return {
        "response_page_path": value.get("response_page_path") or None,
        "response_code": value.get("response_code") if value.get("response_page_path") else None,
        "error_caching_min_ttl": _or(value.get("error_caching_min_ttl"), ERROR_CACHING_MIN_TTL),
    }


def _certificate(value: Json) -> Json:
    if value.get("acm_certificate_arn"):
        source = {"acm_certificate_arn": value["acm_certificate_arn"]}
    elif value.get("iam_certificate_id"):
        source = {"iam_certificate_id": value["iam_certificate_id"]}
    else:
        # The *.cloudfront.net certificate: its protocol settings are CloudFront's, not ours.
        return {"cloudfront_default_certificate": True}
    return source | {
        "ssl_support_method": value.get("ssl_support_method") or "sni-only",
        "minimum_protocol_version": value.get("minimum_protocol_version") or "TLSv1.2_2021",
    }


def _logging(value: Json) -> Json:
    if not value:
        return False
    return {
        "bucket": value["bucket"],
        "prefix": value.get("prefix") or "",
        "include_cookies": bool(value.get("include_cookies", False)),
    }


def _restrictions(value: Json) -> Json:
    geo = value.get("geo_restriction") or {}
    return {
        "geo_restriction": {
            "type": geo.get("type") or "none",
            "locations": sorted(geo.get("locations") or []),
        }
    }


def _value(field: str, value: Json) -> Json:
    if field == "aliases":
        return sorted(a.lower() for a in value or [])
    if field == "origins":
        return {o["id"]: _origin(o) for o in sorted(value or [], key=lambda o: o["id"])}
    if field == "default_cache_behavior":
        return _behavior(value) if value else None
    if field == "cache_behaviors":
        return [_behavior(b) for b in value or []]
    if field == "custom_error_responses":
        ordered = sorted(value or [], key=lambda r: r["error_code"])
        return {str(r["error_code"]): _error_response(r) for r in ordered}
    if field == "restrictions":
        return _restrictions(value or {})
    if field == "viewer_certificate":
        return _certificate(value or {})
    if field == "logging":
        return _logging(value)
    if field == "tags":
        return {k: v for k, v in sorted((value or {}).items()) if not k.startswith("aws:")}
    if field in ("comment", "default_root_object", "web_acl_id"):
        return value or ""
    return value


def canonical(field: str, value: Json) -> Json:
    """The comparable form of one field's value (spec spelling in, ``{field: …}`` out)."""
    return {field: _value(field, value)}

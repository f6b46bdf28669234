"""Writing a distribution's ``DistributionConfig`` (the other direction of `cloudfront_config`):
the fields a plan sets rendered on top of a base, the live configuration for an update (what the
spec leaves out is sent back unchanged) or a minimal skeleton for a create, always in the order
CloudFront's schema fixes."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any
from xml.etree.ElementTree import Element

from reconciler import xmlcodec as xml
from reconciler.kinds.distribution.config import (
    BEHAVIOR_ORDER,
    CONFIG_ORDER,
    LEGACY_TTLS,
    ORIGIN_ORDER,
    Json,
    logging_bucket_domain,
)


def _list(
    parent: Element, tag: str, item: str, values: Iterable[Any], render: Any = None
) -> Element:
    """A ``Quantity``/``Items`` list; ``render(items_element, value)`` writes one item."""
    values = list(values)
    holder = xml.add(parent, tag)
    xml.add(holder, "Quantity", len(values))
    if values:
        items = xml.add(holder, "Items")
        for value in values:
            if render is None:
                xml.add(items, item, value)
            else:
                render(items, value)
    return holder


def _ordered(element: Element, order: tuple[str, ...]) -> Element:
    """The element with its children in schema order (unknown ones last, as they were)."""
    rank = {tag: i for i, tag in enumerate(order)}
    children = sorted(element, key=lambda c: rank.get(c.tag, len(order)))
    for child in list(element):
        element.remove(child)
    element.extend(children)
    return element


def _merge(new: Element, old: Element | None, order: tuple[str, ...]) -> Element:
    """``new`` plus the children of ``old`` that ``new`` does not set (unmanaged settings)."""
    if old is not None:
        have = {child.tag for child in new}
        for child in old:
            if child.tag not in have:
                new.append(copy.deepcopy(child))
    return _ordered(new, order)


def _render_origin(value: Json, old: Element | None) -> Element:
    node = Element("Origin")
    xml.add(node, "Id", value["id"])
    xml.add(node, "DomainName", value["domain_name"])
    xml.add(node, "OriginPath", value.get("origin_path") or "")
    headers = sorted((value.get("custom_headers") or {}).items())

    def header(items: Element, pair: tuple[str, str]) -> None:
        one = xml.add(items, "OriginCustomHeader")
        xml.add(one, "HeaderName", pair[0])
        xml.add(one, "HeaderValue", pair[1])

    _list(node, "CustomHeaders", "OriginCustomHeader", headers, header)
    if value.get("bucket"):
        kept = old.find("S3OriginConfig") if old is not None else None
        if kept is not None:
            node.append(copy.deepcopy(kept))  # a legacy origin access identity stays
        else:
            xml.add(xml.add(node, "S3OriginConfig"), "OriginAccessIdentity", "")
    else:
        custom = value.get("custom") or {}
        conf = xml.add(node, "CustomOriginConfig")
        xml.add(conf, "HTTPPort", custom.get("http_port", 80))
        xml.add(conf, "HTTPSPort", custom.get("https_port", 443))
        xml.add(conf, "OriginProtocolPolicy", custom.get("protocol_policy", "https-only"))
        _list(conf, "OriginSslProtocols", "SslProtocol", custom.get("ssl_protocols", ["TLSv1.2"]))
        xml.add(conf, "OriginReadTimeout", custom.get("read_timeout", 30))
        xml.add(conf, "OriginKeepaliveTimeout", custom.get("keepalive_timeout", 5))
        if old is not None and old.find("CustomOriginConfig") is not None:
            conf = _merge(conf, old.find("CustomOriginConfig"), ())
    xml.add(node, "ConnectionAttempts", value.get("connection_attempts", 3))
    xml.add(node, "ConnectionTimeout", value.get("connection_timeout", 10))
    xml.add(node, "OriginAccessControlId", value.get("origin_access_control_id") or "")
    if old is not None and old.find("S3OriginConfig") is not None and not value.get("bucket"):
        old = _without(old, "S3OriginConfig")
    if old is not None and old.find("CustomOriginConfig") is not None and value.get("bucket"):
        old = _without(old, "CustomOriginConfig")
    return _merge(node, old, ORIGIN_ORDER)


def _without(node: Element, tag: str) -> Element:
    out = copy.deepcopy(node)
    for child in out.findall(tag):
        out.remove(child)
    return out


def _render_behavior(tag: str, value: Json, old: Element | None) -> Element:
    node = Element(tag)
    if "path_pattern" in value:
        xml.add(node, "PathPattern", value["path_pattern"])
    xml.add(node, "TargetOriginId", value["target_origin"])
    xml.add(node, "ViewerProtocolPolicy", value["viewer_protocol_policy"])
    allowed = _list(node, "AllowedMethods", "Method", value.get("allowed_methods", ["GET", "HEAD"]))
    _list(allowed, "CachedMethods", "Method", value.get("cached_methods", ["GET", "HEAD"]))
    xml.add(node, "Compress", bool(value.get("compress", False)))
    policy = value.get("cache_policy_id")
    if policy:
        xml.add(node, "CachePolicyId", policy)
    xml.add(node, "OriginRequestPolicyId", value.get("origin_request_policy_id") or "")
    xml.add(node, "ResponseHeadersPolicyId", value.get("response_headers_policy_id") or "")
    if old is not None:
        # What this write decides about caching replaces what was there.
        old = _without(old, "CachePolicyId")
        for legacy in ("ForwardedValues", "MinTTL", "DefaultTTL", "MaxTTL"):
            old = _without(old, legacy)
    if not policy:
        # Without a cache policy CloudFront wants the legacy settings.
        forwarded = xml.add(node, "ForwardedValues")
        xml.add(forwarded, "QueryString", False)
        xml.add(xml.add(forwarded, "Cookies"), "Forward", "none")
        for key, tag_name in (
            ("min_ttl", "MinTTL"),
            ("default_ttl", "DefaultTTL"),
            ("max_ttl", "MaxTTL"),
        ):
            ttl = value.get(key)
            xml.add(node, tag_name, LEGACY_TTLS[key] if ttl is None else ttl)
    return _merge(node, old, BEHAVIOR_ORDER)


def _render_error_response(items: Element, value: Json) -> None:
    node = xml.add(items, "CustomErrorResponse")
    xml.add(node, "ErrorCode", value["error_code"])
    if value.get("response_page_path") is not None:
        xml.add(node, "ResponsePagePath", value["response_page_path"])
        xml.add(node, "ResponseCode", str(value["response_code"]))
    if value.get("error_caching_min_ttl") is not None:
        xml.add(node, "ErrorCachingMinTTL", value["error_caching_min_ttl"])


def _render_certificate(value: Json) -> Element:
    node = Element("ViewerCertificate")
    if value.get("acm_certificate_arn") or value.get("iam_certificate_id"):
        if value.get("iam_certificate_id"):
            xml.add(node, "IAMCertificateId", value["iam_certificate_id"])
        else:
            xml.add(node, "ACMCertificateArn", value["acm_certificate_arn"])
        xml.add(node, "SSLSupportMethod", value.get("ssl_support_method") or "sni-only")
        xml.add(
            node, "MinimumProtocolVersion", value.get("minimum_protocol_version") or "TLSv1.2_2021"
        )
    else:
        xml.add(node, "CloudFrontDefaultCertificate", True)
        xml.add(node, "MinimumProtocolVersion", value.get("minimum_protocol_version") or "TLSv1")
    return node


def _render_logging(value: Json) -> Element:
    node = Element("Logging")
    on = bool(value)
    xml.add(node, "Enabled", on)
    xml.add(node, "IncludeCookies", bool(on and value.get("include_cookies")))
    xml.add(node, "Bucket", logging_bucket_domain(value["bucket"]) if on else "")
    xml.add(node, "Prefix", value.get("prefix", "") if on else "")
    return node


def _render_restrictions(value: Json) -> Element:
    node = Element("Restrictions")
    geo = xml.add(node, "GeoRestriction")
    wanted = value["geo_restriction"]
    xml.add(geo, "RestrictionType", wanted["type"])
    locations = sorted(wanted.get("locations") or [])
    xml.add(geo, "Quantity", len(locations))
    if locations:
        items = xml.add(geo, "Items")
        for code in locations:
            xml.add(items, "Location", code)
    return node


def _by_key(nodes: list[Element], key: str) -> dict[str, Element]:
    return {xml.text(n, key) or "": n for n in nodes}


def _field_elements(name: str, value: Json, base: Element) -> list[Element]:
    """The top-level element(s) that carry one field's value."""
    scalar: dict[str, tuple[str, Callable[[Json], Any]]] = {
        "enabled": ("Enabled", bool),
        "comment": ("Comment", str),
        "default_root_object": ("DefaultRootObject", str),
        "price_class": ("PriceClass", str),
        "http_version": ("HttpVersion", str),
        "ipv6": ("IsIPV6Enabled", bool),
        "web_acl_id": ("WebACLId", str),
    }
    if name in scalar:
        tag, cast = scalar[name]
        node = Element(tag)
        xml_value = cast(value)
        node.text = ("true" if xml_value else "false") if isinstance(xml_value, bool) else xml_value
        return [node]
    holder = Element("holder")
    if name == "aliases":
        _list(holder, "Aliases", "CNAME", sorted(value))
    elif name == "origins":
        old = _by_key(xml.items(base, "Origins", "Origin"), "Id")

        def origin(items: Element, one: Json) -> None:
            items.append(_render_origin(one, old.get(one["id"])))

        _list(holder, "Origins", "Origin", value, origin)
    elif name == "default_cache_behavior":
        holder.append(
            _render_behavior("DefaultCacheBehavior", value, base.find("DefaultCacheBehavior"))
        )
    elif name == "cache_behaviors":
        old = _by_key(xml.items(base, "CacheBehaviors", "CacheBehavior"), "PathPattern")

        def behavior(items: Element, one: Json) -> None:
            items.append(_render_behavior("CacheBehavior", one, old.get(one["path_pattern"])))

        _list(holder, "CacheBehaviors", "CacheBehavior", value, behavior)
    elif name == "custom_error_responses":
        _list(
            holder,
            "CustomErrorResponses",
            "CustomErrorResponse",
            sorted(value, key=lambda r: r["error_code"]),
            _render_error_response,
        )
    elif name == "restrictions":
        holder.append(_render_restrictions(value))
    elif name == "viewer_certificate":
        holder.append(_render_certificate(value))
    elif name == "logging":
        holder.append(_render_logging(value))
    else:
        raise ValueError(f"unknown distribution field {name!r}")
    return list(holder)


def skeleton(caller_reference: str) -> Element:
    """The smallest configuration CloudFront accepts, before the spec's fields go on it."""
    root = Element("DistributionConfig")
    xml.add(root, "CallerReference", caller_reference)
    xml.add(root, "Comment", "")
    xml.add(root, "Enabled", True)
    return root


def write_config(fields: dict[str, Json], base: Element) -> Element:
    """``base`` (a live configuration or a `skeleton`) with ``fields`` (spec spelling) set."""
    out = copy.deepcopy(base)
    out.tag = "DistributionConfig"
    out.attrib.clear()
    for name, value in fields.items():
        for node in _field_elements(name, value, base):
            for old in out.findall(node.tag):
                out.remove(old)
            out.append(node)
    return _ordered(out, CONFIG_ORDER)


def with_enabled(config: Element, enabled: bool) -> Element:
    """The configuration with only ``Enabled`` changed (disabling before a delete)."""
    return write_config({"enabled": enabled}, config)

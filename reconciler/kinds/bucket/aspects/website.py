"""``website``: static website hosting (index and error documents, redirects, routing rules)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element

from reconciler import xmlcodec as xml
from reconciler.kinds.bucket.aspects.base import (
    Aspect,
    Call,
    Decoded,
    S3Calls,
    Unconfigured,
    WriteContext,
)
from reconciler.kinds.bucket.canonical import Context, Json, dump
from reconciler.kinds.bucket.model import (
    Bucket,
    RedirectAllRequestsTo,
    RoutingCondition,
    RoutingRedirect,
    RoutingRule,
    Website,
)
from reconciler.spec.findings import Finding, RuleContext
from reconciler.spec.source import Path

#: The root element S3 answers and takes.
DOCUMENT = "WebsiteConfiguration"

MAX_ROUTING_RULES = 50
_CONDITION = (
    ("HttpErrorCodeReturnedEquals", "http_error_code_returned_equals"),
    ("KeyPrefixEquals", "key_prefix_equals"),
)
_REDIRECT = (
    ("HostName", "host_name"),
    ("HttpRedirectCode", "http_redirect_code"),
    ("Protocol", "protocol"),
    ("ReplaceKeyPrefixWith", "replace_key_prefix_with"),
    ("ReplaceKeyWith", "replace_key_with"),
)


def _fields(node: Element | None, names: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    if node is None:
        return {}
    return {attr: xml.text(node, tag) for tag, attr in names if node.find(tag) is not None}


def _decode(root: Element) -> Decoded:
    redirect_all = root.find("RedirectAllRequestsTo")
    rules_node = root.find("RoutingRules")
    rules = []
    for node in xml.children(rules_node, "RoutingRule") if rules_node is not None else ():
        condition = _fields(node.find("Condition"), _CONDITION)
        rules.append(
            RoutingRule(
                condition=RoutingCondition(**condition) if condition else None,
                redirect=RoutingRedirect(**_fields(node.find("Redirect"), _REDIRECT)),
            )
        )
    index, error = root.find("IndexDocument"), root.find("ErrorDocument")
    return Decoded(
        Website(
            index_document=xml.text(index, "Suffix") if index is not None else None,
            error_document=xml.text(error, "Key") if error is not None else None,
            redirect_all_requests_to=RedirectAllRequestsTo(
                host_name=xml.text(redirect_all, "HostName") or "",
                protocol=xml.text(redirect_all, "Protocol") or None,  # type: ignore[arg-type]
            )
            if redirect_all is not None
            else None,
            routing_rules=rules,
        )
    )


def _encode(value: Any, ctx: WriteContext) -> bytes:
    site: Website = value
    root = xml.root(DOCUMENT)
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
            if rule.condition is not None and rule.condition.model_dump(exclude_none=True):
                condition = xml.add(node, "Condition")
                for tag, attr in _CONDITION:
                    xml.add_if(condition, tag, getattr(rule.condition, attr))
            redirect = xml.add(node, "Redirect")
            for tag, attr in _REDIRECT:
                xml.add_if(redirect, tag, getattr(rule.redirect, attr))
    return xml.serialise(root)


def _canonical(value: Any, ctx: Context, desired: bool) -> Json:
    out = dump(value)
    if not out.get("routing_rules"):
        out.pop("routing_rules", None)
    return out


def _rules(ctx: RuleContext, name: str, bucket: Bucket, path: Path) -> Iterator[Finding]:
    site = bucket.website
    if not site:
        return
    where = (*path, "website")
    if site.redirect_all_requests_to is not None:
        others = [
            f for f in ("index_document", "error_document") if getattr(site, f) is not None
        ] + (["routing_rules"] if site.routing_rules else [])
        if others:
            yield Finding(
                where,
                "redirect_all_requests_to excludes the other website settings "
                f"(found {', '.join(others)})",
            )
        return
    if site.index_document is None:
        yield Finding(where, "a website needs index_document (or redirect_all_requests_to)")
    elif not site.index_document or "/" in site.index_document:
        yield Finding(
            (*where, "index_document"),
            "the index document is a suffix such as index.html: not empty, and without a slash",
        )
    if len(site.routing_rules) > MAX_ROUTING_RULES:
        yield Finding((*where, "routing_rules"), f"at most {MAX_ROUTING_RULES} routing rules")
    for index, rule in enumerate(site.routing_rules):
        redirect = rule.redirect
        at = (*where, "routing_rules", index, "redirect")
        if redirect.replace_key_prefix_with is not None and redirect.replace_key_with is not None:
            yield Finding(at, "give replace_key_prefix_with or replace_key_with, not both")
        if not redirect.model_dump(exclude_none=True):
            yield Finding(at, "a redirect needs at least one setting")
        code = redirect.http_redirect_code
        if code is not None and not re.match(r"^3\d\d$", code):
            yield Finding(at, f"http_redirect_code must be a 3xx code (got {code!r})")


ASPECT = Aspect(
    key="website",
    calls=S3Calls(
        subresource="website",
        document=DOCUMENT,
        get=Call("GetBucketWebsite", "s3:GetBucketWebsite"),
        put=Call("PutBucketWebsite", "s3:PutBucketWebsite"),
        delete=Call("DeleteBucketWebsite", "s3:DeleteBucketWebsite"),
    ),
    decode=_decode,
    encode=_encode,
    unconfigured=Unconfigured(compares_as=None, codes=("NoSuchWebsiteConfiguration",)),
    canonical=_canonical,
    follows=("tags",),
    rules=_rules,
)

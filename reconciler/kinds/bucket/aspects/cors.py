"""``cors``: the bucket's CORS rules, compared in order (S3 applies the first that matches)."""

from __future__ import annotations

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
from reconciler.kinds.bucket.canonical import Context, Json, drop_none
from reconciler.kinds.bucket.model import Bucket, CorsRule
from reconciler.spec.findings import Finding, RuleContext
from reconciler.spec.source import Path

#: The root element S3 answers and takes.
DOCUMENT = "CORSConfiguration"

MAX_RULES = 100


def _texts(node: Element, tag: str) -> list[str]:
    return [child.text or "" for child in xml.children(node, tag)]


def _decode(root: Element) -> Decoded:
    return Decoded(
        [
            CorsRule(
                id=xml.text(node, "ID") or None,
                allowed_methods=_texts(node, "AllowedMethod"),  # type: ignore[arg-type]
                allowed_origins=_texts(node, "AllowedOrigin"),
                allowed_headers=_texts(node, "AllowedHeader"),
                expose_headers=_texts(node, "ExposeHeader"),
                max_age_seconds=xml.integer(node, "MaxAgeSeconds"),
            )
            for node in xml.children(root, "CORSRule")
        ]
    )


def _encode(value: Any, ctx: WriteContext) -> bytes:
    root = xml.root(DOCUMENT)
    for rule in value:
        node = xml.add(root, "CORSRule")
        xml.add_if(node, "ID", rule.id)
        for tag, values in (
            ("AllowedHeader", rule.allowed_headers),
            ("AllowedMethod", rule.allowed_methods),
            ("AllowedOrigin", rule.allowed_origins),
            ("ExposeHeader", rule.expose_headers),
        ):
            for item in values:
                xml.add(node, tag, item)
        xml.add_if(node, "MaxAgeSeconds", rule.max_age_seconds)
    return xml.serialise(root)


def _canonical(value: Any, ctx: Context, desired: bool) -> Json:
    return [
        drop_none(
            {
                "id": rule.id or None,
                "allowed_methods": sorted(set(rule.allowed_methods)),
                "allowed_origins": sorted(set(rule.allowed_origins)),
                "allowed_headers": sorted({h.lower() for h in rule.allowed_headers}),
                "expose_headers": sorted(set(rule.expose_headers)),
                "max_age_seconds": rule.max_age_seconds,
            }
        )
        for rule in value
    ]


def _rules(ctx: RuleContext, name: str, bucket: Bucket, path: Path) -> Iterator[Finding]:
    if bucket.cors is None:
        return
    if len(bucket.cors) > MAX_RULES:
        yield Finding((*path, "cors"), f"at most {MAX_RULES} CORS rules (found {len(bucket.cors)})")
    for index, rule in enumerate(bucket.cors):
        if rule is None:
            continue  # its shape is wrong, reported already (see loader.SALVAGED_LISTS)
        where = (*path, "cors", index)
        if not rule.allowed_methods:
            yield Finding((*where, "allowed_methods"), "a CORS rule needs at least one method")
        if not rule.allowed_origins:
            yield Finding((*where, "allowed_origins"), "a CORS rule needs at least one origin")
        for field, values in (
            ("allowed_origins", rule.allowed_origins),
            ("allowed_headers", rule.allowed_headers),
        ):
            for value in values:
                if value.count("*") > 1:
                    yield Finding((*where, field), f"{value!r}: at most one '*' wildcard")
        if len(set(rule.allowed_methods)) != len(rule.allowed_methods):
            yield Finding((*where, "allowed_methods"), "a method is listed twice")


ASPECT = Aspect(
    key="cors",
    calls=S3Calls(
        subresource="cors",
        document=DOCUMENT,
        get=Call("GetBucketCors", "s3:GetBucketCORS"),
        put=Call("PutBucketCors", "s3:PutBucketCORS"),
        delete=Call("DeleteBucketCors", "s3:PutBucketCORS"),
    ),
    decode=_decode,
    encode=_encode,
    unconfigured=Unconfigured(compares_as=[], codes=("NoSuchCORSConfiguration",), reads_as=[]),
    canonical=_canonical,
    salvage_elements=True,
    follows=("tags",),
    rules=_rules,
)

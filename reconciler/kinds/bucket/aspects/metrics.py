"""``metrics``: CloudWatch request metrics configurations, by id."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element

from reconciler import xmlcodec as xml
from reconciler.kinds.bucket.aspects import filters, items
from reconciler.kinds.bucket.aspects.base import WriteContext
from reconciler.kinds.bucket.canonical import Json, drop_none
from reconciler.kinds.bucket.model import Bucket
from reconciler.kinds.bucket.model_analytics import Metrics, PrefixTagsFilter
from reconciler.spec.findings import Finding, RuleContext
from reconciler.spec.source import Path

ELEMENT = "MetricsConfiguration"


def _item(node: Element) -> Metrics:
    flt = node.find("Filter")
    inner = flt.find("And") if flt is not None and flt.find("And") is not None else flt
    return Metrics(
        id=xml.text(node, "Id") or "",
        filter=items.decode_filter(flt),
        access_point=xml.text(inner, "AccessPointArn") if inner is not None else None,
    )


def _encode(value: Any, ctx: WriteContext) -> bytes:
    item: Metrics = value
    root = xml.root(ELEMENT)
    xml.add(root, "Id", item.id)
    flt = item.filter or PrefixTagsFilter()
    conditions = bool(flt.prefix) + len(flt.tags or {}) + (item.access_point is not None)
    if conditions:
        node = xml.add(root, "Filter")
        target = xml.add(node, "And") if conditions > 1 else node
        xml.add_if(target, "Prefix", flt.prefix or None)
        for key, val in sorted((flt.tags or {}).items()):
            tag = xml.add(target, "Tag")
            xml.add(tag, "Key", key)
            xml.add(tag, "Value", val)
        xml.add_if(target, "AccessPointArn", item.access_point)
    return xml.serialise(root)


def _canonical_item(item: Metrics) -> Json:
    return drop_none({"filter": filters.canonical(item.filter), "access_point": item.access_point})


def _rules(ctx: RuleContext, name: str, bucket: Bucket, path: Path) -> Iterator[Finding]:
    if bucket.metrics is not None:
        yield from items.check_items(ctx, bucket.metrics, (*path, "metrics"), what="metrics")


ASPECT = items.aspect(
    "metrics",
    name="Metrics",
    subresource="metrics",
    item=_item,
    encode=_encode,
    canonical_item=_canonical_item,
    rules=_rules,
)

"""``intelligent_tiering``: S3 Intelligent-Tiering archive configurations, by id."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element

from reconciler import xmlcodec as xml
from reconciler.kinds.bucket.aspects import filters, items
from reconciler.kinds.bucket.aspects.base import WriteContext
from reconciler.kinds.bucket.canonical import Json, drop_none
from reconciler.kinds.bucket.model import Bucket
from reconciler.kinds.bucket.model_analytics import IntelligentTiering
from reconciler.spec.findings import Finding, RuleContext
from reconciler.spec.source import Path

ELEMENT = "IntelligentTieringConfiguration"
#: The spec's fields by S3's access tier names.
TIERS = (
    ("ARCHIVE_ACCESS", "archive_access_days"),
    ("DEEP_ARCHIVE_ACCESS", "deep_archive_access_days"),
)


def _item(node: Element) -> IntelligentTiering:
    days = {
        xml.text(t, "AccessTier") or "": xml.integer(t, "Days")
        for t in xml.children(node, "Tiering")
    }
    return IntelligentTiering(
        id=xml.text(node, "Id") or "",
        enabled=xml.text(node, "Status") != "Disabled",
        filter=items.decode_filter(node.find("Filter")),
        **{field: days.get(tier) for tier, field in TIERS},
    )


def _encode(value: Any, ctx: WriteContext) -> bytes:
    item: IntelligentTiering = value
    root = xml.root(ELEMENT)
    xml.add(root, "Id", item.id)
    items.encode_filter(root, item.filter)
    xml.add(root, "Status", "Enabled" if item.enabled else "Disabled")
    for tier, field in TIERS:
        days = getattr(item, field)
        if days is not None:
            node = xml.add(root, "Tiering")
            xml.add(node, "Days", days)
            xml.add(node, "AccessTier", tier)
    return xml.serialise(root)


def _canonical_item(item: IntelligentTiering) -> Json:
    return drop_none(
        {
            "enabled": item.enabled,
            "filter": filters.canonical(item.filter),
            "archive_access_days": item.archive_access_days,
            "deep_archive_access_days": item.deep_archive_access_days,
        }
    )


def _rules(ctx: RuleContext, name: str, bucket: Bucket, path: Path) -> Iterator[Finding]:
    if bucket.intelligent_tiering is None:
        return
    where = (*path, "intelligent_tiering")
    yield from items.check_items(ctx, bucket.intelligent_tiering, where, what="Intelligent-Tiering")
    for index, item in enumerate(bucket.intelligent_tiering):
        if item is None:
            continue
        archive, deep = item.archive_access_days, item.deep_archive_access_days
        if archive is None and deep is None:
            yield Finding(
                (*where, index),
                "give archive_access_days, deep_archive_access_days or both",
            )
        elif archive is not None and deep is not None and deep <= archive:
            yield Finding(
                (*where, index, "deep_archive_access_days"),
                f"must be more than archive_access_days ({deep} <= {archive})",
            )


ASPECT = items.aspect(
    "intelligent_tiering",
    name="IntelligentTiering",
    subresource="intelligent-tiering",
    item=_item,
    encode=_encode,
    canonical_item=_canonical_item,
    rules=_rules,
)

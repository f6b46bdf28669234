"""``inventory``: inventory reports, by id (each written and deleted on its own)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element

from reconciler import xmlcodec as xml
from reconciler.kinds.bucket.aspects import items
from reconciler.kinds.bucket.aspects.base import WriteContext
from reconciler.kinds.bucket.canonical import Json, drop_none
from reconciler.kinds.bucket.model import Bucket
from reconciler.kinds.bucket.model_analytics import Inventory, InventoryDestination, PrefixFilter
from reconciler.spec.findings import Finding, RuleContext
from reconciler.spec.source import Path

ELEMENT = "InventoryConfiguration"


def _item(node: Element) -> Inventory:
    dest = node.find("Destination/S3BucketDestination")
    prefix = node.find("Filter")
    fields = node.find("OptionalFields")
    return Inventory(
        id=xml.text(node, "Id") or "",
        enabled=bool(xml.boolean(node, "IsEnabled")),
        destination=InventoryDestination(
            bucket=(xml.text(dest, "Bucket") or "") if dest is not None else "",
            prefix=xml.text(dest, "Prefix") if dest is not None else None,
            account=xml.text(dest, "AccountId") if dest is not None else None,
            format=(xml.text(dest, "Format") or "CSV") if dest is not None else "CSV",  # type: ignore[arg-type]
        ),
        schedule=xml.text(node, "Schedule/Frequency") or "Weekly",  # type: ignore[arg-type]
        included_versions=xml.text(node, "IncludedObjectVersions") or "Current",  # type: ignore[arg-type]
        filter=PrefixFilter(prefix=xml.text(prefix, "Prefix") or "")
        if prefix is not None and xml.text(prefix, "Prefix")
        else None,
        optional_fields=[f.text or "" for f in xml.children(fields, "Field")]  # type: ignore[misc]
        if fields is not None
        else [],
    )


def _encode(value: Any, ctx: WriteContext) -> bytes:
    item: Inventory = value
    root = xml.root(ELEMENT)
    target = xml.add(xml.add(root, "Destination"), "S3BucketDestination")
    xml.add_if(target, "AccountId", item.destination.account)
    xml.add(target, "Bucket", items.bucket_arn(item.destination.bucket))
    xml.add(target, "Format", item.destination.format)
    xml.add_if(target, "Prefix", item.destination.prefix)
    xml.add(root, "IsEnabled", item.enabled)
    if item.filter is not None:
        xml.add(xml.add(root, "Filter"), "Prefix", item.filter.prefix)
    xml.add(root, "Id", item.id)
    xml.add(root, "IncludedObjectVersions", item.included_versions)
    if item.optional_fields:
        fields = xml.add(root, "OptionalFields")
        for name in item.optional_fields:
            xml.add(fields, "Field", name)
    xml.add(xml.add(root, "Schedule"), "Frequency", item.schedule)
    return xml.serialise(root)


def _canonical_item(item: Inventory) -> Json:
    return drop_none(
        {
            "enabled": item.enabled,
            "destination": drop_none(
                {
                    "bucket": items.bucket_arn(item.destination.bucket),
                    "prefix": item.destination.prefix or None,
                    "account": item.destination.account,
                    "format": item.destination.format,
                }
            ),
            "schedule": item.schedule,
            "included_versions": item.included_versions,
            "prefix": item.filter.prefix if item.filter and item.filter.prefix else None,
            "optional_fields": sorted(set(item.optional_fields)),
        }
    )


def _rules(ctx: RuleContext, name: str, bucket: Bucket, path: Path) -> Iterator[Finding]:
    if bucket.inventory is not None:
        yield from items.check_items(
            ctx,
            bucket.inventory,
            (*path, "inventory"),
            what="inventory",
            destination=lambda item: item.destination,
            destination_at=("destination",),
        )


ASPECT = items.aspect(
    "inventory",
    name="Inventory",
    subresource="inventory",
    item=_item,
    encode=_encode,
    canonical_item=_canonical_item,
    rules=_rules,
    refers=items.report_destinations("inventory destination", lambda item: item.destination),
)

"""``analytics``: storage-class analysis configurations, by id (with an optional daily CSV
export to a bucket)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element

from reconciler import xmlcodec as xml
from reconciler.kinds.bucket.aspects import filters, items
from reconciler.kinds.bucket.aspects.base import WriteContext
from reconciler.kinds.bucket.canonical import Json, drop_none
from reconciler.kinds.bucket.model import Bucket
from reconciler.kinds.bucket.model_analytics import Analytics, AnalyticsExport
from reconciler.spec.findings import Finding, RuleContext
from reconciler.spec.source import Path

ELEMENT = "AnalyticsConfiguration"
_EXPORT = "StorageClassAnalysis/DataExport/Destination/S3BucketDestination"


def _item(node: Element) -> Analytics:
    dest = node.find(_EXPORT)
    return Analytics(
        id=xml.text(node, "Id") or "",
        filter=items.decode_filter(node.find("Filter")),
        export=AnalyticsExport(
            bucket=xml.text(dest, "Bucket") or "",
            prefix=xml.text(dest, "Prefix"),
            account=xml.text(dest, "BucketAccountId"),
        )
        if dest is not None
        else None,
    )


def _encode(value: Any, ctx: WriteContext) -> bytes:
    item: Analytics = value
    root = xml.root(ELEMENT)
    xml.add(root, "Id", item.id)
    items.encode_filter(root, item.filter)
    analysis = xml.add(root, "StorageClassAnalysis")
    if item.export is not None:
        export = xml.add(analysis, "DataExport")
        xml.add(export, "OutputSchemaVersion", "V_1")
        dest = xml.add(xml.add(export, "Destination"), "S3BucketDestination")
        xml.add(dest, "Format", "CSV")
        xml.add_if(dest, "BucketAccountId", item.export.account)
        xml.add(dest, "Bucket", items.bucket_arn(item.export.bucket))
        xml.add_if(dest, "Prefix", item.export.prefix)
    return xml.serialise(root)


def _canonical_item(item: Analytics) -> Json:
    export = item.export
    return drop_none(
        {
            "filter": filters.canonical(item.filter),
            "export": drop_none(
                {
                    "bucket": items.bucket_arn(export.bucket),
                    "prefix": export.prefix or None,
                    "account": export.account,
                }
            )
            if export
            else None,
        }
    )


def _rules(ctx: RuleContext, name: str, bucket: Bucket, path: Path) -> Iterator[Finding]:
    if bucket.analytics is not None:
        yield from items.check_items(
            ctx,
            bucket.analytics,
            (*path, "analytics"),
            what="analytics export",
            destination=lambda item: item.export,
            destination_at=("export",),
        )


ASPECT = items.aspect(
    "analytics",
    name="Analytics",
    subresource="analytics",
    item=_item,
    encode=_encode,
    canonical_item=_canonical_item,
    rules=_rules,
    refers=items.report_destinations("analytics export", lambda item: item.export),
)

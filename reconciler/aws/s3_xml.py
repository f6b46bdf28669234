"""S3's XML documents to and from the typed values of `s3_types`, one pair per document.

Pure functions: bytes in, values out (and back). The client sends and receives; this module
only knows the document shapes, so each shape can be tested without a network.
"""

from __future__ import annotations

from datetime import date, datetime
from xml.etree.ElementTree import Element

from reconciler import xmlcodec as xml
from reconciler.aws.s3_types import (
    BucketSummary,
    DeleteFailure,
    ObjectSummary,
    ObjectVersion,
)


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def _timestamp(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


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

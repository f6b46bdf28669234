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
    MultipartUpload,
    ObjectSummary,
    ObjectVersion,
    UploadedPart,
    Written,
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
            storage_class=xml.text(node, "StorageClass"),
            checksum_algorithm=tuple(
                sorted((c.text or "").strip() for c in xml.children(node, "ChecksumAlgorithm"))
            ),
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


# -- object writes and multipart uploads ------------------------------------------------------


def decode_written(root: Element) -> Written:
    """``CopyObjectResult`` or ``CompleteMultipartUploadResult``: the new ETag and checksum."""
    return Written(etag=xml.text(root, "ETag"), checksum_sha256=xml.text(root, "ChecksumSHA256"))


def decode_upload_id(root: Element) -> str | None:
    """``InitiateMultipartUploadResult``: the upload's id."""
    return xml.text(root, "UploadId") or None


def encode_complete_upload(parts: list[UploadedPart]) -> bytes:
    root = xml.root("CompleteMultipartUpload")
    for part in sorted(parts, key=lambda p: p.number):
        node = xml.add(root, "Part")
        xml.add(node, "PartNumber", part.number)
        xml.add(node, "ETag", part.etag)
        xml.add_if(node, "ChecksumSHA256", part.checksum_sha256)
    return xml.serialise(root)


def decode_parts(root: Element) -> tuple[list[UploadedPart], str | None]:
    """``ListPartsResult``: the parts, and the marker of the next page."""
    parts = [
        UploadedPart(
            number=xml.integer(node, "PartNumber") or 0,
            etag=xml.text(node, "ETag") or "",
            checksum_sha256=xml.text(node, "ChecksumSHA256"),
            size=xml.integer(node, "Size"),
        )
        for node in xml.children(root, "Part")
    ]
    marker = xml.text(root, "NextPartNumberMarker") if xml.boolean(root, "IsTruncated") else None
    return parts, marker or None


def decode_uploads(root: Element) -> tuple[list[MultipartUpload], tuple[str, str] | None]:
    """``ListMultipartUploadsResult``: the uploads, and the markers of the next page."""
    uploads = [
        MultipartUpload(
            key=xml.text(node, "Key") or "",
            upload_id=xml.text(node, "UploadId") or "",
            initiated=_timestamp(xml.text(node, "Initiated")),
        )
        for node in xml.children(root, "Upload")
    ]
    if not xml.boolean(root, "IsTruncated"):
        return uploads, None
    return uploads, (
        xml.text(root, "NextKeyMarker") or "",
        xml.text(root, "NextUploadIdMarker") or "",
    )

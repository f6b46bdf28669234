"""Typed values for what the S3 API says about buckets and objects: listings, existence, deletes,
an object's headers, multipart uploads. A bucket's configuration is not typed here: each
aspect's unit (`reconciler.kinds.bucket.aspects`) reads and writes its own sub-resource through
the client's generic configuration calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class BucketSummary:
    name: str
    created: datetime | None
    region: str | None = None


@dataclass(frozen=True)
class BucketHead:
    """What ``HeadBucket`` tells: the bucket exists, and where; ``accessible`` is false when it
    exists but this identity may not use it (HTTP 403)."""

    region: str | None
    accessible: bool = True


@dataclass(frozen=True)
class ObjectSummary:
    """One object of a listing. ``checksum_algorithm``: the algorithms of the checksums S3
    keeps for it (the listing names them, not their values)."""

    key: str
    size: int
    etag: str | None = None
    storage_class: str | None = None
    checksum_algorithm: tuple[str, ...] = ()


@dataclass(frozen=True)
class ObjectVersion:
    key: str
    version_id: str | None
    is_delete_marker: bool = False
    is_latest: bool = False


@dataclass(frozen=True)
class ObjectHeaders:
    """The headers an object is written with and answers with: what a site serves. ``metadata``
    holds the ``x-amz-meta-*`` names without their prefix, sorted."""

    content_type: str | None = None
    cache_control: str | None = None
    content_encoding: str | None = None
    content_disposition: str | None = None
    content_language: str | None = None
    metadata: tuple[tuple[str, str], ...] = ()
    storage_class: str | None = None

    def to_headers(self) -> dict[str, str]:
        """As request headers (storage class left out when not set: S3's ``STANDARD``)."""
        found = {
            "content-type": self.content_type,
            "cache-control": self.cache_control,
            "content-encoding": self.content_encoding,
            "content-disposition": self.content_disposition,
            "content-language": self.content_language,
            "x-amz-storage-class": self.storage_class,
        }
        headers = {k: v for k, v in found.items() if v is not None}
        headers.update({f"x-amz-meta-{k}": v for k, v in self.metadata})
        return headers


@dataclass(frozen=True)
class ObjectHead:
    """What ``HeadObject`` tells. ``checksum_sha256``: S3's own SHA-256 checksum (base64; a
    multipart upload's composite one ends with ``-PARTS``) when it keeps one and was asked."""

    size: int
    etag: str | None
    content_type: str | None
    version_id: str | None = None
    headers: ObjectHeaders = ObjectHeaders()
    checksum_sha256: str | None = None


@dataclass(frozen=True)
class ObjectBody:
    """An object read whole: its bytes and the ETag and version they are."""

    body: bytes
    etag: str | None
    version_id: str | None = None


@dataclass(frozen=True)
class Written:
    """What S3 answered a write of an object with (a put, a copy, a completed upload)."""

    etag: str | None
    version_id: str | None = None
    checksum_sha256: str | None = None


@dataclass(frozen=True)
class UploadedPart:
    """One part of a multipart upload: its number, ETag, and SHA-256 checksum (base64) when
    the store answers one."""

    number: int
    etag: str
    checksum_sha256: str | None = None
    size: int | None = None


@dataclass(frozen=True)
class MultipartUpload:
    """A multipart upload under way (``ListMultipartUploads``)."""

    key: str
    upload_id: str
    initiated: datetime | None = None


@dataclass(frozen=True)
class DeleteFailure:
    key: str
    version_id: str | None
    code: str
    message: str


@dataclass(frozen=True)
class DeleteResult:
    deleted: int
    failures: tuple[DeleteFailure, ...] = ()

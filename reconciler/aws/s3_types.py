"""Typed values for what the S3 API says about buckets and objects: listings, existence, deletes. A
bucket's configuration is not typed here: each aspect's unit (`reconciler.kinds.bucket.aspects`)
reads and writes its own sub-resource through the client's generic configuration calls.
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
    key: str
    size: int
    etag: str | None = None


@dataclass(frozen=True)
class ObjectVersion:
    key: str
    version_id: str | None
    is_delete_marker: bool = False
    is_latest: bool = False


@dataclass(frozen=True)
class ObjectHead:
    size: int
    etag: str | None
    content_type: str | None
    version_id: str | None = None


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

"""A content's headers map (`reconciler.kinds.content.headers`) as the client writes and reads
an object's headers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.aws.s3_types import ObjectHeaders
from reconciler.kinds.content.headers import FIELDS


def object_headers(values: Mapping[str, Any]) -> ObjectHeaders:
    """A headers map as the client writes it."""
    return ObjectHeaders(
        content_type=values.get("content_type"),
        cache_control=values.get("cache_control"),
        content_encoding=values.get("content_encoding"),
        content_disposition=values.get("content_disposition"),
        content_language=values.get("content_language"),
        metadata=tuple(sorted((values.get("metadata") or {}).items())),
        storage_class=values.get("storage_class"),
    )


def from_object(headers: ObjectHeaders) -> dict[str, Any]:
    """What the client read, as a headers map (``STANDARD`` storage is S3's default: left
    out)."""
    out: dict[str, Any] = {
        "content_type": headers.content_type,
        "content_encoding": headers.content_encoding,
        "cache_control": headers.cache_control,
        "content_disposition": headers.content_disposition,
        "content_language": headers.content_language,
        "metadata": dict(headers.metadata) or None,
        "storage_class": None if headers.storage_class == "STANDARD" else headers.storage_class,
    }
    return {k: out[k] for k in FIELDS if out.get(k) is not None}

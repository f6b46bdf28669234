"""The S3 client's object operations, for keeping a site's files in a bucket: puts with their
headers and a SHA-256 checksum S3 verifies, a copy onto itself that changes only the headers,
multipart uploads (create, parts with their checksums, complete, abort, list), listings with
each object's storage class, reads with their ETag, and heads with S3's own checksum.

Each is written as steps (`aws.steps`), so that thousands run at once on the one driver within
the endpoint's adaptive concurrency; the calling thread runs one with `S3Client.run`. A body
sent with its SHA-256 checksum (``x-amz-checksum-sha256``, signed) is not hashed a second time
for the signature (``UNSIGNED-PAYLOAD``): S3 refuses a body whose checksum does not match, which
proves it as the signature would. ``CopyObject`` and ``CompleteMultipartUpload`` may answer
HTTP 200 with an error document (S3 starts the answer before the work ends): that is raised as
the error it names, never read as success.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import TYPE_CHECKING
from xml.etree.ElementTree import Element

from reconciler import xmlcodec as xml
from reconciler.aws import limits, s3_xml
from reconciler.aws.s3_types import (
    MultipartUpload,
    ObjectBody,
    ObjectHead,
    ObjectHeaders,
    ObjectSummary,
    UploadedPart,
    Written,
)
from reconciler.aws.signing import uri_encode
from reconciler.aws.steps import Steps
from reconciler.errors import NotFound, ResponseParseError, api_error

if TYPE_CHECKING:
    from reconciler.aws.s3 import S3Client
    from reconciler.aws.transport import Response

SHA256 = "SHA256"
_META = "x-amz-meta-"


def checksum_header(digest: bytes) -> str:
    """A SHA-256 digest as S3's ``x-amz-checksum-sha256`` carries it (base64)."""
    return base64.b64encode(digest).decode("ascii")


def _head_headers(found: Mapping[str, str]) -> ObjectHeaders:
    metadata = tuple(sorted((k[len(_META) :], v) for k, v in found.items() if k.startswith(_META)))
    return ObjectHeaders(
        content_type=found.get("content-type"),
        cache_control=found.get("cache-control"),
        content_encoding=found.get("content-encoding"),
        content_disposition=found.get("content-disposition"),
        content_language=found.get("content-language"),
        metadata=metadata,
        storage_class=found.get("x-amz-storage-class"),
    )


class ObjectCalls:
    """The object operations of an `S3Client` (``S3Client.objects``), through its requests."""

    def __init__(self, client: S3Client) -> None:
        self._client = client

    def _answer(self, response: Response, operation: str, bucket: str) -> Element:
        """The XML of an answer that may be an error although its status is 200."""
        root = self._client._xml(response, operation, bucket)
        if root.tag == "Error":
            raise api_error(
                code=xml.text(root, "Code") or "InternalError",
                message=xml.text(root, "Message") or f"{operation} failed",
                status=response.status,
                request_id=response.request_id,
                bucket=bucket,
            )
        return root

    def putting_object(
        self,
        bucket: str,
        key: str,
        body: bytes,
        *,
        headers: ObjectHeaders,
        sha256: bytes,
    ) -> Steps[Written]:
        """``PutObject`` with ``headers`` and the body's SHA-256 ``sha256`` (raw digest)."""
        sent = headers.to_headers()
        sent.setdefault("content-type", "application/octet-stream")
        sent["x-amz-checksum-sha256"] = checksum_header(sha256)
        response = yield from self._client._calling(
            "PutObject",
            "PUT",
            bucket=bucket,
            key=key,
            body=body,
            headers=sent,
            checksummed=True,
        )
        return Written(
            etag=response.headers.get("etag"),
            version_id=response.headers.get("x-amz-version-id"),
            checksum_sha256=response.headers.get("x-amz-checksum-sha256"),
        )

    def copying_headers(self, bucket: str, key: str, *, headers: ObjectHeaders) -> Steps[Written]:
        """``CopyObject`` onto itself with ``headers`` in place of the object's own (its bytes
        stay; S3 keeps a SHA-256 checksum of them)."""
        sent = headers.to_headers()
        sent.setdefault("content-type", "application/octet-stream")
        source = "/" + uri_encode(bucket, keep_slash=False) + "/" + uri_encode(key, keep_slash=True)
        sent |= {
            "x-amz-copy-source": source,
            "x-amz-metadata-directive": "REPLACE",
            "x-amz-checksum-algorithm": SHA256,
        }
        response = yield from self._client._calling(
            "CopyObject", "PUT", bucket=bucket, key=key, headers=sent
        )
        written = s3_xml.decode_written(self._answer(response, "CopyObject", bucket))
        return Written(
            etag=written.etag,
            version_id=response.headers.get("x-amz-version-id"),
            checksum_sha256=written.checksum_sha256,
        )

    def getting_object(self, bucket: str, key: str) -> Steps[ObjectBody | None]:
        """The object's bytes and ETag; ``None`` when there is no such key."""
        try:
            response = yield from self._client._calling(
                "GetObject", "GET", bucket=bucket, key=key, answer=limits.OBJECT
            )
        except NotFound as exc:
            if exc.code in ("NoSuchKey", "NotFound", ""):
                return None
            raise
        return ObjectBody(
            response.body, response.headers.get("etag"), response.headers.get("x-amz-version-id")
        )

    def heading_object(self, bucket: str, key: str) -> Steps[ObjectHead | None]:
        """``HeadObject`` with S3's checksum asked for; ``None`` when there is no such key."""
        try:
            response = yield from self._client._calling(
                "HeadObject",
                "HEAD",
                bucket=bucket,
                key=key,
                headers={"x-amz-checksum-mode": "ENABLED"},
            )
        except NotFound:
            return None
        found = response.headers
        headers = _head_headers(found)
        return ObjectHead(
            size=int(found.get("content-length") or 0),
            etag=found.get("etag"),
            content_type=headers.content_type,
            version_id=found.get("x-amz-version-id"),
            headers=headers,
            checksum_sha256=found.get("x-amz-checksum-sha256"),
        )

    def listing_objects(self, bucket: str, *, prefix: str = "") -> Steps[list[ObjectSummary]]:
        """Every object under ``prefix`` (ListObjectsV2, every page), as steps."""
        found: list[ObjectSummary] = []
        token: str | None = None
        pages = None
        while True:
            query: list[tuple[str, str]] = [("list-type", "2")]
            if prefix:
                query.append(("prefix", prefix))
            if token:
                query.append(("continuation-token", token))
            response = yield from self._client._calling(
                "ListObjectsV2", "GET", bucket=bucket, query=tuple(query), answer=limits.LISTING
            )
            page, token = s3_xml.decode_object_list(
                self._client._xml(response, "ListObjectsV2", bucket)
            )
            found += page
            if not token:
                return found
            if pages is None:
                pages = self._client.pages("ListObjectsV2", bucket)
            pages.follow(token)

    # -- multipart uploads -------------------------------------------------------------------

    def creating_upload(self, bucket: str, key: str, *, headers: ObjectHeaders) -> Steps[str]:
        """``CreateMultipartUpload`` with the object's ``headers``, parts checked by SHA-256;
        the upload's id."""
        sent = headers.to_headers()
        sent.setdefault("content-type", "application/octet-stream")
        sent["x-amz-checksum-algorithm"] = SHA256
        response = yield from self._client._calling(
            "CreateMultipartUpload",
            "POST",
            bucket=bucket,
            key=key,
            query=(("uploads", ""),),
            headers=sent,
        )
        upload_id = s3_xml.decode_upload_id(
            self._client._xml(response, "CreateMultipartUpload", bucket)
        )
        if not upload_id:
            raise ResponseParseError(
                "CreateMultipartUpload: the answer holds no UploadId", address=f"bucket.{bucket}"
            )
        return upload_id

    def uploading_part(
        self,
        bucket: str,
        key: str,
        *,
        upload_id: str,
        number: int,
        body: bytes,
        sha256: bytes,
    ) -> Steps[UploadedPart]:
        """``UploadPart`` number ``number`` with its SHA-256 checksum."""
        response = yield from self._client._calling(
            "UploadPart",
            "PUT",
            bucket=bucket,
            key=key,
            query=(("partNumber", str(number)), ("uploadId", upload_id)),
            body=body,
            headers={"x-amz-checksum-sha256": checksum_header(sha256)},
            checksummed=True,
        )
        etag = response.headers.get("etag")
        if not etag:
            raise ResponseParseError(
                f"UploadPart: the answer for part {number} holds no ETag",
                address=f"bucket.{bucket}",
            )
        return UploadedPart(number, etag, checksum_header(sha256), len(body))

    def completing_upload(
        self, bucket: str, key: str, *, upload_id: str, parts: list[UploadedPart]
    ) -> Steps[Written]:
        response = yield from self._client._calling(
            "CompleteMultipartUpload",
            "POST",
            bucket=bucket,
            key=key,
            query=(("uploadId", upload_id),),
            body=s3_xml.encode_complete_upload(parts),
        )
        written = s3_xml.decode_written(self._answer(response, "CompleteMultipartUpload", bucket))
        return Written(
            etag=written.etag,
            version_id=response.headers.get("x-amz-version-id"),
            checksum_sha256=written.checksum_sha256,
        )

    def aborting_upload(self, bucket: str, key: str, *, upload_id: str) -> Steps[None]:
        """``AbortMultipartUpload``; an upload already gone is not an error."""
        try:
            yield from self._client._calling(
                "AbortMultipartUpload",
                "DELETE",
                bucket=bucket,
                key=key,
                query=(("uploadId", upload_id),),
            )
        except NotFound:
            return

    def listing_parts(
        self, bucket: str, key: str, *, upload_id: str
    ) -> Steps[list[UploadedPart] | None]:
        """The parts uploaded so far (every page); ``None`` when the upload is gone."""
        found: list[UploadedPart] = []
        marker: str | None = None
        pages = None
        while True:
            query: list[tuple[str, str]] = [("uploadId", upload_id)]
            if marker:
                query.append(("part-number-marker", marker))
            try:
                response = yield from self._client._calling(
                    "ListParts",
                    "GET",
                    bucket=bucket,
                    key=key,
                    query=tuple(query),
                    answer=limits.LISTING,
                )
            except NotFound:
                return None
            page, marker = s3_xml.decode_parts(self._client._xml(response, "ListParts", bucket))
            found += page
            if not marker:
                return found
            if pages is None:
                pages = self._client.pages("ListParts", bucket)
            pages.follow(marker)

    def listing_uploads(self, bucket: str, *, prefix: str = "") -> Steps[list[MultipartUpload]]:
        """The multipart uploads under way below ``prefix`` (every page)."""
        found: list[MultipartUpload] = []
        markers: tuple[str, str] | None = None
        pages = None
        while True:
            query: list[tuple[str, str]] = [("uploads", "")]
            if prefix:
                query.append(("prefix", prefix))
            if markers:
                query.append(("key-marker", markers[0]))
                if markers[1]:
                    query.append(("upload-id-marker", markers[1]))
            response = yield from self._client._calling(
                "ListMultipartUploads",
                "GET",
                bucket=bucket,
                query=tuple(query),
                answer=limits.LISTING,
            )
            page, markers = s3_xml.decode_uploads(
                self._client._xml(response, "ListMultipartUploads", bucket)
            )
            found += page
            if not markers:
                return found
            if pages is None:
                pages = self._client.pages("ListMultipartUploads", bucket)
            pages.follow(markers)

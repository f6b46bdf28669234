"""The S3 client: each operation sends one request (or a paginated series) and returns typed
values from `s3_types`, never XML.

Regions: a bucket is signed for the region it lives in. The client starts from its default
region, learns a bucket's real region from ``HeadBucket`` (``x-amz-bucket-region``), and when
AWS answers ``301 PermanentRedirect`` or ``AuthorizationHeaderMalformed`` naming another region
it retries once there and remembers the answer for the rest of the run.

"Not configured" answers (``NoSuchTagSet``, ``NoSuchLifecycleConfiguration``, ...) become
``None``; every other error is raised typed, naming the bucket.
"""

from __future__ import annotations

import base64
import hashlib
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from functools import cached_property
from typing import Concatenate, ParamSpec, TypeVar
from xml.etree.ElementTree import Element

from reconciler import xmlcodec as xml
from reconciler.aws import limits, s3_xml
from reconciler.aws.endpoints import S3Addressing, region_fits
from reconciler.aws.s3_objects import ObjectCalls
from reconciler.aws.s3_types import (
    BucketHead,
    BucketSummary,
    DeleteFailure,
    DeleteResult,
    ObjectHead,
    ObjectSummary,
    ObjectVersion,
)
from reconciler.aws.signing import canonical_query
from reconciler.aws.steps import Steps, Task
from reconciler.aws.transport import Request, Response, Transport, host_of
from reconciler.errors import (
    AuthorizationHeaderMalformed,
    Forbidden,
    NotFound,
    Redirect,
    ResponseParseError,
)

DELETE_BATCH = 1000
#: Buckets per ListBuckets page: the most S3 answers in one.
LIST_PAGE = 10_000

Query = tuple[tuple[str, str], ...]
T = TypeVar("T")
P = ParamSpec("P")


def content_md5(body: bytes) -> str:
    """The ``Content-MD5`` header S3 demands on several configuration writes."""
    digest = hashlib.md5(body, usedforsecurity=False).digest()
    return base64.b64encode(digest).decode("ascii")


def _blocking(
    calling: Callable[Concatenate[S3Client, P], Steps[T]],
) -> Callable[Concatenate[S3Client, P], T]:
    """A call written as steps, made by the driver while the calling thread waits, with the
    same parameters."""

    def call(self: S3Client, /, *args: P.args, **options: P.kwargs) -> T:
        return self._transport.run(calling(self, *args, **options))

    return call


class S3Client:
    """Typed S3 operations over a shared `Transport`. Thread-safe. The operations on objects
    that keep a site's files are `objects` (`reconciler.aws.s3_objects`)."""

    def __init__(
        self,
        transport: Transport,
        *,
        region: str,
        endpoint_url: str | None = None,
        addressing_style: str = "auto",
    ) -> None:
        self._transport = transport
        self._region = region
        self.endpoint_url = endpoint_url
        self._addressing = S3Addressing(endpoint_url, addressing_style)
        self._regions: dict[str, str] = {}
        self._lock = threading.Lock()

    @property
    def region(self) -> str:
        return self._region

    @cached_property
    def objects(self) -> ObjectCalls:
        """Puts, copies, multipart uploads, listings and heads of objects, as steps."""
        return ObjectCalls(self)

    def bucket_region(self, bucket: str) -> str:
        """The region requests for ``bucket`` are signed for: learned, else the default."""
        return self._regions.get(bucket, self._region)

    def remember_region(self, bucket: str, region: str) -> None:
        with self._lock:
            self._regions[bucket] = region

    def region_fits(self, region: str) -> bool:
        """Whether a region an answer names may be used (`endpoints.region_fits`)."""
        return region_fits(region, home=self._region, custom_endpoint=bool(self.endpoint_url))

    def _learned(self, bucket: str, region: str, operation: str, where: str) -> str:
        """A region an answer names for ``bucket``, checked before it is used or remembered:
        one that is not a region (of the endpoint's partition) is that bucket's error."""
        if not self.region_fits(region):
            raise ResponseParseError(
                f"{operation}: the answer names the region {ascii(region)[:80]} ({where}), "
                "which is not a region of this endpoint: it is not followed",
                address=f"bucket.{bucket}",
            )
        self.remember_region(bucket, region)
        return region

    # -- plumbing --------------------------------------------------------------------------

    def _calling(
        self,
        operation: str,
        method: str,
        *,
        bucket: str | None = None,
        key: str = "",
        query: Query = (),
        headers: dict[str, str] | None = None,
        body: bytes = b"",
        region: str | None = None,
        actions: tuple[str, ...] = (),
        answer: str = limits.CONFIGURATION,
        checksummed: bool = False,
    ) -> Steps[Response]:
        """One operation as steps: sent, and sent once more to the bucket's real region when S3
        names another (`steps`). A ``checksummed`` body carries its own SHA-256 checksum
        header: neither a Content-MD5 nor a signed payload hash is made for it."""
        headers = dict(headers or {})
        if body and not checksummed:
            headers["content-md5"] = content_md5(body)
            headers.setdefault("content-type", "application/xml")
        region = region or (self.bucket_region(bucket) if bucket else self._region)
        for hop in (1, 2):
            where = self._addressing.locate(bucket=bucket, key=key, region=region)
            request = Request(
                service="s3",
                region=region,
                method=method,
                root=where.root,
                path=where.path,
                operation=operation,
                query=query,
                headers=headers,
                body=body,
                bucket=bucket,
                actions=actions,
                answer=answer,
                unsigned_payload=checksummed,
            )
            try:
                return (yield from self._transport.sending(request))
            except (Redirect, AuthorizationHeaderMalformed) as exc:
                if hop == 2 or not bucket or not exc.region or exc.region == region:
                    raise
                region = self._learned(bucket, exc.region, operation, "its redirect")
        raise AssertionError("unreachable")  # pragma: no cover

    #: One operation, the calling thread waiting for it (`_calling`, run by `Transport.run`).
    _call = _blocking(_calling)

    def run(self, steps: Steps[T]) -> T:
        """Run one call's steps; this thread waits for the result."""
        return self._transport.run(steps)

    def run_many(
        self, tasks: list[Task], *, parallelism: int, progress: Callable[[int], None] | None = None
    ) -> None:
        """Run many calls' steps at once (`Transport.run_many`)."""
        self._transport.run_many(tasks, parallelism=parallelism, progress=progress)

    def pages(self, operation: str, bucket: str | None = None) -> limits.Pages:
        """The continuation tokens of one listing, bounded (`limits.Pages`)."""
        address = f"bucket.{bucket}" if bucket else None
        return limits.Pages(operation, address=address, limit=self._transport.bounds.pages)

    def _xml(self, response: Response, operation: str, bucket: str | None = None) -> Element:
        return xml.parse(
            response.body,
            what=operation,
            address=f"bucket.{bucket}" if bucket else None,
            source=f"{response.root} (HTTP {response.status})" if response.root else None,
        )

    # -- buckets ---------------------------------------------------------------------------

    def list_buckets(self) -> list[BucketSummary]:
        """Every bucket of the account, following continuation tokens.

        ``max-buckets`` is always sent: S3 answers each bucket's ``BucketRegion`` only when the
        request carries a parameter, and with it a plan needs no ``HeadBucket`` per bucket.
        """
        found: list[BucketSummary] = []
        query: Query = (("max-buckets", str(LIST_PAGE)),)
        pages = self.pages("ListBuckets")
        while True:
            response = self._call("ListBuckets", "GET", query=query, answer=limits.LISTING)
            page, token = s3_xml.decode_bucket_list(self._xml(response, "ListBuckets"))
            # A BucketRegion that is not a region is not used: the bucket's HeadBucket tells.
            found.extend(
                b if b.region is None or self.region_fits(b.region) else replace(b, region=None)
                for b in page
            )
            if not token:
                return found
            pages.follow(token)
            query = (("continuation-token", token), ("max-buckets", str(LIST_PAGE)))

    def head_bucket(self, bucket: str) -> BucketHead | None:
        """Whether the bucket exists, and its region; ``None`` when it does not exist."""
        return self.run(self.heading_bucket(bucket))

    def heading_bucket(self, bucket: str) -> Steps[BucketHead | None]:
        """`head_bucket` as steps."""
        try:
            response = yield from self._calling("HeadBucket", "HEAD", bucket=bucket)
        except NotFound:
            return None
        except Forbidden as exc:
            if exc.region:
                self._learned(bucket, exc.region, "HeadBucket", "x-amz-bucket-region")
            return BucketHead(region=exc.region, accessible=False)
        region = response.headers.get("x-amz-bucket-region")
        if region:
            self._learned(bucket, region, "HeadBucket", "x-amz-bucket-region")
        return BucketHead(region=region)

    def get_bucket_location(self, bucket: str) -> str:
        response = self._call("GetBucketLocation", "GET", bucket=bucket, query=(("location", ""),))
        region = s3_xml.decode_location(self._xml(response, "GetBucketLocation", bucket))
        return self._learned(bucket, region, "GetBucketLocation", "LocationConstraint")

    def create_bucket(
        self,
        bucket: str,
        *,
        region: str,
        acl: str | None = None,
        object_ownership: str | None = None,
    ) -> None:
        headers: dict[str, str] = {}
        if acl:
            headers["x-amz-acl"] = acl
        if object_ownership:
            headers["x-amz-object-ownership"] = object_ownership
        body = b"" if region == "us-east-1" else s3_xml.encode_create_bucket(region)
        self.remember_region(bucket, region)
        self._call("CreateBucket", "PUT", bucket=bucket, headers=headers, body=body, region=region)

    def delete_bucket(self, bucket: str) -> None:
        self._call("DeleteBucket", "DELETE", bucket=bucket)

    # -- configuration sub-resources -------------------------------------------------------

    def getting_configuration(
        self,
        bucket: str,
        subresource: str,
        *,
        operation: str,
        action: str,
        absent: tuple[str, ...] = (),
        params: Query = (),
    ) -> Steps[Response | None]:
        """GET a bucket sub-resource (``?acl``, ``?lifecycle``, ...; ``params`` beside it:
        ``id``, ``continuation-token``), as steps; ``None`` when S3 answers one of the
        ``absent`` error codes (the sub-resource was never configured)."""
        try:
            return (
                yield from self._calling(
                    operation,
                    "GET",
                    bucket=bucket,
                    query=((subresource, ""), *params),
                    actions=(action,),
                )
            )
        except NotFound as exc:
            if exc.code in absent:
                return None
            raise

    def put_configuration(
        self,
        bucket: str,
        subresource: str,
        body: bytes,
        *,
        operation: str,
        action: str,
        content_type: str = "application/xml",
        params: Query = (),
    ) -> None:
        self._call(
            operation,
            "PUT",
            bucket=bucket,
            query=((subresource, ""), *params),
            body=body,
            headers={"content-type": content_type},
            actions=(action,),
        )

    def delete_configuration(
        self, bucket: str, subresource: str, *, operation: str, action: str, params: Query = ()
    ) -> None:
        self._call(
            operation,
            "DELETE",
            bucket=bucket,
            query=((subresource, ""), *params),
            actions=(action,),
        )

    # -- objects (for emptying buckets, and for tests) -------------------------------------

    def put_object(
        self, bucket: str, key: str, body: bytes, *, content_type: str = "application/octet-stream"
    ) -> None:
        self._call(
            "PutObject",
            "PUT",
            bucket=bucket,
            key=key,
            body=body,
            headers={"content-type": content_type},
        )

    def get_object(self, bucket: str, key: str) -> bytes:
        return self._call("GetObject", "GET", bucket=bucket, key=key, answer=limits.OBJECT).body

    def head_object(self, bucket: str, key: str) -> ObjectHead | None:
        try:
            response = self._call("HeadObject", "HEAD", bucket=bucket, key=key)
        except NotFound:
            return None
        headers = response.headers
        return ObjectHead(
            size=int(headers.get("content-length") or 0),
            etag=headers.get("etag"),
            content_type=headers.get("content-type"),
            version_id=headers.get("x-amz-version-id"),
        )

    def delete_object(self, bucket: str, key: str, *, version_id: str | None = None) -> None:
        query: Query = (("versionId", version_id),) if version_id else ()
        self._call("DeleteObject", "DELETE", bucket=bucket, key=key, query=query)

    def list_objects(self, bucket: str, *, prefix: str = "") -> Iterator[ObjectSummary]:
        """Every object under ``prefix`` (ListObjectsV2, following continuation tokens)."""
        token: str | None = None
        pages = self.pages("ListObjectsV2", bucket)
        while True:
            query: list[tuple[str, str]] = [("list-type", "2")]
            if prefix:
                query.append(("prefix", prefix))
            if token:
                query.append(("continuation-token", token))
            response = self._call(
                "ListObjectsV2", "GET", bucket=bucket, query=tuple(query), answer=limits.LISTING
            )
            page, token = s3_xml.decode_object_list(self._xml(response, "ListObjectsV2", bucket))
            yield from page
            if not token:
                return
            pages.follow(token)

    def list_object_versions(self, bucket: str) -> Iterator[ObjectVersion]:
        """Every version and delete marker (ListObjectVersions, following the markers)."""
        markers: tuple[str, str] | None = None
        pages = self.pages("ListObjectVersions", bucket)
        while True:
            query: list[tuple[str, str]] = [("versions", "")]
            if markers:
                query.append(("key-marker", markers[0]))
                if markers[1]:
                    query.append(("version-id-marker", markers[1]))
            response = self._call(
                "ListObjectVersions", "GET", bucket=bucket, query=tuple(query),
                answer=limits.LISTING,
            )  # fmt: skip
            page, markers = s3_xml.decode_version_list(
                self._xml(response, "ListObjectVersions", bucket)
            )
            yield from page
            if not markers:
                return
            pages.follow(markers)

    def has_objects(self, bucket: str) -> bool:
        """Whether any object version or delete marker is left (one request, max-keys=1)."""
        return self.run(self.looking_for_objects(bucket))

    def looking_for_objects(self, bucket: str) -> Steps[bool]:
        """`has_objects` as steps."""
        response = yield from self._calling(
            "ListObjectVersions", "GET", bucket=bucket, query=(("max-keys", "1"), ("versions", ""))
        )
        page, _ = s3_xml.decode_version_list(self._xml(response, "ListObjectVersions", bucket))
        return bool(page)

    def delete_objects(
        self, bucket: str, objects: Iterable[tuple[str, str | None]]
    ) -> DeleteResult:
        """Delete (key, version) pairs in batches of 1000; failures are reported, not raised."""
        deleted = 0
        failures: list[DeleteFailure] = []
        batch: list[tuple[str, str | None]] = []

        def flush() -> None:
            nonlocal deleted
            if not batch:
                return
            failed = self.run(self.deleting_batch(bucket, batch))
            failures.extend(failed)
            deleted += len(batch) - len(failed)
            batch.clear()

        for item in objects:
            batch.append(item)
            if len(batch) == DELETE_BATCH:
                flush()
        flush()
        return DeleteResult(deleted=deleted, failures=tuple(failures))

    def deleting_batch(
        self, bucket: str, batch: list[tuple[str, str | None]]
    ) -> Steps[list[DeleteFailure]]:
        """One ``DeleteObjects`` of at most 1000 (key, version) pairs, as steps: the keys S3
        could not delete (a key without a version on a versioned bucket gets a delete
        marker)."""
        if len(batch) > DELETE_BATCH:
            raise ValueError(f"DeleteObjects takes at most {DELETE_BATCH} keys")
        response = yield from self._calling(
            "DeleteObjects",
            "POST",
            bucket=bucket,
            query=(("delete", ""),),
            body=s3_xml.encode_delete_objects(batch),
            answer=limits.LISTING,
        )
        return s3_xml.decode_delete_failures(self._xml(response, "DeleteObjects", bucket))

    def presign_get_object(self, bucket: str, key: str, *, expires_in: int = 3600) -> str:
        """A URL that fetches the object with no credentials until it expires."""
        region = self.bucket_region(bucket)
        where = self._addressing.locate(bucket=bucket, key=key, region=region)
        query = self._transport.signer("s3").presign(
            credentials=self._transport.credentials,
            region=region,
            method="GET",
            host=host_of(where.root),
            path=where.path,
            expires_in=expires_in,
        )
        return f"{where.root}{where.path}?{canonical_query(query)}"

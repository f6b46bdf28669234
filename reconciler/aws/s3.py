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
import json
import threading
from collections.abc import Iterable, Iterator
from typing import Any
from xml.etree.ElementTree import Element

from reconciler.aws import s3_xml, xml
from reconciler.aws.endpoints import S3Addressing
from reconciler.aws.s3_types import (
    AccessControlPolicy,
    BucketHead,
    BucketSummary,
    CorsRule,
    DeleteFailure,
    DeleteResult,
    EncryptionRule,
    LifecycleRule,
    LoggingConfig,
    ObjectHead,
    ObjectSummary,
    ObjectVersion,
    PublicAccessBlock,
    Versioning,
    Website,
)
from reconciler.aws.signing import canonical_query
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


def content_md5(body: bytes) -> str:
    """The ``Content-MD5`` header S3 demands on several configuration writes."""
    digest = hashlib.md5(body, usedforsecurity=False).digest()
    return base64.b64encode(digest).decode("ascii")


class S3Client:
    """Typed S3 operations over a shared `Transport`. Thread-safe."""

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

    def bucket_region(self, bucket: str) -> str:
        """The region requests for ``bucket`` are signed for: learned, else the default."""
        return self._regions.get(bucket, self._region)

    def remember_region(self, bucket: str, region: str) -> None:
        with self._lock:
            self._regions[bucket] = region

    # -- plumbing --------------------------------------------------------------------------

    def _call(
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
    ) -> Response:
        headers = dict(headers or {})
        if body:
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
            )
            try:
                return self._transport.send(request)
            except (Redirect, AuthorizationHeaderMalformed) as exc:
                if hop == 2 or not bucket or not exc.region or exc.region == region:
                    raise
                region = exc.region
                self.remember_region(bucket, region)
        raise AssertionError("unreachable")  # pragma: no cover

    def _xml(self, response: Response, operation: str, bucket: str | None = None) -> Element:
        return xml.parse(
            response.body,
            what=operation,
            address=f"bucket.{bucket}" if bucket else None,
            source=f"{response.root} (HTTP {response.status})" if response.root else None,
        )

    def _get_optional(
        self, operation: str, bucket: str, subresource: str, absent: str
    ) -> Element | None:
        """GET a bucket sub-resource; ``None`` when S3 says it is not configured."""
        try:
            response = self._call(operation, "GET", bucket=bucket, query=((subresource, ""),))
        except NotFound as exc:
            if exc.code == absent:
                return None
            raise
        return self._xml(response, operation, bucket)

    def _put(self, operation: str, bucket: str, subresource: str, body: bytes) -> None:
        self._call(operation, "PUT", bucket=bucket, query=((subresource, ""),), body=body)

    def _delete(self, operation: str, bucket: str, subresource: str) -> None:
        self._call(operation, "DELETE", bucket=bucket, query=((subresource, ""),))

    # -- buckets ---------------------------------------------------------------------------

    def list_buckets(self) -> list[BucketSummary]:
        """Every bucket of the account, following continuation tokens.

        ``max-buckets`` is always sent: S3 answers each bucket's ``BucketRegion`` only when the
        request carries a parameter, and with it a plan needs no ``HeadBucket`` per bucket.
        """
        found: list[BucketSummary] = []
        query: Query = (("max-buckets", str(LIST_PAGE)),)
        while True:
            response = self._call("ListBuckets", "GET", query=query)
            page, token = s3_xml.decode_bucket_list(self._xml(response, "ListBuckets"))
            found.extend(page)
            if not token:
                return found
            query = (("continuation-token", token), ("max-buckets", str(LIST_PAGE)))

    def head_bucket(self, bucket: str) -> BucketHead | None:
        """Whether the bucket exists, and its region; ``None`` when it does not exist."""
        try:
            response = self._call("HeadBucket", "HEAD", bucket=bucket)
        except NotFound:
            return None
        except Forbidden as exc:
            if exc.region:
                self.remember_region(bucket, exc.region)
            return BucketHead(region=exc.region, accessible=False)
        region = response.headers.get("x-amz-bucket-region")
        if region:
            self.remember_region(bucket, region)
        return BucketHead(region=region)

    def get_bucket_location(self, bucket: str) -> str:
        response = self._call("GetBucketLocation", "GET", bucket=bucket, query=(("location", ""),))
        region = s3_xml.decode_location(self._xml(response, "GetBucketLocation", bucket))
        self.remember_region(bucket, region)
        return region

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

    # -- ACL -------------------------------------------------------------------------------

    def get_bucket_acl(self, bucket: str) -> AccessControlPolicy:
        response = self._call("GetBucketAcl", "GET", bucket=bucket, query=(("acl", ""),))
        return s3_xml.decode_acl(self._xml(response, "GetBucketAcl", bucket))

    def put_bucket_acl(
        self, bucket: str, *, canned: str | None = None, policy: AccessControlPolicy | None = None
    ) -> None:
        """Set a canned ACL (``x-amz-acl``) or a full grant list: exactly one of them."""
        if (canned is None) == (policy is None):
            raise ValueError("put_bucket_acl takes either canned or policy")
        if canned is not None:
            self._call(
                "PutBucketAcl",
                "PUT",
                bucket=bucket,
                query=(("acl", ""),),
                headers={"x-amz-acl": canned},
            )
        else:
            assert policy is not None
            self._put("PutBucketAcl", bucket, "acl", s3_xml.encode_acl(policy))

    # -- tags ------------------------------------------------------------------------------

    def get_bucket_tagging(self, bucket: str) -> dict[str, str] | None:
        root = self._get_optional("GetBucketTagging", bucket, "tagging", "NoSuchTagSet")
        return None if root is None else s3_xml.decode_tagging(root)

    def put_bucket_tagging(self, bucket: str, tags: dict[str, str]) -> None:
        self._put("PutBucketTagging", bucket, "tagging", s3_xml.encode_tagging(tags))

    def delete_bucket_tagging(self, bucket: str) -> None:
        self._delete("DeleteBucketTagging", bucket, "tagging")

    # -- lifecycle -------------------------------------------------------------------------

    def get_bucket_lifecycle(self, bucket: str) -> tuple[LifecycleRule, ...] | None:
        root = self._get_optional(
            "GetBucketLifecycleConfiguration", bucket, "lifecycle", "NoSuchLifecycleConfiguration"
        )
        return None if root is None else s3_xml.decode_lifecycle(root)

    def put_bucket_lifecycle(self, bucket: str, rules: tuple[LifecycleRule, ...]) -> None:
        self._put(
            "PutBucketLifecycleConfiguration", bucket, "lifecycle", s3_xml.encode_lifecycle(rules)
        )

    def delete_bucket_lifecycle(self, bucket: str) -> None:
        self._delete("DeleteBucketLifecycle", bucket, "lifecycle")

    # -- logging ---------------------------------------------------------------------------

    def get_bucket_logging(self, bucket: str) -> LoggingConfig | None:
        response = self._call("GetBucketLogging", "GET", bucket=bucket, query=(("logging", ""),))
        return s3_xml.decode_logging(self._xml(response, "GetBucketLogging", bucket))

    def put_bucket_logging(self, bucket: str, config: LoggingConfig | None) -> None:
        """Enable logging; ``None`` disables it (S3 has no delete for logging)."""
        self._put("PutBucketLogging", bucket, "logging", s3_xml.encode_logging(config))

    def delete_bucket_logging(self, bucket: str) -> None:
        self.put_bucket_logging(bucket, None)

    # -- versioning ------------------------------------------------------------------------

    def get_bucket_versioning(self, bucket: str) -> Versioning:
        response = self._call(
            "GetBucketVersioning", "GET", bucket=bucket, query=(("versioning", ""),)
        )
        return s3_xml.decode_versioning(self._xml(response, "GetBucketVersioning", bucket))

    def put_bucket_versioning(self, bucket: str, config: Versioning) -> None:
        """Enable or suspend; a versioned bucket can never return to "never versioned"."""
        self._put("PutBucketVersioning", bucket, "versioning", s3_xml.encode_versioning(config))

    # -- policy ----------------------------------------------------------------------------

    def get_bucket_policy(self, bucket: str) -> dict[str, Any] | None:
        try:
            response = self._call("GetBucketPolicy", "GET", bucket=bucket, query=(("policy", ""),))
        except NotFound as exc:
            if exc.code == "NoSuchBucketPolicy":
                return None
            raise
        try:
            document = json.loads(response.body)
        except ValueError as exc:
            raise ResponseParseError(
                "GetBucketPolicy: the policy is not valid JSON", address=f"bucket.{bucket}"
            ) from exc
        if not isinstance(document, dict):
            raise ResponseParseError(
                "GetBucketPolicy: the policy is not a JSON object", address=f"bucket.{bucket}"
            )
        return document

    def put_bucket_policy(self, bucket: str, policy: dict[str, Any]) -> None:
        body = json.dumps(policy, separators=(",", ":"), sort_keys=True).encode()
        self._call(
            "PutBucketPolicy",
            "PUT",
            bucket=bucket,
            query=(("policy", ""),),
            body=body,
            headers={"content-type": "application/json"},
        )

    def delete_bucket_policy(self, bucket: str) -> None:
        self._delete("DeleteBucketPolicy", bucket, "policy")

    # -- public access block ---------------------------------------------------------------

    def get_public_access_block(self, bucket: str) -> PublicAccessBlock | None:
        root = self._get_optional(
            "GetPublicAccessBlock",
            bucket,
            "publicAccessBlock",
            "NoSuchPublicAccessBlockConfiguration",
        )
        return None if root is None else s3_xml.decode_public_access_block(root)

    def put_public_access_block(self, bucket: str, config: PublicAccessBlock) -> None:
        self._put(
            "PutPublicAccessBlock",
            bucket,
            "publicAccessBlock",
            s3_xml.encode_public_access_block(config),
        )

    def delete_public_access_block(self, bucket: str) -> None:
        self._delete("DeletePublicAccessBlock", bucket, "publicAccessBlock")

    # -- encryption ------------------------------------------------------------------------

    def get_bucket_encryption(self, bucket: str) -> tuple[EncryptionRule, ...] | None:
        root = self._get_optional(
            "GetBucketEncryption",
            bucket,
            "encryption",
            "ServerSideEncryptionConfigurationNotFoundError",
        )
        return None if root is None else s3_xml.decode_encryption(root)

    def put_bucket_encryption(self, bucket: str, rules: tuple[EncryptionRule, ...]) -> None:
        self._put("PutBucketEncryption", bucket, "encryption", s3_xml.encode_encryption(rules))

    def delete_bucket_encryption(self, bucket: str) -> None:
        self._delete("DeleteBucketEncryption", bucket, "encryption")

    # -- CORS ------------------------------------------------------------------------------

    def get_bucket_cors(self, bucket: str) -> tuple[CorsRule, ...] | None:
        root = self._get_optional("GetBucketCors", bucket, "cors", "NoSuchCORSConfiguration")
        return None if root is None else s3_xml.decode_cors(root)

    def put_bucket_cors(self, bucket: str, rules: tuple[CorsRule, ...]) -> None:
        self._put("PutBucketCors", bucket, "cors", s3_xml.encode_cors(rules))

    def delete_bucket_cors(self, bucket: str) -> None:
        self._delete("DeleteBucketCors", bucket, "cors")

    # -- website ---------------------------------------------------------------------------

    def get_bucket_website(self, bucket: str) -> Website | None:
        root = self._get_optional(
            "GetBucketWebsite", bucket, "website", "NoSuchWebsiteConfiguration"
        )
        return None if root is None else s3_xml.decode_website(root)

    def put_bucket_website(self, bucket: str, site: Website) -> None:
        self._put("PutBucketWebsite", bucket, "website", s3_xml.encode_website(site))

    def delete_bucket_website(self, bucket: str) -> None:
        self._delete("DeleteBucketWebsite", bucket, "website")

    # -- ownership controls ----------------------------------------------------------------

    def get_bucket_ownership_controls(self, bucket: str) -> str | None:
        root = self._get_optional(
            "GetBucketOwnershipControls",
            bucket,
            "ownershipControls",
            "OwnershipControlsNotFoundError",
        )
        return None if root is None else s3_xml.decode_ownership(root)

    def put_bucket_ownership_controls(self, bucket: str, ownership: str) -> None:
        self._put(
            "PutBucketOwnershipControls",
            bucket,
            "ownershipControls",
            s3_xml.encode_ownership(ownership),
        )

    def delete_bucket_ownership_controls(self, bucket: str) -> None:
        self._delete("DeleteBucketOwnershipControls", bucket, "ownershipControls")

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
        return self._call("GetObject", "GET", bucket=bucket, key=key).body

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
        while True:
            query: list[tuple[str, str]] = [("list-type", "2")]
            if prefix:
                query.append(("prefix", prefix))
            if token:
                query.append(("continuation-token", token))
            response = self._call("ListObjectsV2", "GET", bucket=bucket, query=tuple(query))
            page, token = s3_xml.decode_object_list(self._xml(response, "ListObjectsV2", bucket))
            yield from page
            if not token:
                return

    def list_object_versions(self, bucket: str) -> Iterator[ObjectVersion]:
        """Every version and delete marker (ListObjectVersions, following the markers)."""
        markers: tuple[str, str] | None = None
        while True:
            query: list[tuple[str, str]] = [("versions", "")]
            if markers:
                query.append(("key-marker", markers[0]))
                if markers[1]:
                    query.append(("version-id-marker", markers[1]))
            response = self._call("ListObjectVersions", "GET", bucket=bucket, query=tuple(query))
            page, markers = s3_xml.decode_version_list(
                self._xml(response, "ListObjectVersions", bucket)
            )
            yield from page
            if not markers:
                return

    def has_objects(self, bucket: str) -> bool:
        """Whether any object version or delete marker is left (one request, max-keys=1)."""
        response = self._call(
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
            response = self._call(
                "DeleteObjects",
                "POST",
                bucket=bucket,
                query=(("delete", ""),),
                body=s3_xml.encode_delete_objects(batch),
            )
            failed = s3_xml.decode_delete_failures(self._xml(response, "DeleteObjects", bucket))
            failures.extend(failed)
            deleted += len(batch) - len(failed)
            batch.clear()

        for item in objects:
            batch.append(item)
            if len(batch) == DELETE_BATCH:
                flush()
        flush()
        return DeleteResult(deleted=deleted, failures=tuple(failures))

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

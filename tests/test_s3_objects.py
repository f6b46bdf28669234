"""The client's object operations against the emulator, read back with boto3: puts with their
headers and checksum, a copy onto itself that changes only the headers, multipart uploads
(parts, listing, completion, abort), listings, reads and heads; and, on scripted answers, what
the emulator never does (a 200 carrying an error document)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from reconciler.aws.config import RetryPolicy
from reconciler.aws.s3 import S3Client
from reconciler.aws.s3_types import ObjectHeaders
from reconciler.aws.transport import Transport
from reconciler.errors import InternalError
from tests.conftest import TEST_CREDENTIALS
from tests.stub_server import Answer, s3_error, stub_server

BUCKET = "objects-bucket"
HEADERS = ObjectHeaders(
    content_type="text/html; charset=utf-8",
    cache_control="public, max-age=60",
    metadata=(("build", "42"),),
)


@pytest.fixture
def bucket(s3: S3Client, boto_s3: Any) -> str:
    boto_s3.create_bucket(Bucket=BUCKET)
    return BUCKET


def test_a_put_carries_its_headers_and_checksum(s3: S3Client, bucket: str, boto_s3: Any) -> None:
    body = b"<h1>hello</h1>"
    written = s3.run(
        s3.objects.putting_object(
            bucket, "dir/index.html", body, headers=HEADERS, sha256=hashlib.sha256(body).digest()
        )
    )
    got = boto_s3.get_object(Bucket=bucket, Key="dir/index.html")
    assert got["Body"].read() == body
    assert got["ContentType"] == "text/html; charset=utf-8"
    assert got["CacheControl"] == "public, max-age=60"
    assert got["Metadata"] == {"build": "42"}
    assert written.etag == got["ETag"]


def test_a_copy_onto_itself_changes_the_headers_only(
    s3: S3Client, bucket: str, boto_s3: Any
) -> None:
    boto_s3.put_object(Bucket=bucket, Key="a.css", Body=b"body{}", ContentType="text/plain")
    changed = ObjectHeaders(content_type="text/css; charset=utf-8", cache_control="no-cache")
    written = s3.run(s3.objects.copying_headers(bucket, "a.css", headers=changed))
    got = boto_s3.get_object(Bucket=bucket, Key="a.css")
    assert got["Body"].read() == b"body{}"
    assert (got["ContentType"], got["CacheControl"], got["Metadata"]) == (
        "text/css; charset=utf-8",
        "no-cache",
        {},
    )
    assert written.etag == got["ETag"]


def test_heads_reads_and_listings(s3: S3Client, bucket: str, boto_s3: Any) -> None:
    boto_s3.put_object(
        Bucket=bucket, Key="x/y.txt", Body=b"12345", CacheControl="max-age=1", Metadata={"k": "v"}
    )
    head = s3.run(s3.objects.heading_object(bucket, "x/y.txt"))
    assert head is not None
    assert (head.size, head.headers.cache_control, head.headers.metadata) == (
        5,
        "max-age=1",
        (("k", "v"),),
    )
    assert s3.run(s3.objects.heading_object(bucket, "missing")) is None
    read = s3.run(s3.objects.getting_object(bucket, "x/y.txt"))
    assert read is not None
    assert (read.body, read.etag) == (b"12345", head.etag)
    assert s3.run(s3.objects.getting_object(bucket, "missing")) is None
    listed = s3.run(s3.objects.listing_objects(bucket, prefix="x/"))
    assert [(o.key, o.size, o.storage_class) for o in listed] == [("x/y.txt", 5, "STANDARD")]


def test_a_listing_follows_every_page(s3: S3Client, bucket: str, boto_s3: Any) -> None:
    for n in range(1005):
        boto_s3.put_object(Bucket=bucket, Key=f"k/{n:05}", Body=b"")
    listed = s3.run(s3.objects.listing_objects(bucket, prefix="k/"))
    assert [o.key for o in listed] == [f"k/{n:05}" for n in range(1005)]


def test_a_multipart_upload_from_parts(s3: S3Client, bucket: str, boto_s3: Any) -> None:
    first, second = b"a" * (5 * 1024 * 1024), b"tail"
    objects = s3.objects
    upload = s3.run(objects.creating_upload(bucket, "big.bin", headers=HEADERS))
    assert [u.upload_id for u in s3.run(objects.listing_uploads(bucket))] == [upload]
    parts = [
        s3.run(
            objects.uploading_part(
                bucket,
                "big.bin",
                upload_id=upload,
                number=n,
                body=body,
                sha256=hashlib.sha256(body).digest(),
            )
        )
        for n, body in ((1, first), (2, second))
    ]
    listed = s3.run(objects.listing_parts(bucket, "big.bin", upload_id=upload))
    assert listed is not None
    assert [(p.number, p.etag) for p in listed] == [(p.number, p.etag) for p in parts]
    written = s3.run(objects.completing_upload(bucket, "big.bin", upload_id=upload, parts=parts))
    got = boto_s3.get_object(Bucket=bucket, Key="big.bin")
    assert got["Body"].read() == first + second
    assert got["ContentType"] == "text/html; charset=utf-8"
    assert got["ETag"] == written.etag
    assert written.etag.endswith('-2"')
    assert s3.run(objects.listing_uploads(bucket)) == []


def test_an_aborted_upload_is_gone(s3: S3Client, bucket: str, boto_s3: Any) -> None:
    objects = s3.objects
    upload = s3.run(objects.creating_upload(bucket, "big.bin", headers=ObjectHeaders()))
    s3.run(objects.aborting_upload(bucket, "big.bin", upload_id=upload))
    assert boto_s3.list_multipart_uploads(Bucket=bucket).get("Uploads") is None
    assert s3.run(objects.listing_parts(bucket, "big.bin", upload_id=upload)) is None
    s3.run(objects.aborting_upload(bucket, "big.bin", upload_id=upload))  # again: no error


def test_deleting_a_batch_leaves_delete_markers_on_a_versioned_bucket(
    s3: S3Client, bucket: str, boto_s3: Any
) -> None:
    boto_s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    boto_s3.put_object(Bucket=bucket, Key="old.html", Body=b"old")
    assert s3.run(s3.deleting_batch(bucket, [("old.html", None)])) == []
    versions = boto_s3.list_object_versions(Bucket=bucket)
    assert [m["Key"] for m in versions["DeleteMarkers"]] == ["old.html"]
    assert [v["Key"] for v in versions["Versions"]] == ["old.html"]  # rolled back by version


def test_a_200_carrying_an_error_document_is_that_error() -> None:
    """S3 may answer CopyObject and CompleteMultipartUpload with HTTP 200 and an ``Error``
    body when the work fails after the answer started (the emulator never does)."""
    failed = Answer(200, s3_error("InternalError", "We encountered an internal error."))
    with (
        stub_server(failed, failed) as stub,
        Transport(credentials=TEST_CREDENTIALS, retry=RetryPolicy(max_attempts=1)) as transport,
    ):
        s3 = S3Client(transport, region="us-east-1", endpoint_url=stub.url)
        with pytest.raises(InternalError, match="internal error"):
            s3.run(s3.objects.copying_headers("b-b-b", "k", headers=ObjectHeaders()))
        with pytest.raises(InternalError):
            s3.run(s3.objects.completing_upload("b-b-b", "k", upload_id="u", parts=[]))
    copy = stub.received[0]
    assert copy.headers["x-amz-copy-source"] == "/b-b-b/k"
    assert copy.headers["x-amz-metadata-directive"] == "REPLACE"

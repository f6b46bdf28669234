"""The S3 client against moto's server over HTTP: every aspect's unit round-trips through it
(put, get equal by meaning, delete, get absent), boto3 reads back what was written, and errors
arrive typed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from reconciler.aws.s3 import S3Client
from reconciler.aws.transport import Transport
from reconciler.errors import (
    BadRequest,
    BucketAlreadyOwnedByYou,
    BucketNotEmpty,
    InvalidBucketName,
    MalformedXML,
    NoSuchBucket,
    NotFound,
)
from reconciler.kinds.bucket.aspects import registry as aspects
from reconciler.kinds.bucket.aspects.base import WriteContext
from reconciler.kinds.bucket.model import CorsRule
from reconciler.kinds.bucket.writes import owner_id
from tests.aspect_samples import (
    MOTO_LACKS,
    SAMPLES,
    get,
    prepare,
    put,
    removable,
    remove,
    same,
    sample,
)
from tests.conftest import TEST_CREDENTIALS
from tests.hostile_server import forwarding, raw_server
from tests.reconcile import Harness, spec_file

BUCKET = "client-test-bucket"


@pytest.fixture
def bucket(s3: S3Client) -> str:
    s3.create_bucket(BUCKET, region="us-east-1")
    return BUCKET


def test_create_in_a_region_then_head_and_location_agree(s3: S3Client, boto_s3: Any) -> None:
    s3.create_bucket("regional-bucket", region="eu-west-1", object_ownership="ObjectWriter")
    head = s3.head_bucket("regional-bucket")
    assert head is not None
    assert head.region == "eu-west-1"
    assert s3.get_bucket_location("regional-bucket") == "eu-west-1"
    assert boto_s3.get_bucket_location(Bucket="regional-bucket")["LocationConstraint"] == (
        "eu-west-1"
    )
    assert get(s3, "regional-bucket", "object_ownership") == "ObjectWriter"
    assert s3.bucket_region("regional-bucket") == "eu-west-1"


def test_head_of_a_missing_bucket_is_none(s3: S3Client) -> None:
    assert s3.head_bucket("no-such-bucket-here") is None


def test_list_buckets_sees_every_bucket(s3: S3Client) -> None:
    names = [f"listed-{i}" for i in range(7)]
    for name in names:
        s3.create_bucket(name, region="us-east-1")
    listed = s3.list_buckets()
    assert sorted(b.name for b in listed) == names
    assert all(b.created is not None for b in listed)


def test_create_with_a_canned_acl(s3: S3Client, boto_s3: Any) -> None:
    s3.create_bucket("acl-at-create", region="us-east-1", acl="public-read")
    grants = boto_s3.get_bucket_acl(Bucket="acl-at-create")["Grants"]
    assert any(
        g["Grantee"].get("URI", "").endswith("/AllUsers") and g["Permission"] == "READ"
        for g in grants
    )


@pytest.mark.parametrize("key", [k for k in aspects.ORDER if k not in MOTO_LACKS])
def test_every_aspect_round_trips(s3: S3Client, bucket: str, boto_s3: Any, key: str) -> None:
    """Write the sample through the unit, read it back equal by meaning, boto3 agrees; then
    remove it and read "not configured" (or, where S3 cannot remove it, leave it)."""
    unit = aspects.get(key)
    prepare(s3, key, bucket)
    value = sample(key, bucket)
    before = get(s3, bucket, key)
    put(s3, bucket, key, value)
    owner = owner_id(s3, bucket)
    assert same(key, get(s3, bucket, key), value, owner)
    assert SAMPLES[key][1](boto_s3, bucket)
    if removable(key):
        remove(s3, bucket, key)
        assert unit.never_configured(get(s3, bucket, key), owner)
        assert before == unit.unconfigured.value() or unit.never_configured(before, owner)


def test_a_redirecting_website_round_trips(s3: S3Client, bucket: str) -> None:
    site = {"redirect_all_requests_to": {"host_name": "www.acme.example", "protocol": "https"}}
    put(s3, bucket, "website", site)
    assert same("website", get(s3, bucket, "website"), site)


def test_an_acl_written_as_grants_keeps_the_owner(s3: S3Client, bucket: str, boto_s3: Any) -> None:
    put(s3, bucket, "acl", {"grants": [{"grantee": {"group": "AllUsers"}, "permission": "READ"}]})
    grants = boto_s3.get_bucket_acl(Bucket=bucket)["Grants"]
    assert sorted(g["Permission"] for g in grants) == ["FULL_CONTROL", "READ"]
    put(s3, bucket, "acl", "private")
    assert get(s3, bucket, "acl") == "private"


KEYS = ["plain.txt", "with space/and+plus.txt", "unicode/\u1234/caf\u00e9", "double//slash", "~t"]


def test_objects_round_trip_with_awkward_keys(s3: S3Client, bucket: str, boto_s3: Any) -> None:
    for i, key in enumerate(KEYS):
        s3.put_object(bucket, key, f"body {i}".encode(), content_type="text/plain")
    assert sorted(o.key for o in s3.list_objects(bucket)) == sorted(KEYS)
    for i, key in enumerate(KEYS):
        assert s3.get_object(bucket, key) == f"body {i}".encode()
        assert boto_s3.get_object(Bucket=bucket, Key=key)["Body"].read() == f"body {i}".encode()
    head = s3.head_object(bucket, KEYS[1])
    assert head is not None
    assert head.size == len(b"body 1")
    assert head.content_type == "text/plain"
    assert [o.key for o in s3.list_objects(bucket, prefix="unicode/")] == [KEYS[2]]
    s3.delete_object(bucket, KEYS[0])
    assert s3.head_object(bucket, KEYS[0]) is None
    with pytest.raises(NotFound) as caught:
        s3.get_object(bucket, KEYS[0])
    assert caught.value.code == "NoSuchKey"


def test_listing_follows_continuation_tokens(s3: S3Client, bucket: str) -> None:
    keys = {f"k/{i:04d}" for i in range(1005)}
    result = s3.delete_objects(bucket, [])
    assert result.deleted == 0
    for key in keys:
        s3.put_object(bucket, key, b"")
    assert {o.key for o in s3.list_objects(bucket)} == keys  # S3 pages at 1000


def test_emptying_a_versioned_bucket(s3: S3Client, bucket: str, boto_s3: Any) -> None:
    put(s3, bucket, "versioning", "enabled")
    for round_ in range(2):
        for i in range(3):
            s3.put_object(bucket, f"file-{i}", f"v{round_}".encode())
    s3.delete_object(bucket, "file-0")  # leaves a delete marker
    versions = list(s3.list_object_versions(bucket))
    assert len(versions) == 7
    assert sum(v.is_delete_marker for v in versions) == 1
    result = s3.delete_objects(bucket, [(v.key, v.version_id) for v in versions])
    assert result.deleted == 7
    assert result.failures == ()
    assert list(s3.list_object_versions(bucket)) == []
    s3.delete_bucket(bucket)
    assert s3.head_bucket(bucket) is None
    assert BUCKET not in [b["Name"] for b in boto_s3.list_buckets()["Buckets"]]


def test_presigned_get_url_fetches_the_object(s3: S3Client, bucket: str) -> None:
    import requests

    s3.put_object(bucket, "reports/q1 2026.csv", b"a,b\n1,2\n")
    url = s3.presign_get_object(bucket, "reports/q1 2026.csv", expires_in=300)
    assert "X-Amz-Signature=" in url
    assert requests.get(url, timeout=10).content == b"a,b\n1,2\n"


# -- errors arrive typed -------------------------------------------------------------------


def test_deleting_a_non_empty_bucket_is_bucket_not_empty(s3: S3Client, bucket: str) -> None:
    s3.put_object(bucket, "keep.txt", b"x")
    with pytest.raises(BucketNotEmpty) as caught:
        s3.delete_bucket(bucket)
    error = caught.value
    assert error.bucket == bucket
    assert error.address == f"bucket.{bucket}"
    assert error.status == 409
    assert error.request_id
    assert str(error).startswith(f"bucket.{bucket}: BucketNotEmpty: DeleteBucket:")


def test_missing_bucket_is_no_such_bucket(s3: S3Client) -> None:
    with pytest.raises(NoSuchBucket) as caught:
        get(s3, "never-created-bucket", "tags")
    assert caught.value.bucket == "never-created-bucket"


def test_creating_an_owned_bucket_again(s3: S3Client) -> None:
    s3.create_bucket("twice-created", region="eu-west-1")
    with pytest.raises(BucketAlreadyOwnedByYou):
        s3.create_bucket("twice-created", region="eu-west-1")


def test_invalid_bucket_name_is_typed(s3: S3Client) -> None:
    with pytest.raises(InvalidBucketName):
        s3.create_bucket("b1", region="us-east-1")


def test_rejected_documents_are_typed(s3: S3Client, bucket: str) -> None:
    # The spec refuses both forms offline; a unit writes what it is given, and S3's refusal
    # arrives typed.
    both = {"id": "both", "expiration": {"days": 1, "expired_object_delete_marker": True}}
    with pytest.raises(MalformedXML):
        put(s3, bucket, "lifecycle", [both])
    cors = aspects.get("cors")
    body = cors.encode(
        [
            CorsRule.model_construct(
                allowed_methods=["PATCH"],
                allowed_origins=["*"],
                allowed_headers=[],
                expose_headers=[],
                id=None,
                max_age_seconds=None,
            )
        ],
        WriteContext(owner_id=lambda: ""),
    )
    with pytest.raises(BadRequest) as caught:
        s3.put_configuration(
            bucket, "cors", body, operation=cors.calls.put.operation, action=cors.calls.put.action
        )
    assert caught.value.code == "InvalidRequest"
    assert "PATCH" in caught.value.message


def test_a_store_answering_the_listing_to_a_configuration_read_lacks_it(
    tmp_path: Path, s3: S3Client, endpoint: str
) -> None:
    """A store that ignores a subresource it lacks answers GET ?requestPayment with the bucket's
    object listing (moto did before 5.2.6; other S3-compatible stores still do): that must not
    read as a configuration, but as the store not implementing it, on the bucket that declares
    it. The emulator sits behind a server that drops the subresource from that request."""
    s3.create_bucket("lister-test", region="us-east-1")
    spec = "version: 1\nstack: s\nbuckets:\n  lister-test:\n    request_payer: Requester\n"

    def ignored(request: bytes) -> bytes:
        line, _, rest = request.partition(b"\r\n")
        if line.startswith(b"GET "):
            line = re.sub(rb"\?requestPayment=?(?= )", b"", line)
        return line + b"\r\n" + rest

    front = forwarding(endpoint, lambda _n, _r: None, rewrite=ignored)
    with raw_server(front) as (url, _), Transport(credentials=TEST_CREDENTIALS) as transport:
        lister = S3Client(transport, region="us-east-1", endpoint_url=url)
        plan = Harness(lister, transport).plan(spec_file(tmp_path, spec))
    (error,) = plan.errors
    assert error.address == "bucket.lister-test"
    assert error.summary == (
        "the endpoint does not implement bucket request payer (GetBucketRequestPayment answered "
        "the bucket's listing (ListBucketResult), not its configuration): remove `request_payer` "
        "from this bucket or use a store that has it"
    )
    assert plan.changes == ()

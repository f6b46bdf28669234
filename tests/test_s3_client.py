"""The S3 client against moto's server over HTTP: every aspect round-trips (put, get equal,
delete, get absent), boto3 reads back what the client wrote, and errors arrive typed."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from reconciler.aws.s3 import S3Client
from reconciler.aws.s3_types import (
    LOG_DELIVERY_URI,
    AccessControlPolicy,
    CorsRule,
    EncryptionRule,
    Expiration,
    Grant,
    Grantee,
    LifecycleFilter,
    LifecycleRule,
    LoggingConfig,
    NoncurrentVersionExpiration,
    NoncurrentVersionTransition,
    PublicAccessBlock,
    RedirectAllRequestsTo,
    RoutingRule,
    Transition,
    Versioning,
    Website,
)
from reconciler.errors import (
    BadRequest,
    BucketAlreadyOwnedByYou,
    BucketNotEmpty,
    InvalidBucketName,
    MalformedXML,
    NoSuchBucket,
    NotFound,
)

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
    assert s3.get_bucket_ownership_controls("regional-bucket") == "ObjectWriter"
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


def test_acl_round_trip(s3: S3Client, bucket: str, boto_s3: Any) -> None:
    owner = s3.get_bucket_acl(bucket).owner
    policy = AccessControlPolicy(
        owner=owner,
        grants=(
            Grant(Grantee.user(owner.id), "FULL_CONTROL"),
            Grant(Grantee.group(LOG_DELIVERY_URI), "WRITE"),
            Grant(Grantee.group(LOG_DELIVERY_URI), "READ_ACP"),
        ),
    )
    s3.put_bucket_acl(bucket, policy=policy)
    read = s3.get_bucket_acl(bucket)
    assert {(g.grantee.kind, g.grantee.id or g.grantee.uri, g.permission) for g in read.grants} == {
        ("CanonicalUser", owner.id, "FULL_CONTROL"),
        ("Group", LOG_DELIVERY_URI, "WRITE"),
        ("Group", LOG_DELIVERY_URI, "READ_ACP"),
    }
    boto_grants = boto_s3.get_bucket_acl(Bucket=bucket)["Grants"]
    assert len(boto_grants) == 3

    s3.put_bucket_acl(bucket, canned="private")
    assert [g.permission for g in s3.get_bucket_acl(bucket).grants] == ["FULL_CONTROL"]


def test_put_bucket_acl_takes_exactly_one_form(s3: S3Client, bucket: str) -> None:
    with pytest.raises(ValueError, match="either"):
        s3.put_bucket_acl(bucket)


def test_tagging_round_trip(s3: S3Client, bucket: str, boto_s3: Any) -> None:
    assert s3.get_bucket_tagging(bucket) is None
    tags = {"team": "web", "reconciler:stack": "acme", "with space": "a/b=c+d"}
    s3.put_bucket_tagging(bucket, tags)
    assert s3.get_bucket_tagging(bucket) == tags
    boto_tags = boto_s3.get_bucket_tagging(Bucket=bucket)["TagSet"]
    assert {t["Key"]: t["Value"] for t in boto_tags} == tags
    s3.delete_bucket_tagging(bucket)
    assert s3.get_bucket_tagging(bucket) is None


LIFECYCLE = (
    LifecycleRule(
        id="expire-logs",
        filter=LifecycleFilter(prefix="logs/"),
        expiration=Expiration(days=90),
        abort_incomplete_multipart_upload_days=7,
    ),
    LifecycleRule(
        id="tiers",
        filter=LifecycleFilter(prefix="data/", tags=(("tier", "cold"),)),
        transitions=(
            Transition(storage_class="STANDARD_IA", days=30),
            Transition(storage_class="GLACIER", days=90),
        ),
        noncurrent_version_expiration=NoncurrentVersionExpiration(noncurrent_days=60),
        noncurrent_version_transitions=(
            NoncurrentVersionTransition(storage_class="GLACIER", noncurrent_days=30),
        ),
    ),
    LifecycleRule(
        id="dated",
        enabled=False,
        # moto drops object-size filters; test_s3_xml covers them on AWS-shaped documents
        filter=LifecycleFilter(prefix="tmp/"),
        expiration=Expiration(date=date(2030, 1, 1)),
    ),
    LifecycleRule(
        id="markers",
        filter=LifecycleFilter(prefix=""),
        expiration=Expiration(expired_object_delete_marker=True),
    ),
)


def test_lifecycle_round_trip(s3: S3Client, bucket: str, boto_s3: Any) -> None:
    assert s3.get_bucket_lifecycle(bucket) is None
    s3.put_bucket_lifecycle(bucket, LIFECYCLE)
    read = {rule.id: rule for rule in s3.get_bucket_lifecycle(bucket) or ()}
    assert read["expire-logs"] == LIFECYCLE[0]
    assert read["tiers"] == LIFECYCLE[1]
    assert read["dated"] == LIFECYCLE[2]
    assert read["markers"].expiration == Expiration(expired_object_delete_marker=True)
    boto_rules = {
        r["ID"]: r for r in boto_s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    }
    assert boto_rules["tiers"]["Filter"]["And"]["Tags"] == [{"Key": "tier", "Value": "cold"}]
    assert boto_rules["dated"]["Status"] == "Disabled"
    s3.delete_bucket_lifecycle(bucket)
    assert s3.get_bucket_lifecycle(bucket) is None


def test_logging_round_trip(s3: S3Client, bucket: str, boto_s3: Any) -> None:
    s3.create_bucket("log-target-bucket", region="us-east-1")
    s3.put_bucket_acl("log-target-bucket", canned="log-delivery-write")
    assert s3.get_bucket_logging(bucket) is None
    config = LoggingConfig(target_bucket="log-target-bucket", target_prefix="site/")
    s3.put_bucket_logging(bucket, config)
    assert s3.get_bucket_logging(bucket) == config
    enabled = boto_s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"]
    assert enabled == {"TargetBucket": "log-target-bucket", "TargetPrefix": "site/"}
    s3.delete_bucket_logging(bucket)
    assert s3.get_bucket_logging(bucket) is None


def test_versioning_round_trip(s3: S3Client, bucket: str, boto_s3: Any) -> None:
    assert s3.get_bucket_versioning(bucket) == Versioning(None)
    s3.put_bucket_versioning(bucket, Versioning("Enabled"))
    assert s3.get_bucket_versioning(bucket).status == "Enabled"
    assert boto_s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    s3.put_bucket_versioning(bucket, Versioning("Suspended"))
    assert s3.get_bucket_versioning(bucket).status == "Suspended"


def test_policy_round_trip(s3: S3Client, bucket: str, boto_s3: Any) -> None:
    assert s3.get_bucket_policy(bucket) is None
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "PublicRead",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }
    s3.put_bucket_policy(bucket, policy)
    assert s3.get_bucket_policy(bucket) == policy
    assert json.loads(boto_s3.get_bucket_policy(Bucket=bucket)["Policy"]) == policy
    s3.delete_bucket_policy(bucket)
    assert s3.get_bucket_policy(bucket) is None


def test_public_access_block_round_trip(s3: S3Client, bucket: str, boto_s3: Any) -> None:
    assert s3.get_public_access_block(bucket) is None
    config = PublicAccessBlock(True, True, False, False)
    s3.put_public_access_block(bucket, config)
    assert s3.get_public_access_block(bucket) == config
    boto_config = boto_s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert boto_config == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": False,
        "RestrictPublicBuckets": False,
    }
    s3.delete_public_access_block(bucket)
    assert s3.get_public_access_block(bucket) is None


def test_encryption_round_trip(s3: S3Client, bucket: str, boto_s3: Any) -> None:
    assert s3.get_bucket_encryption(bucket) is None
    rules = (EncryptionRule("aws:kms", kms_key_id="alias/site", bucket_key_enabled=True),)
    s3.put_bucket_encryption(bucket, rules)
    assert s3.get_bucket_encryption(bucket) == rules
    boto_rules = boto_s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"][
        "Rules"
    ]
    assert boto_rules[0]["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] == "alias/site"
    s3.delete_bucket_encryption(bucket)
    assert s3.get_bucket_encryption(bucket) is None


def test_cors_round_trip(s3: S3Client, bucket: str, boto_s3: Any) -> None:
    assert s3.get_bucket_cors(bucket) is None
    rules = (
        CorsRule(
            allowed_methods=("GET", "HEAD"),
            allowed_origins=("https://acme.example",),
            allowed_headers=("*",),
            expose_headers=("ETag",),
            max_age_seconds=3000,
            id="site",
        ),
        CorsRule(allowed_methods=("PUT",), allowed_origins=("*",)),
    )
    s3.put_bucket_cors(bucket, rules)
    assert s3.get_bucket_cors(bucket) == rules
    boto_rules = boto_s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    assert boto_rules[0]["AllowedMethods"] == ["GET", "HEAD"]
    s3.delete_bucket_cors(bucket)
    assert s3.get_bucket_cors(bucket) is None


def test_website_round_trip(s3: S3Client, bucket: str, boto_s3: Any) -> None:
    assert s3.get_bucket_website(bucket) is None
    site = Website(
        index_document="index.html",
        error_document="404.html",
        routing_rules=(
            RoutingRule(key_prefix_equals="docs/", replace_key_prefix_with="documents/"),
            RoutingRule(
                http_error_code_returned_equals="404", host_name="acme.example", protocol="https"
            ),
        ),
    )
    s3.put_bucket_website(bucket, site)
    assert s3.get_bucket_website(bucket) == site
    boto_site = boto_s3.get_bucket_website(Bucket=bucket)
    assert boto_site["IndexDocument"] == {"Suffix": "index.html"}
    s3.delete_bucket_website(bucket)
    assert s3.get_bucket_website(bucket) is None

    redirect = Website(redirect_all_requests_to=RedirectAllRequestsTo("www.acme.example", "https"))
    s3.put_bucket_website(bucket, redirect)
    assert s3.get_bucket_website(bucket) == redirect


def test_ownership_controls_round_trip(s3: S3Client, bucket: str, boto_s3: Any) -> None:
    s3.put_bucket_ownership_controls(bucket, "BucketOwnerPreferred")
    assert s3.get_bucket_ownership_controls(bucket) == "BucketOwnerPreferred"
    rules = boto_s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    assert rules == [{"ObjectOwnership": "BucketOwnerPreferred"}]
    s3.delete_bucket_ownership_controls(bucket)
    assert s3.get_bucket_ownership_controls(bucket) is None


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
    s3.put_bucket_versioning(bucket, Versioning("Enabled"))
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
        s3.get_bucket_tagging("never-created-bucket")
    assert caught.value.bucket == "never-created-bucket"


def test_creating_an_owned_bucket_again(s3: S3Client) -> None:
    s3.create_bucket("twice-created", region="eu-west-1")
    with pytest.raises(BucketAlreadyOwnedByYou):
        s3.create_bucket("twice-created", region="eu-west-1")


def test_invalid_bucket_name_is_typed(s3: S3Client) -> None:
    with pytest.raises(InvalidBucketName):
        s3.create_bucket("b1", region="us-east-1")


def test_rejected_documents_are_typed(s3: S3Client, bucket: str) -> None:
    both = Expiration(days=1, expired_object_delete_marker=True)
    with pytest.raises(MalformedXML):
        s3.put_bucket_lifecycle(bucket, (LifecycleRule(id="both", expiration=both),))
    with pytest.raises(BadRequest) as caught:
        s3.put_bucket_cors(bucket, (CorsRule(("PATCH",), ("*",)),))
    assert caught.value.code == "InvalidRequest"
    assert "PATCH" in caught.value.message

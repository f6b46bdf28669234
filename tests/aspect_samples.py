"""A value of every aspect that moto's S3 keeps as written, in the spec's own words, and how
boto3 reads it back: the round-trip tests and the signature check act on each unit through
the reader and the writer, as a plan and an apply do."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from reconciler.aws.s3 import S3Client
from reconciler.kinds.bucket.aspects import registry as aspects
from reconciler.kinds.bucket.canonical import Context
from reconciler.kinds.bucket.model import Bucket
from reconciler.kinds.bucket.read import read_aspect
from reconciler.kinds.bucket.writes import owner_id, spec_value, write_aspect
from reconciler.spec.common import spec_json

LOG_TARGET = "sample-log-target"
REPLICA = "sample-replica"

#: Per aspect: a value, and what boto3's read of it must contain.
SAMPLES: dict[str, tuple[Any, Callable[[Any, str], object]]] = {
    "tags": (
        {"team": "web", "reconciler:stack": "acme", "with space": "a/b=c+d"},
        lambda b, n: (
            {t["Key"]: t["Value"] for t in b.get_bucket_tagging(Bucket=n)["TagSet"]}
            == {"team": "web", "reconciler:stack": "acme", "with space": "a/b=c+d"}
        ),
    ),
    "object_ownership": (
        "BucketOwnerPreferred",
        lambda b, n: (
            b.get_bucket_ownership_controls(Bucket=n)["OwnershipControls"]["Rules"]
            == [{"ObjectOwnership": "BucketOwnerPreferred"}]
        ),
    ),
    "public_access_block": (
        {"block_public_acls": True, "ignore_public_acls": True},
        lambda b, n: (
            b.get_public_access_block(Bucket=n)["PublicAccessBlockConfiguration"]
            == {
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": False,
                "RestrictPublicBuckets": False,
            }
        ),
    ),
    "acl": (
        {"grants": [{"grantee": {"group": "LogDelivery"}, "permission": "WRITE"}]},
        lambda b, n: any(
            g["Grantee"].get("URI", "").endswith("/LogDelivery") and g["Permission"] == "WRITE"
            for g in b.get_bucket_acl(Bucket=n)["Grants"]
        ),
    ),
    "policy": (
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyBlocked",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:PutObject",
                    "Resource": "arn:aws:s3:::BUCKET/blocked/*",
                }
            ],
        },
        lambda b, n: "DenyBlocked" in b.get_bucket_policy(Bucket=n)["Policy"],
    ),
    "encryption": (
        {"algorithm": "aws:kms", "kms_key_id": "alias/site", "bucket_key_enabled": True},
        lambda b, n: (
            b.get_bucket_encryption(Bucket=n)["ServerSideEncryptionConfiguration"]["Rules"][0][
                "ApplyServerSideEncryptionByDefault"
            ]["KMSMasterKeyID"]
            == "alias/site"
        ),
    ),
    "versioning": (
        "enabled",
        lambda b, n: b.get_bucket_versioning(Bucket=n)["Status"] == "Enabled",
    ),
    "lifecycle": (
        [
            {
                "id": "expire-logs",
                "filter": {"prefix": "logs/"},
                "expiration": {"days": 90},
                "abort_incomplete_multipart_upload_days": 7,
            },
            {
                "id": "tiers",
                "filter": {"prefix": "data/", "tags": {"tier": "cold"}},
                "transitions": [
                    {"storage_class": "STANDARD_IA", "days": 30},
                    {"storage_class": "GLACIER", "days": 90},
                ],
                "noncurrent_version_expiration": {"noncurrent_days": 60},
                "noncurrent_version_transitions": [
                    {"storage_class": "GLACIER", "noncurrent_days": 30}
                ],
            },
            # moto drops object-size filters; test_aspect_codecs covers them
            {
                "id": "dated",
                "enabled": False,
                "filter": {"prefix": "tmp/"},
                "expiration": {"date": "2030-01-01"},
            },
            {"id": "markers", "expiration": {"expired_object_delete_marker": True}},
        ],
        lambda b, n: (
            {r["ID"]: r for r in b.get_bucket_lifecycle_configuration(Bucket=n)["Rules"]}["tiers"][
                "Filter"
            ]["And"]["Tags"]
            == [{"Key": "tier", "Value": "cold"}]
        ),
    ),
    "cors": (
        [
            {
                "id": "site",
                "allowed_methods": ["GET", "HEAD"],
                "allowed_origins": ["https://acme.example"],
                "allowed_headers": ["*"],
                "expose_headers": ["ETag"],
                "max_age_seconds": 3000,
            },
            {"allowed_methods": ["PUT"], "allowed_origins": ["*"]},
        ],
        lambda b, n: (
            b.get_bucket_cors(Bucket=n)["CORSRules"][0]["AllowedMethods"] == ["GET", "HEAD"]
        ),
    ),
    "website": (
        {
            "index_document": "index.html",
            "error_document": "404.html",
            "routing_rules": [
                {
                    "condition": {"key_prefix_equals": "docs/"},
                    "redirect": {"replace_key_prefix_with": "documents/"},
                },
                {
                    "condition": {"http_error_code_returned_equals": "404"},
                    "redirect": {"host_name": "acme.example", "protocol": "https"},
                },
            ],
        },
        lambda b, n: b.get_bucket_website(Bucket=n)["IndexDocument"] == {"Suffix": "index.html"},
    ),
    "logging": (
        {"target_bucket": LOG_TARGET, "target_prefix": "site/"},
        lambda b, n: (
            b.get_bucket_logging(Bucket=n)["LoggingEnabled"]
            == {"TargetBucket": LOG_TARGET, "TargetPrefix": "site/"}
        ),
    ),
    "accelerate": (
        "enabled",
        lambda b, n: b.get_bucket_accelerate_configuration(Bucket=n)["Status"] == "Enabled",
    ),
    "object_lock": (
        {"mode": "GOVERNANCE", "days": 30},
        lambda b, n: (
            b.get_object_lock_configuration(Bucket=n)["ObjectLockConfiguration"]["Rule"][
                "DefaultRetention"
            ]["Days"]
            == 30
        ),
    ),
    "replication": (
        {
            "role": "arn:aws:iam::123456789012:role/s3-replication",
            "rules": [
                # moto answers every rule with Filter {Prefix: ""} and delete-marker
                # replication disabled, whatever was written: filters and delete markers are
                # checked on AWS's recorded answers (tests/cases/) and on LocalStack's S3
                {
                    "id": "to-dr",
                    "priority": 1,
                    "destination": {"bucket": REPLICA, "storage_class": "STANDARD_IA"},
                }
            ],
        },
        lambda b, n: (
            b.get_bucket_replication(Bucket=n)["ReplicationConfiguration"]["Rules"][0][
                "Destination"
            ]["Bucket"]
            == f"arn:aws:s3:::{REPLICA}"
        ),
    ),
    "notifications": (
        {
            "queues": [
                {
                    "id": "new-objects",
                    "arn": "arn:aws:sqs:us-east-1:123456789012:ingest",
                    "events": ["s3:ObjectCreated:*"],
                    "filter": {"prefix": "in/", "suffix": ".csv"},
                }
            ],
            "topics": [
                {
                    "id": "deletes",
                    "arn": "arn:aws:sns:us-east-1:123456789012:deletes",
                    "events": ["s3:ObjectRemoved:*"],
                }
            ],
            "lambdas": [
                {
                    "id": "thumbs",
                    "arn": "arn:aws:lambda:us-east-1:123456789012:function:thumbs",
                    "events": ["s3:ObjectCreated:Put"],
                    "filter": {"prefix": "img/"},
                }
            ],
        },
        lambda b, n: (
            b.get_bucket_notification_configuration(Bucket=n)["QueueConfigurations"][0]["Id"]
            == "new-objects"
        ),
    ),
}

#: Aspects moto's S3 does not keep as written (so their round trips run on LocalStack's S3 and
#: on recorded AWS answers in the planner corpus), and why.
MOTO_LACKS = {
    "request_payer": "no request payment: it answers the read with the bucket's listing",
    "intelligent_tiering": "no Intelligent-Tiering: it answers the listing with the bucket's",
    "metrics": "no request metrics: it answers the listing with the bucket's",
    "analytics": "no analytics: it answers the listing with the bucket's",
    "inventory": "inventory answered unlike AWS: IncludedObjectVersions always All, optional "
    "fields split into letters, and DELETE ?inventory deletes the bucket",
}

#: What "absent" is in the spec, for the aspects that can be removed.
ABSENT = {
    key: []
    for key in ("lifecycle", "cors", "intelligent_tiering", "inventory", "metrics", "analytics")
}


def removable(key: str) -> bool:
    """Whether the spec may say the aspect must be absent (its model takes ``false`` or
    ``[]``): a versioned bucket, for one, can never be unversioned."""
    try:
        Bucket.model_validate({key: ABSENT.get(key, False)})
    except ValidationError:
        return False
    return True


def sample(key: str, bucket: str) -> Any:
    """The sample value of ``key`` for ``bucket`` (a policy names its bucket)."""
    value = SAMPLES[key][0]
    return json.loads(json.dumps(value).replace("BUCKET", bucket))


def prepare(s3: S3Client, key: str, bucket: str) -> None:
    """What an aspect's sample needs first (a logging target that accepts logs)."""
    if key == "logging":
        s3.create_bucket(LOG_TARGET, region="us-east-1")
        put(s3, LOG_TARGET, "acl", "log-delivery-write")
    if key == "replication":
        s3.create_bucket(REPLICA, region="us-east-1")
        put(s3, REPLICA, "versioning", "enabled")
    if key in ("replication", "object_lock"):
        put(s3, bucket, "versioning", "enabled")


def get(s3: S3Client, bucket: str, key: str) -> Any:
    return read_aspect(s3, bucket, aspects.get(key)).value


def put(s3: S3Client, bucket: str, key: str, value: Any) -> None:
    """Write as an apply does: an aspect kept as items by id is given what is live."""
    before = spec_json(get(s3, bucket, key)) if aspects.get(key).calls.items else None
    write_aspect(s3, bucket, key, value, owner=lambda: owner_id(s3, bucket), before=before)


def remove(s3: S3Client, bucket: str, key: str) -> None:
    put(s3, bucket, key, ABSENT.get(key, False))


def same(key: str, live: Any, wanted: Any, owner: str | None = None) -> bool:
    """Whether a read equals the written value by meaning (the planner's comparison)."""
    ctx = Context(owner_id=owner)
    desired = aspects.canonical(key, spec_value(key, wanted), ctx, desired=True)
    return bool(aspects.canonical(key, live, ctx, desired=False) == desired)

"""For each aspect, a change made with boto3 behind the spec's back is found, with the right
attribute path, and the next apply puts it right."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reconciler.aws.s3 import S3Client
from reconciler.aws.transport import Transport
from tests.reconcile import Harness, spec_file

SPEC = """
version: 1
stack: aspects
buckets:
  aspects-logs:
    object_ownership: BucketOwnerPreferred
    acl: log-delivery-write
  aspects-main:
    tags: {env: prod, team: web}
    versioning: enabled
    object_ownership: BucketOwnerPreferred
    public_access_block: {block_public_acls: true, ignore_public_acls: true,
                          block_public_policy: false, restrict_public_buckets: false}
    acl: private
    policy:
      Version: "2012-10-17"
      Statement:
        - Sid: Read
          Effect: Allow
          Principal: "*"
          Action: [s3:GetObject]
          Resource: arn:aws:s3:::aspects-main/*
    encryption: {algorithm: AES256}
    lifecycle:
      - id: expire
        filter: {prefix: tmp/}
        expiration: {days: 30}
    cors:
      - allowed_methods: [GET]
        allowed_origins: ["https://example.com"]
        max_age_seconds: 300
    website: {index_document: index.html, error_document: error.html}
    logging: {target_bucket: aspects-logs, target_prefix: main/}
    accelerate: enabled
    object_lock: {mode: GOVERNANCE, days: 30}
    replication:
      role: arn:aws:iam::123456789012:role/s3-replication
      rules:
        - id: to-replica
          priority: 1
          destination: {bucket: aspects-replica, storage_class: STANDARD_IA}
    notifications:
      queues:
        - id: new-objects
          arn: arn:aws:sqs:us-east-1:123456789012:ingest
          events: ["s3:ObjectCreated:*"]
          filter: {prefix: in/, suffix: .csv}
  aspects-replica:
    versioning: enabled
"""

MAIN = "aspects-main"
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Read",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:PutObject",
            "Resource": f"arn:aws:s3:::{MAIN}/*",
        }
    ],
}

Change = Callable[[Any], None]

CASES: dict[str, tuple[str, Change, set[str]]] = {
    "tags": (
        "tags",
        lambda b: b.put_bucket_tagging(
            Bucket=MAIN,
            Tagging={
                "TagSet": [
                    {"Key": "env", "Value": "dev"},
                    {"Key": "reconciler:stack", "Value": "aspects"},
                    {"Key": "extra", "Value": "x"},
                ]
            },
        ),
        {"env", "extra", "team"},
    ),
    "versioning": (
        "versioning",
        lambda b: b.put_bucket_versioning(
            Bucket=MAIN, VersioningConfiguration={"Status": "Suspended"}
        ),
        {""},
    ),
    "object_ownership": (
        "object_ownership",
        lambda b: b.put_bucket_ownership_controls(
            Bucket=MAIN, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]}
        ),
        {""},
    ),
    "public_access_block": (
        "public_access_block",
        lambda b: b.put_public_access_block(
            Bucket=MAIN,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": False,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": False,
                "RestrictPublicBuckets": False,
            },
        ),
        {"block_public_acls"},
    ),
    "acl": (
        "acl",
        lambda b: b.put_bucket_acl(Bucket=MAIN, ACL="public-read"),
        {"grants[group:AllUsers]"},
    ),
    "policy": (
        "policy",
        lambda b: b.put_bucket_policy(Bucket=MAIN, Policy=json.dumps(POLICY)),
        {"Statement[0].Action"},
    ),
    "policy deleted": ("policy", lambda b: b.delete_bucket_policy(Bucket=MAIN), {""}),
    "encryption": (
        "encryption",
        lambda b: b.put_bucket_encryption(
            Bucket=MAIN,
            ServerSideEncryptionConfiguration={
                "Rules": [
                    {
                        "ApplyServerSideEncryptionByDefault": {
                            "SSEAlgorithm": "aws:kms",
                            "KMSMasterKeyID": "alias/other",
                        }
                    }
                ]
            },
        ),
        {"algorithm", "kms_key_id"},
    ),
    "lifecycle": (
        "lifecycle",
        lambda b: b.put_bucket_lifecycle_configuration(
            Bucket=MAIN,
            LifecycleConfiguration={
                "Rules": [
                    {
                        "ID": "expire",
                        "Status": "Enabled",
                        "Filter": {"Prefix": "tmp/"},
                        "Expiration": {"Days": 7},
                    }
                ]
            },
        ),
        {"rules[expire].expiration.days"},
    ),
    "lifecycle deleted": (
        "lifecycle",
        lambda b: b.delete_bucket_lifecycle(Bucket=MAIN),
        {"rules[expire]"},
    ),
    "cors": (
        "cors",
        lambda b: b.put_bucket_cors(
            Bucket=MAIN,
            CORSConfiguration={
                "CORSRules": [
                    {
                        "AllowedMethods": ["GET"],
                        "AllowedOrigins": ["https://example.com"],
                        "MaxAgeSeconds": 60,
                    }
                ]
            },
        ),
        {"[0].max_age_seconds"},
    ),
    "website": (
        "website",
        lambda b: b.put_bucket_website(
            Bucket=MAIN,
            WebsiteConfiguration={
                "IndexDocument": {"Suffix": "home.html"},
                "ErrorDocument": {"Key": "error.html"},
            },
        ),
        {"index_document"},
    ),
    "logging": (
        "logging",
        lambda b: b.put_bucket_logging(
            Bucket=MAIN,
            BucketLoggingStatus={
                "LoggingEnabled": {"TargetBucket": "aspects-logs", "TargetPrefix": "other/"}
            },
        ),
        {"target_prefix"},
    ),
    "accelerate": (
        "accelerate",
        lambda b: b.put_bucket_accelerate_configuration(
            Bucket=MAIN, AccelerateConfiguration={"Status": "Suspended"}
        ),
        {""},
    ),
    "object_lock": (
        "object_lock",
        lambda b: b.put_object_lock_configuration(
            Bucket=MAIN,
            ObjectLockConfiguration={
                "ObjectLockEnabled": "Enabled",
                "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 7}},
            },
        ),
        {"days"},
    ),
    "replication": (
        "replication",
        lambda b: b.put_bucket_replication(
            Bucket=MAIN,
            ReplicationConfiguration={
                "Role": "arn:aws:iam::123456789012:role/s3-replication",
                "Rules": [
                    {
                        "ID": "to-replica",
                        "Priority": 1,
                        "Status": "Enabled",
                        "Filter": {"Prefix": ""},
                        "DeleteMarkerReplication": {"Status": "Disabled"},
                        "Destination": {
                            "Bucket": "arn:aws:s3:::aspects-replica",
                            "StorageClass": "GLACIER",
                        },
                    }
                ],
            },
        ),
        {"rules[to-replica].destination.storage_class"},
    ),
    "replication deleted": (
        "replication",
        lambda b: b.delete_bucket_replication(Bucket=MAIN),
        {""},
    ),
    "notifications": (
        "notifications",
        lambda b: b.put_bucket_notification_configuration(
            Bucket=MAIN,
            NotificationConfiguration={
                "QueueConfigurations": [
                    {
                        "Id": "new-objects",
                        "QueueArn": "arn:aws:sqs:us-east-1:123456789012:ingest",
                        "Events": ["s3:ObjectCreated:*"],
                        "Filter": {
                            "Key": {
                                "FilterRules": [
                                    {"Name": "prefix", "Value": "in/"},
                                    {"Name": "suffix", "Value": ".json"},
                                ]
                            }
                        },
                    }
                ]
            },
        ),
        {"queues[new-objects].suffix"},
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_change_behind_the_specs_back_is_found_and_fixed(
    case: str, tmp_path: Path, s3: S3Client, transport: Transport, boto_s3: Any
) -> None:
    aspect, change, paths = CASES[case]
    loaded = spec_file(tmp_path, SPEC)
    harness = Harness(s3, transport)
    harness.apply(loaded)
    assert not harness.plan(loaded).has_changes

    change(boto_s3)

    drifted = harness.plan(loaded)
    assert [c.address for c in drifted.changes] == [f"bucket.{MAIN}"]
    (found,) = drifted.changes[0].aspects
    assert found.aspect == aspect
    assert {d.path for d in found.diff} == paths

    report = harness.execute(drifted)
    assert report.ok
    assert not harness.plan(loaded).has_changes

"""Every example spec, applied to the emulator: boto3 (an independent reader) sees what the spec
says, the next plan shows no changes, and a second apply writes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.aws.s3 import S3Client
from reconciler.aws.transport import Transport
from reconciler.spec import canonical
from reconciler.spec.bucket import AclGrants, Bucket
from reconciler.spec.loader import load_spec
from tests.reconcile import Harness

EXAMPLES = sorted(Path(__file__).parent.parent.glob("examples/*.yaml"))

# What moto drops from lifecycle rules (AWS keeps them; the planner corpus covers AWS's answer):
# object-size filters and NewerNoncurrentVersions in NoncurrentVersionExpiration.
EMULATOR_GAPS = {
    "data-lake.yaml": {
        "bucket.analytics-lake-raw": {
            "rules[drop-temporary].filter.object_size_greater_than",
            "rules[tier-raw].noncurrent_version_expiration.newer_noncurrent_versions",
        }
    }
}


def _tags(boto: Any, name: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in boto.get_bucket_tagging(Bucket=name)["TagSet"]}


def confirm_with_boto(boto: Any, name: str, bucket: Bucket, stack: str) -> None:
    """Each declared aspect, read back by boto3, is what the spec says."""
    region = boto.get_bucket_location(Bucket=name)["LocationConstraint"] or "us-east-1"
    assert region == bucket.region
    tags = _tags(boto, name)
    assert tags["reconciler:stack"] == stack
    if bucket.tags is not None:
        assert tags == {**bucket.tags, "reconciler:stack": stack}
    if bucket.versioning:
        status = boto.get_bucket_versioning(Bucket=name)["Status"]
        assert status == bucket.versioning.capitalize()
    if bucket.object_ownership:
        rules = boto.get_bucket_ownership_controls(Bucket=name)["OwnershipControls"]["Rules"]
        assert rules[0]["ObjectOwnership"] == bucket.object_ownership
    if bucket.public_access_block:
        got = boto.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
        pab = bucket.public_access_block
        assert got == {
            "BlockPublicAcls": pab.block_public_acls,
            "IgnorePublicAcls": pab.ignore_public_acls,
            "BlockPublicPolicy": pab.block_public_policy,
            "RestrictPublicBuckets": pab.restrict_public_buckets,
        }
    if bucket.acl:
        answer = boto.get_bucket_acl(Bucket=name)
        owner = answer["Owner"]["ID"]
        got_grants = {
            (g["Grantee"].get("URI") or g["Grantee"].get("ID"), g["Permission"])
            for g in answer["Grants"]
        }
        if isinstance(bucket.acl, AclGrants):
            raise AssertionError("explicit grants are covered by the aspect tests")
        expected = {(owner, "FULL_CONTROL")} | {
            (canonical.GROUP_URIS[group], perm)
            for group, perm in canonical.CANNED_GRANTS[bucket.acl]
        }
        assert got_grants == expected
    if bucket.policy:
        assert json.loads(boto.get_bucket_policy(Bucket=name)["Policy"]) == bucket.policy
    if bucket.encryption:
        rule = boto.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"][
            "Rules"
        ][0]
        default = rule["ApplyServerSideEncryptionByDefault"]
        assert default["SSEAlgorithm"] == bucket.encryption.algorithm
        assert default.get("KMSMasterKeyID") == bucket.encryption.kms_key_id
    if bucket.lifecycle:
        rules = boto.get_bucket_lifecycle_configuration(Bucket=name)["Rules"]
        assert [r["ID"] for r in rules] == [r.id for r in bucket.lifecycle]
        for got, want in zip(rules, bucket.lifecycle, strict=True):
            if want.expiration and want.expiration.days:
                assert got["Expiration"]["Days"] == want.expiration.days
            assert [t.get("Days") for t in got.get("Transitions", [])] == [
                t.days for t in want.transitions
            ]
    if bucket.cors:
        rules = boto.get_bucket_cors(Bucket=name)["CORSRules"]
        assert [sorted(r["AllowedMethods"]) for r in rules] == [
            sorted(r.allowed_methods) for r in bucket.cors
        ]
        assert [r["AllowedOrigins"] for r in rules] == [r.allowed_origins for r in bucket.cors]
    if bucket.website:
        site = boto.get_bucket_website(Bucket=name)
        assert site["IndexDocument"]["Suffix"] == bucket.website.index_document
    if bucket.logging:
        enabled = boto.get_bucket_logging(Bucket=name)["LoggingEnabled"]
        assert enabled["TargetBucket"] == bucket.logging.target_bucket
        assert enabled["TargetPrefix"] == bucket.logging.target_prefix


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_example_applies_and_then_plans_no_changes(
    example: Path, s3: S3Client, transport: Transport, boto_s3: Any
) -> None:
    loaded = load_spec([str(example)], cli_vars={}, env={})
    harness = Harness(s3, transport)
    first, report = harness.apply(loaded)
    assert first.summary["create"] == len(loaded.spec.buckets)
    assert report.count("done") == sum(1 + len(c.aspects) for c in first.changes)

    for name, bucket in loaded.spec.buckets.items():
        confirm_with_boto(boto_s3, name, bucket, loaded.spec.stack)

    writes_before = transport.writes_sent
    again = harness.plan(loaded)
    gaps = EMULATOR_GAPS.get(example.name, {})
    left = {c.address: {d.path for a in c.aspects for d in a.diff} for c in again.changes}
    assert left == gaps
    assert again.summary["no_op"] == len(loaded.spec.buckets) - len(gaps)
    if not gaps:
        report = harness.execute(again)
        assert report.results == []
        assert transport.writes_sent == writes_before

"""Every example spec, applied to the emulator: boto3 (an independent reader) sees what the spec
says, the next plan shows no changes, and a second apply writes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.aws.s3 import S3Client
from reconciler.aws.transport import Transport
from reconciler.kinds.base import StepStatus
from reconciler.kinds.bucket import canonical
from reconciler.kinds.bucket.model import AclGrants, Bucket
from reconciler.kinds.distribution.model import Distribution
from reconciler.kinds.registry import declarations
from reconciler.spec.loader import load_spec
from reconciler.spec.model import Spec
from tests.reconcile import Harness

EXAMPLES = sorted(Path(__file__).parent.parent.glob("examples/*.yaml"))

# What moto drops (AWS keeps them; the planner corpus covers AWS's answers): from lifecycle
# rules, object-size filters and NewerNoncurrentVersions in NoncurrentVersionExpiration; from a
# distribution's origins, the origin access control id.
EMULATOR_GAPS = {
    "data-lake.yaml": {
        "bucket.analytics-lake-raw": {
            "rules[drop-temporary].filter.object_size_greater_than",
            "rules[tier-raw].noncurrent_version_expiration.newer_noncurrent_versions",
        }
    },
    "environments.yaml": {"distribution.shop-cdn": {"origins[assets].origin_access_control_id"}},
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


def confirm_distribution(config: dict[str, Any], dist: Distribution, spec: Spec) -> None:
    """What boto3 reads back of a distribution is what the spec says."""
    if dist.comment is not None:
        assert config["Comment"] == dist.comment
    if dist.enabled is not None:
        assert config["Enabled"] is dist.enabled
    assert sorted(config["Aliases"].get("Items", [])) == sorted(dist.aliases or [])
    if dist.default_root_object is not None:
        assert config["DefaultRootObject"] == dist.default_root_object
    if dist.price_class is not None:
        assert config["PriceClass"] == dist.price_class
    if dist.http_version is not None:
        assert config["HttpVersion"] == dist.http_version
    origins = {o["Id"]: o for o in config["Origins"]["Items"]}
    for origin in dist.origins or []:
        if origin.bucket:
            region = spec.buckets[origin.bucket].region
            assert origins[origin.id]["DomainName"] == f"{origin.bucket}.s3.{region}.amazonaws.com"
    behavior = config["DefaultCacheBehavior"]
    want = dist.default_cache_behavior
    assert want is not None
    assert behavior["TargetOriginId"] == want.target_origin
    assert behavior["ViewerProtocolPolicy"] == want.viewer_protocol_policy
    assert behavior["Compress"] is want.compress
    assert behavior.get("CachePolicyId") == want.cache_policy_id
    errors = config["CustomErrorResponses"].get("Items", [])
    assert [(e["ErrorCode"], e.get("ResponsePagePath")) for e in errors] == [
        (e.error_code, e.response_page_path) for e in dist.custom_error_responses or []
    ]
    if dist.viewer_certificate and dist.viewer_certificate.acm_certificate_arn:
        got = config["ViewerCertificate"]
        assert got["ACMCertificateArn"] == dist.viewer_certificate.acm_certificate_arn
        assert got["SSLSupportMethod"] == dist.viewer_certificate.ssl_support_method
    if dist.logging:
        assert config["Logging"]["Enabled"] is True
        assert config["Logging"]["Bucket"] == f"{dist.logging.bucket}.s3.amazonaws.com"
        assert config["Logging"]["Prefix"] == dist.logging.prefix


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_example_applies_and_then_plans_no_changes(
    example: Path, s3: S3Client, transport: Transport, boto_s3: Any, boto_cloudfront: Any
) -> None:
    loaded = load_spec([str(example)], cli_vars={}, env={})
    harness = Harness(s3, transport)
    first, report = harness.apply(loaded)
    declared = sum(len(d.resources(loaded.spec)) for d in declarations())
    assert first.summary["create"] == declared
    assert report.count(StepStatus.DONE) == len(report.results) > len(first.changes)

    for name, bucket in loaded.spec.buckets.items():
        confirm_with_boto(boto_s3, name, bucket, loaded.spec.stack)
    for content in loaded.spec.content.values():  # every file of the site is an object
        source = Path(content.source)
        for file in (f for f in source.rglob("*") if f.is_file()):
            key = content.prefix + file.relative_to(source).as_posix()
            got = boto_s3.get_object(Bucket=content.bucket, Key=key)
            assert got["Body"].read() == file.read_bytes()
    for change in first.changes:
        if change.kind == "distribution":
            made = boto_cloudfront.list_distributions()["DistributionList"]["Items"]
            ids = [
                d["Id"]
                for d in made
                if {"Key": "reconciler:name", "Value": change.name}
                in boto_cloudfront.list_tags_for_resource(Resource=d["ARN"])["Tags"]["Items"]
            ]
            assert len(ids) == 1
            config = boto_cloudfront.get_distribution_config(Id=ids[0])["DistributionConfig"]
            confirm_distribution(config, loaded.spec.distributions[change.name], loaded.spec)

    writes_before = transport.writes_sent
    again = harness.plan(loaded)
    gaps = EMULATOR_GAPS.get(example.name, {})
    left = {c.address: {d.path for a in c.aspects for d in a.diff} for c in again.changes}
    assert left == gaps
    assert again.summary["no_op"] == declared - len(gaps)
    if not gaps:
        report = harness.execute(again)
        assert report.results == []
        assert transport.writes_sent == writes_before

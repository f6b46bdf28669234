"""Each of Ceph RGW's deviations from AWS's documented behaviour, shown on its own with what a
user sees, so that the tests that work around them (tests/test_ceph_rgw.py) say why, and a
release of RGW that fixes one shows here. AWS's behaviour is what the reconciler implements;
docs/credentials.md lists these for users."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.ceph import OTHER_KEYS, OTHER_USER, Rgw
from tests.test_ceph_rgw import cli, client, names

pytestmark = pytest.mark.timeout(1200)


def write(folder: Path, stack: str, buckets: dict[str, Any], **top: Any) -> None:
    spec = {"version": 1, "stack": stack, **top, "buckets": buckets}
    (folder / "reconciler.yaml").write_text(json.dumps(spec, indent=2))


def failed_lines(out: str) -> list[str]:
    return [line.strip() for line in out.splitlines() if line.strip().startswith("FAILED")]


def test_the_zonegroup_is_the_region(rgw: Rgw, tmp_path: Path) -> None:
    """RGW answers its zonegroup, ``default``, where AWS names a region."""
    (bucket,) = names("dev-region", "data")
    write(tmp_path, "dev-region", {bucket: {"region": rgw.region}})
    code, out = cli(rgw, tmp_path, "validate")
    assert code == 1
    assert "set region_check: false at the top of the spec" in out
    write(tmp_path, "dev-region", {bucket: {"region": rgw.region}}, region_check=False)
    code, out = cli(rgw, tmp_path, "apply", "--auto-approve")
    assert code == 0, out
    assert f"will be created in {rgw.region}" in out
    code, out = cli(rgw, tmp_path, "plan", "--detailed-exitcode")
    assert code == 0, out
    assert cli(rgw, tmp_path, "destroy", "--auto-approve")[0] == 0


def test_lifecycle_drops_object_size_and_newer_noncurrent_versions(
    rgw: Rgw, tmp_path: Path
) -> None:
    """RGW keeps neither ``ObjectSizeGreaterThan`` nor ``NewerNoncurrentVersions``: a rule with
    them plans the same change again after every apply (a spec for RGW leaves them out)."""
    (bucket,) = names("dev-lifecycle", "data")
    rules = [
        {
            "id": "big",
            "filter": {"prefix": "big/", "object_size_greater_than": 1024},
            "expiration": {"days": 30},
        },
        {
            "id": "keep",
            "filter": {"prefix": "k/"},
            "noncurrent_version_expiration": {
                "noncurrent_days": 10,
                "newer_noncurrent_versions": 3,
            },
        },
    ]
    write(tmp_path, "dev-lifecycle", {bucket: {"versioning": "enabled", "lifecycle": rules}})
    assert cli(rgw, tmp_path, "apply", "--auto-approve")[0] == 0
    code, out = cli(rgw, tmp_path, "plan", "--detailed-exitcode")
    assert code == 2, out
    assert "+ lifecycle.rules[big].filter.object_size_greater_than: 1024" in out
    assert "+ lifecycle.rules[keep].noncurrent_version_expiration.newer_noncurrent_versions: 3" in (
        out
    )
    assert cli(rgw, tmp_path, "destroy", "--auto-approve")[0] == 0


def test_notifications_merge_and_the_empty_configuration_is_refused(
    rgw: Rgw, tmp_path: Path
) -> None:
    """A notification configuration replaces the bucket's on AWS; RGW adds it to what is there,
    and refuses the empty one (which is how S3 removes them all)."""
    (bucket,) = names("dev-notify", "data")
    topic = client(rgw, "sns").create_topic(
        Name=f"{bucket}-topic", Attributes={"push-endpoint": "http://127.0.0.1:9/nowhere"}
    )["TopicArn"]

    def notify(ident: str) -> dict[str, Any]:
        return {"topics": [{"id": ident, "arn": topic, "events": ["s3:ObjectCreated:*"]}]}

    write(tmp_path, "dev-notify", {bucket: {"notifications": notify("one")}})
    assert cli(rgw, tmp_path, "apply", "--auto-approve")[0] == 0
    write(tmp_path, "dev-notify", {bucket: {"notifications": notify("two")}})
    assert cli(rgw, tmp_path, "apply", "--auto-approve")[0] == 0
    code, out = cli(rgw, tmp_path, "plan", "--detailed-exitcode")
    assert code == 2, out
    assert "- notifications.topics[one]:" in out  # still there: merged, not replaced
    write(tmp_path, "dev-notify", {bucket: {"notifications": False}})
    code, out = cli(rgw, tmp_path, "apply", "--auto-approve")
    assert code == 1
    [failed] = failed_lines(out)
    assert failed.startswith(f"FAILED bucket.{bucket}.notifications (delete): ")
    assert "MalformedXML: PutBucketNotificationConfiguration" in failed
    write(tmp_path, "dev-notify", {bucket: {}})
    assert cli(rgw, tmp_path, "destroy", "--auto-approve")[0] == 0


def test_block_public_policy_refuses_every_allow_policy(rgw: Rgw, tmp_path: Path) -> None:
    """AWS refuses only public policies under ``block_public_policy``; RGW refuses any that
    allows, here one for a single other user."""
    (bucket,) = names("dev-pab", "data")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "OneUser",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam:::user/{OTHER_USER}"},
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }
    declared = {"public_access_block": {"block_public_policy": True}, "policy": policy}
    write(tmp_path, "dev-pab", {bucket: declared})
    code, out = cli(rgw, tmp_path, "apply", "--auto-approve")
    assert code == 1
    [failed] = failed_lines(out)
    assert f"FAILED bucket.{bucket}.policy (create): bucket.{bucket}: AccessDenied" in failed
    write(tmp_path, "dev-pab", {bucket: {"public_access_block": {"block_public_policy": False}}})
    assert cli(rgw, tmp_path, "apply", "--auto-approve")[0] == 0
    assert cli(rgw, tmp_path, "destroy", "--auto-approve")[0] == 0


def test_there_is_no_log_delivery_group(rgw: Rgw, tmp_path: Path) -> None:
    """RGW knows no LogDelivery group: ``acl: log-delivery-write`` is refused, by name."""
    (bucket,) = names("dev-acl", "logs")
    write(tmp_path, "dev-acl", {bucket: {"acl": "log-delivery-write"}})
    code, out = cli(rgw, tmp_path, "apply", "--auto-approve")
    assert code == 1
    [failed] = failed_lines(out)
    assert "InvalidArgument: PutBucketAcl: Invalid group uri" in failed
    assert "may not implement" not in failed  # a reason given is the reason shown
    write(tmp_path, "dev-acl", {bucket: {}})
    assert cli(rgw, tmp_path, "destroy", "--auto-approve")[0] == 0


def test_object_lock_only_at_creation(rgw: Rgw, tmp_path: Path) -> None:
    """AWS enables object lock on an existing versioned bucket; RGW only on a bucket created
    with it."""
    (bucket,) = names("dev-lock", "data")
    declared = {"versioning": "enabled", "object_lock": {"mode": "GOVERNANCE", "days": 1}}
    write(tmp_path, "dev-lock", {bucket: declared})
    code, out = cli(rgw, tmp_path, "apply", "--auto-approve")
    assert code == 1
    [failed] = failed_lines(out)
    assert "InvalidBucketState: PutObjectLockConfiguration: object lock configuration can't be" in (
        failed
    )
    write(tmp_path, "dev-lock", {bucket: {"versioning": "enabled"}})
    assert cli(rgw, tmp_path, "destroy", "--auto-approve")[0] == 0


def test_get_public_access_block_is_authorised_as_get_bucket_policy(rgw: Rgw) -> None:
    """AWS authorises GetPublicAccessBlock as s3:GetBucketPublicAccessBlock (what
    ``reconciler permissions`` grants); RGW asks for s3:GetBucketPolicy."""
    (bucket,) = names("dev-auth", "data")
    owner = client(rgw)
    other = boto3.client(
        "s3",
        endpoint_url=rgw.endpoint,
        region_name=rgw.region,
        aws_access_key_id=OTHER_KEYS[0],
        aws_secret_access_key=OTHER_KEYS[1],
    )
    owner.create_bucket(Bucket=bucket)
    owner.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": False,
            "BlockPublicPolicy": False,
            "RestrictPublicBuckets": False,
        },
    )

    def allow(action: str) -> None:
        statement = {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam:::user/{OTHER_USER}"},
            "Action": action,
            "Resource": f"arn:aws:s3:::{bucket}",
        }
        owner.put_bucket_policy(
            Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]})
        )

    allow("s3:GetBucketPublicAccessBlock")
    with pytest.raises(other.exceptions.ClientError) as refused:
        other.get_public_access_block(Bucket=bucket)
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    allow("s3:GetBucketPolicy")
    found = other.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert found["BlockPublicAcls"] is True
    owner.delete_bucket_policy(Bucket=bucket)
    owner.delete_bucket(Bucket=bucket)

"""The reconciler against Ceph's RADOS Gateway (started by the tests: `tests.ceph`), as a user runs
it: every aspect RGW implements applies, re-plans clean, shows drift made by hand, converges,
imports into a spec that re-plans clean, and is destroyed; every aspect it lacks is one clear
error on its bucket, while the other buckets are still applied.

RGW's deviations from AWS's documented behaviour, and how these tests work around them (each is
also shown on its own in tests/test_ceph_deviations.py):

- its zonegroup (``default``) is the region: the environment's ``AWS_REGION`` is ``default``;
- object lock only at creation (AWS also enables it on an existing versioned bucket): the locked
  bucket is made by hand with the lock, and the spec manages its default retention;
- lifecycle drops ``ObjectSizeGreaterThan`` and ``NewerNoncurrentVersions``: the rules here use
  neither;
- notifications merge instead of replace and refuse the empty configuration: the notification
  is written once and never changed or removed;
- ``block_public_policy`` refuses every Allow policy: the policy here only denies;
- no LogDelivery group: no ``log-delivery-write`` ACL;
- no default encryption, no ownership controls (and none of the newer configurations) on this
  release: those are the aspects it lacks, below.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.ceph import OTHER_USER, Rgw
from tests.cli import run_cli

# Starting the cluster (and, on a machine without them, installing its packages) comes first.
pytestmark = pytest.mark.timeout(1200)


def names(prefix: str, *parts: str) -> list[str]:
    """Bucket names of this test's own (the cluster lives for the whole session)."""
    base = f"{prefix}-{uuid.uuid4().hex[:8]}"
    return [f"{base}-{part}" for part in parts]


def client(rgw: Rgw, service: str = "s3") -> Any:
    return boto3.client(
        service,
        endpoint_url=rgw.endpoint,
        region_name=rgw.region,
        aws_access_key_id=rgw.access_key,
        aws_secret_access_key=rgw.secret_key,
    )


def cli(rgw: Rgw, folder: Path, *args: str) -> tuple[int, str]:
    done = run_cli(*args, cwd=folder, env=rgw.env(folder))
    return done.returncode, done.stdout + done.stderr


def full_spec(stack: str, site: str, locked: str, topic: str) -> str:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyBlocked",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:PutObject",
                "Resource": f"arn:aws:s3:::{site}/blocked/*",
            }
        ],
    }
    spec = {
        "version": 1,
        "stack": stack,
        "buckets": {
            site: {
                "tags": {"team": "web", "env": "test"},
                "public_access_block": {"block_public_acls": True, "ignore_public_acls": True},
                "acl": {"grants": [{"grantee": {"id": OTHER_USER}, "permission": "READ"}]},
                "policy": policy,
                "versioning": "enabled",
                "lifecycle": [
                    {
                        "id": "logs",
                        "filter": {"prefix": "logs/", "tags": {"tier": "cold"}},
                        "expiration": {"days": 90},
                        "transitions": [{"days": 30, "storage_class": "STANDARD_IA"}],
                        "noncurrent_version_expiration": {"noncurrent_days": 10},
                    },
                    {
                        "id": "uploads",
                        "filter": {"prefix": "up/"},
                        "abort_incomplete_multipart_upload_days": 3,
                    },
                ],
                "cors": [
                    {
                        "allowed_methods": ["GET", "PUT"],
                        "allowed_origins": ["https://example.com"],
                        "allowed_headers": ["*"],
                        "expose_headers": ["ETag"],
                        "max_age_seconds": 300,
                    }
                ],
                "website": {"index_document": "index.html", "error_document": "error.html"},
                "request_payer": "Requester",
                "notifications": {
                    "topics": [
                        {
                            "id": "new-uploads",
                            "arn": topic,
                            "events": ["s3:ObjectCreated:*"],
                            "filter": {"prefix": "up/"},
                        }
                    ]
                },
            },
            locked: {
                "versioning": "enabled",
                "object_lock": {"mode": "GOVERNANCE", "days": 1},
            },
        },
    }
    return json.dumps(spec, indent=2)


def test_every_aspect_rgw_implements_round_trips_through_every_command(
    rgw: Rgw, tmp_path: Path
) -> None:
    site, locked = names("rgw", "site", "locked")
    s3 = client(rgw)
    # Object lock only at creation on RGW: the bucket is made with it, the spec adopts it.
    s3.create_bucket(Bucket=locked, ObjectLockEnabledForBucket=True)
    topic = client(rgw, "sns").create_topic(
        Name=f"{site}-uploads", Attributes={"push-endpoint": "http://127.0.0.1:9/nowhere"}
    )["TopicArn"]
    (tmp_path / "reconciler.yaml").write_text(full_spec("rgw", site, locked, topic))

    code, out = cli(rgw, tmp_path, "apply", "--auto-approve")
    assert code == 0, out
    assert f"+ bucket.{site} will be created in {rgw.region}" in out
    assert f"= bucket.{locked} will be adopted" in out
    code, out = cli(rgw, tmp_path, "plan", "--detailed-exitcode")
    assert code == 0, out  # no perpetual diff
    assert "No changes for stack rgw" in out
    code, out = cli(rgw, tmp_path, "drift")
    assert code == 0, out
    code, out = cli(rgw, tmp_path, "drift", "--all-aspects", "--format", "json")
    assert code == 0, out
    report = json.loads(out[: out.rindex("}") + 1])
    # Nothing the spec leaves out is set (RGW's empty replication answer is no replication).
    assert report["summary"]["unmanaged_aspects"] == 0, report

    # Behind the spec's back: what drift shows, and what apply puts back.
    s3.put_bucket_cors(
        Bucket=site,
        CORSConfiguration={"CORSRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}]},
    )
    s3.put_bucket_versioning(Bucket=site, VersioningConfiguration={"Status": "Suspended"})
    s3.put_bucket_website(
        Bucket=site, WebsiteConfiguration={"IndexDocument": {"Suffix": "home.html"}}
    )
    s3.put_bucket_tagging(
        Bucket=site,
        Tagging={
            "TagSet": [{"Key": "reconciler:stack", "Value": "rgw"}, {"Key": "team", "Value": "ops"}]
        },
    )
    s3.put_object_lock_configuration(
        Bucket=locked,
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 7}},
        },
    )
    code, out = cli(rgw, tmp_path, "drift")
    assert code == 2, out
    for path in (
        'versioning: expected "enabled", live has "suspended"',
        "website.index_document",
        "tags.team",
        "tags.env",
        "cors",
        "object_lock.days",
    ):
        assert path in out, (path, out)
    code, out = cli(rgw, tmp_path, "apply", "--auto-approve")
    assert code == 0, out
    code, out = cli(rgw, tmp_path, "plan", "--detailed-exitcode")
    assert code == 0, out
    assert s3.get_bucket_versioning(Bucket=site)["Status"] == "Enabled"

    # Import writes a spec that validates and re-plans clean.
    code, out = cli(
        rgw,
        tmp_path,
        "import",
        "--bucket",
        site,
        "--bucket",
        locked,
        "--stack",
        "rgw",
        "-o",
        "imported.yaml",
    )
    assert code == 0, out
    assert "left out: the endpoint does not implement bucket object ownership" in out
    imported = (tmp_path / "imported.yaml").read_text()
    assert "object_ownership" not in imported
    assert "replication" not in imported
    code, out = cli(rgw, tmp_path, "plan", "-f", "imported.yaml", "--detailed-exitcode")
    assert code == 0, out

    # Destroy (a bucket-only spec: CloudFront is never asked, which RGW would refuse).
    code, out = cli(rgw, tmp_path, "destroy", "--auto-approve")
    assert code == 0, out
    left = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert not {site, locked} & left


#: What RGW lacks, each with a value, and whether a write is answered 405 (S3 says it would be
#: 501 for a store without the feature) or a bare ``400 InvalidArgument``.
LACKS: dict[str, tuple[Any, str]] = {
    "object_ownership": ("BucketOwnerPreferred", "bare"),
    "encryption": ({"algorithm": "AES256"}, "bare"),
    "accelerate": ("enabled", "bare"),
    "intelligent_tiering": ([{"id": "archive", "archive_access_days": 90}], "bare"),
    "inventory": (
        [
            {
                "id": "weekly",
                "destination": {"bucket": "TARGET", "format": "CSV"},
                "schedule": "Weekly",
                "included_versions": "Current",
            }
        ],
        "bare",
    ),
    "metrics": ([{"id": "whole"}], "bare"),
    "analytics": ([{"id": "all"}], "bare"),
    "logging": ({"target_bucket": "TARGET", "target_prefix": "logs/"}, "405"),
    "replication": (
        {
            "role": "arn:aws:iam::123456789012:role/replication",
            "rules": [{"id": "all", "destination": {"bucket": "TARGET"}}],
        },
        "405",
    ),
}


def lacking_spec(stack: str, bucket: str, target: str, aspect: str | None) -> str:
    """A spec of the bucket (with ``aspect`` when given) and a target bucket that can take
    reports and logs: no LogDelivery group on RGW, so a policy for the services."""
    allowing = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": ["s3.amazonaws.com", "logging.s3.amazonaws.com"]},
                "Action": "s3:PutObject",
                "Resource": f"arn:aws:s3:::{target}/*",
            }
        ],
    }
    declared: dict[str, Any] = {"versioning": "enabled"}
    if aspect is not None:
        value, _ = LACKS[aspect]
        declared[aspect] = json.loads(json.dumps(value).replace("TARGET", target))
    spec = {
        "version": 1,
        "stack": stack,
        "buckets": {
            bucket: declared,
            target: {"versioning": "enabled", "policy": allowing},
        },
    }
    return json.dumps(spec, indent=2)


@pytest.mark.parametrize("aspect", sorted(LACKS))
def test_each_aspect_rgw_lacks_is_one_clear_error_on_its_bucket(
    aspect: str, rgw: Rgw, tmp_path: Path
) -> None:
    bucket, target = names("rgw-lacks", "data", "target")
    stack = f"lacks-{aspect.replace('_', '-')}"
    what = aspect.replace("_", " ")
    path = tmp_path / "reconciler.yaml"

    # A new bucket is not read: its first write says the store may lack the aspect.
    path.write_text(lacking_spec(stack, bucket, target, aspect))
    code, out = cli(rgw, tmp_path, "apply", "--auto-approve")
    assert code == 1, out
    failed = [line for line in out.splitlines() if line.strip().startswith("FAILED")]
    assert len(failed) == 1, out  # that aspect's write, and nothing else
    if LACKS[aspect][1] == "bare":
        assert f"the store may not implement bucket {what} (it gave no reason)" in failed[0]
    else:
        assert f"the endpoint does not implement bucket {what} (MethodNotAllowed" in failed[0]
    assert f"remove `{aspect}` from this bucket or use a store that has it" in failed[0]
    assert f"done bucket.{target}" in out  # the other bucket is applied

    code, out = cli(rgw, tmp_path, "plan")
    if LACKS[aspect][1] == "bare":
        # An existing bucket is read, and RGW answers the read with the bucket's listing: the
        # plan says so before any write, naming the aspect.
        assert code == 1, out
        assert f"error: bucket.{bucket}: the endpoint does not implement bucket {what}" in out
        assert f"remove `{aspect}` from this bucket or use a store that has it" in out
    else:
        # RGW answers these reads as "not configured" (an empty logging status; a replication
        # configuration without rules, which is none): the plan shows the write, and applying
        # it fails again with the same words.
        assert code == 0, out
        assert f"+ {aspect}:" in out, out
        code, out = cli(rgw, tmp_path, "apply", "--auto-approve")
        assert code == 1, out
        assert f"the endpoint does not implement bucket {what} (MethodNotAllowed" in out

    # Left out, it is never asked for: the same spec without it applies and plans clean.
    path.write_text(lacking_spec(stack, bucket, target, None))
    code, out = cli(rgw, tmp_path, "apply", "--auto-approve")
    assert code == 0, out
    code, out = cli(rgw, tmp_path, "plan", "--detailed-exitcode")
    assert code == 0, out
    code, out = cli(rgw, tmp_path, "destroy", "--auto-approve")
    assert code == 0, out

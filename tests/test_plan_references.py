"""The checks a plan makes of buckets the spec refers to but does not declare: a logging target
that is missing, in another region or without log-delivery permission is an error at the
spec's position, found when planning, and apply makes no write at all."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli import run_cli, user_env

SPEC = """\
version: 1
stack: refs
buckets:
  refs-site:
    versioning: enabled
    logging: {target_bucket: %s, target_prefix: site/}
"""


def open_to_log_delivery(boto_s3: Any, bucket: str) -> None:
    """The log-delivery-write ACL, as a grant list: moto answers the canned ACL with its
    READ_ACP grant alone, where AWS answers both WRITE and READ_ACP."""
    owner = boto_s3.get_bucket_acl(Bucket=bucket)["Owner"]
    group = {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/s3/LogDelivery"}
    grants = [
        {"Grantee": {"Type": "CanonicalUser", "ID": owner["ID"]}, "Permission": "FULL_CONTROL"}
    ]
    grants += [{"Grantee": group, "Permission": p} for p in ("WRITE", "READ_ACP")]
    boto_s3.put_bucket_acl(Bucket=bucket, AccessControlPolicy={"Owner": owner, "Grants": grants})


def apply(tmp_path: Path, endpoint: str, target: str) -> Any:
    (tmp_path / "reconciler.yaml").write_text(SPEC % target)
    return run_cli(
        "apply",
        "--auto-approve",
        cwd=tmp_path,
        env=user_env(tmp_path, endpoint=endpoint, secret="refs-secret"),
    )


def error_line(done: Any) -> str:
    return next(line for line in done.stdout.splitlines() if "error:" in line)


def test_a_missing_logging_target_is_a_plan_error(endpoint: str, tmp_path: Path) -> None:
    done = apply(tmp_path, endpoint, "refs-nowhere-logs")
    assert done.returncode == 1
    assert error_line(done) == (
        "reconciler.yaml:6:30: error: bucket.refs-site: logging target bucket "
        "'refs-nowhere-logs' does not exist, and this spec does not declare it"
    )
    assert "(0 writes)" in done.stderr


def test_a_logging_target_in_another_region_is_a_plan_error(
    endpoint: str, tmp_path: Path, boto_s3: Any
) -> None:
    boto_s3.create_bucket(
        Bucket="refs-far-logs", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    open_to_log_delivery(boto_s3, "refs-far-logs")
    done = apply(tmp_path, endpoint, "refs-far-logs")
    assert done.returncode == 1
    assert error_line(done).endswith(
        "logging target bucket 'refs-far-logs' is in eu-west-1 but this bucket is in "
        "us-east-1: S3 delivers logs within a region only"
    )
    assert "(0 writes)" in done.stderr


def test_a_logging_target_without_log_delivery_is_a_plan_error(
    endpoint: str, tmp_path: Path, boto_s3: Any
) -> None:
    boto_s3.create_bucket(Bucket="refs-closed-logs")
    done = apply(tmp_path, endpoint, "refs-closed-logs")
    assert done.returncode == 1
    assert error_line(done).endswith(
        "logging target bucket 'refs-closed-logs' does not let S3 deliver logs: it needs the "
        "log-delivery-write ACL, or a bucket policy allowing logging.s3.amazonaws.com to "
        "s3:PutObject"
    )
    assert "(0 writes)" in done.stderr


@pytest.mark.parametrize("how", ["acl", "policy"])
def test_a_ready_logging_target_plans_and_applies(
    endpoint: str, tmp_path: Path, boto_s3: Any, how: str
) -> None:
    boto_s3.create_bucket(Bucket="refs-ready-logs")
    if how == "acl":
        open_to_log_delivery(boto_s3, "refs-ready-logs")
    else:
        statement = {
            "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": "arn:aws:s3:::refs-ready-logs/*",
        }
        boto_s3.put_bucket_policy(
            Bucket="refs-ready-logs",
            Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
        )
    (tmp_path / "reconciler.yaml").write_text(SPEC % "refs-ready-logs")
    planned = run_cli(
        "plan",
        "--detailed-exitcode",
        cwd=tmp_path,
        env=user_env(tmp_path, endpoint=endpoint, secret="refs-secret"),
    )
    assert planned.returncode == 2, planned.stdout + planned.stderr
    assert "error" not in planned.stdout

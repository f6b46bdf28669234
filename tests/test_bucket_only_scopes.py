"""A bucket-only scope never needs CloudFront, for any command: ``destroy`` and ``plan
--destroy`` of a spec without ``distributions:``, ``plan --target bucket.X`` in a spec that
declares distributions (a bucket depends on no distribution), and ``permissions --for
destroy``. Each is run as a user runs it, with the request log on (``--log-level debug``, one
line per API request), and the log shows no CloudFront request."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli import run_cli, user_env

BUCKETS = """\
version: 1
stack: scopes
buckets:
  scopes-site: {versioning: enabled}
  scopes-logs: {tags: {team: web}}
"""

WITH_DISTRIBUTIONS = (
    BUCKETS
    + """\
distributions:
  cdn:
    comment: scopes
    origins: [{id: site, bucket: scopes-site}]
    default_cache_behavior: {target_origin: site, viewer_protocol_policy: redirect-to-https}
"""
)

CLOUDFRONT_PATH = "/2020-05-31/"


def requests_logged(stderr: str) -> list[str]:
    """The request log's lines (the client logs each request it sends)."""
    return [line for line in stderr.splitlines() if "reconciler.aws" in line and " -> " in line]


def run(tmp_path: Path, endpoint: str, *args: str) -> tuple[int, str, list[str]]:
    env = user_env(tmp_path, endpoint=endpoint, secret="scopes-secret")
    done = run_cli("--log-level", "debug", *args, cwd=tmp_path, env=env)
    return done.returncode, done.stdout + done.stderr, requests_logged(done.stderr)


def test_destroy_of_a_bucket_only_spec_asks_cloudfront_nothing(
    endpoint: str, tmp_path: Path
) -> None:
    (tmp_path / "reconciler.yaml").write_text(BUCKETS)
    code, output, _ = run(tmp_path, endpoint, "apply", "--auto-approve")
    assert code == 0, output

    code, output, logged = run(tmp_path, endpoint, "plan", "--destroy", "--detailed-exitcode")
    assert code == 2, output
    assert "- bucket.scopes-site will be deleted" in output
    assert logged, output  # the log is on: the buckets were read
    assert not [line for line in logged if CLOUDFRONT_PATH in line]

    code, output, logged = run(tmp_path, endpoint, "destroy", "--auto-approve")
    assert code == 0, output
    assert any("DELETE /scopes-site" in line for line in logged), logged
    assert not [line for line in logged if CLOUDFRONT_PATH in line]


def test_a_targeted_bucket_plan_asks_cloudfront_nothing(endpoint: str, tmp_path: Path) -> None:
    (tmp_path / "reconciler.yaml").write_text(WITH_DISTRIBUTIONS)
    code, output, logged = run(
        tmp_path, endpoint, "plan", "--target", "bucket.scopes-logs", "--detailed-exitcode"
    )
    assert code == 2, output
    assert "+ bucket.scopes-logs will be created" in output
    assert "distribution.cdn" not in output
    assert logged, output
    assert not [line for line in logged if CLOUDFRONT_PATH in line]

    # A distribution's target still plans the distribution (and the buckets it uses).
    code, output, logged = run(
        tmp_path, endpoint, "plan", "--target", "distribution.cdn", "--detailed-exitcode"
    )
    assert code == 2, output
    assert "distribution.cdn" in output
    assert [line for line in logged if CLOUDFRONT_PATH in line]


def test_permissions_for_destroy(tmp_path: Path) -> None:
    (tmp_path / "reconciler.yaml").write_text(BUCKETS)
    printed = run_cli("--log-level", "debug", "permissions", "--for", "destroy", cwd=tmp_path)
    assert printed.returncode == 0, printed.stderr
    assert not requests_logged(printed.stderr)  # no API call at all
    statements = {s["Sid"]: s for s in json.loads(printed.stdout)["Statement"]}
    actions = {a for s in statements.values() for a in s["Action"]}
    assert not any(a.startswith("cloudfront:") for a in actions)
    assert "s3:DeleteBucket" in statements["DeclaredBuckets"]["Action"]
    assert "s3:CreateBucket" not in actions
    assert not any(a.startswith("s3:PutBucket") and a != "s3:PutBucketTagging" for a in actions)

    (tmp_path / "reconciler.yaml").write_text(WITH_DISTRIBUTIONS)
    printed = run_cli("permissions", "--for", "destroy", cwd=tmp_path)
    assert printed.returncode == 0, printed.stderr
    statements = {s["Sid"]: s for s in json.loads(printed.stdout)["Statement"]}
    assert "cloudfront:DeleteDistribution" in statements["Distributions"]["Action"]
    assert "cloudfront:CreateDistribution" not in statements["Distributions"]["Action"]

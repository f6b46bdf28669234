"""Credentials and permissions against moto with IAM enforcement on: a user who may only assume
a role plans and applies through an assume-role profile; a role allowed ``s3:*`` and nothing else
plans, applies, drifts and imports a bucket-only spec without one CloudFront request; the policy
``reconciler permissions`` prints is enough to apply its spec, and one action less is refused.

The server is set up unauthenticated, then ``/moto-api/reset-auth`` turns enforcement on for
everything after.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from reconciler.emulator import emulator_process
from tests.cli import run_cli

ACCOUNT = "123456789012"
BUCKET_SPEC = """\
version: 1
stack: least
buckets:
  least-data:
    versioning: enabled
    tags: {team: data}
    lifecycle:
      - {id: expire, filter: {prefix: tmp/}, expiration: {days: 7}}
  least-logs:
    tags: {team: data}
"""


@dataclass
class Server:
    url: str
    iam: Any

    def user(self, name: str, policy: dict[str, Any]) -> tuple[str, str]:
        """A user holding exactly ``policy``; its access key."""
        self.iam.create_user(UserName=name)
        self.iam.put_user_policy(
            UserName=name, PolicyName="only", PolicyDocument=json.dumps(policy)
        )
        key = self.iam.create_access_key(UserName=name)["AccessKey"]
        return key["AccessKeyId"], key["SecretAccessKey"]


def allow(actions: list[str]) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}],
    }


def trusting(principal: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
            ],
        }
    )


@pytest.fixture
def server() -> Iterator[Server]:
    with emulator_process({"INITIAL_NO_AUTH_ACTION_COUNT": "1000000"}) as url:
        iam = boto3.client(
            "iam",
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id="setup",
            aws_secret_access_key="setup",
        )
        yield Server(url, iam)


def enforce(server: Server) -> None:
    requests.post(f"{server.url}/moto-api/reset-auth", data=b"0", timeout=10).raise_for_status()


def cli_env(tmp_path: Path, url: str, **extra: str) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL": url,
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "",
        "AWS_SECRET_ACCESS_KEY": "",
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
        **extra,
    }


def spec(tmp_path: Path, text: str = BUCKET_SPEC) -> str:
    path = tmp_path / "reconciler.yaml"
    path.write_text(text)
    return str(path)


def test_a_user_who_may_only_assume_a_role_applies_through_a_profile(
    tmp_path: Path, server: Server
) -> None:
    key_id, secret = server.user("deployer", allow(["sts:AssumeRole"]))
    role = server.iam.create_role(
        RoleName="s3-only",
        AssumeRolePolicyDocument=trusting(f"arn:aws:iam::{ACCOUNT}:user/deployer"),
    )
    server.iam.put_role_policy(
        RoleName="s3-only", PolicyName="s3", PolicyDocument=json.dumps(allow(["s3:*"]))
    )
    enforce(server)
    (tmp_path / "credentials").write_text(
        f"[base]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n"
    )
    (tmp_path / "config").write_text(
        f"[profile deploy]\nrole_arn = {role['Role']['Arn']}\nsource_profile = base\n"
    )
    env = cli_env(tmp_path, server.url)
    path = spec(tmp_path)

    # The user's own keys cannot touch S3: only the role can.
    direct = run_cli("plan", "-f", path, "--profile", "base", env=env)
    assert direct.returncode == 1
    assert "AccessDenied" in direct.stderr
    assert "s3:ListAllMyBuckets" in direct.stderr

    applied = run_cli(
        "--log-level",
        "debug",
        "apply",
        "-f",
        path,
        "--profile",
        "deploy",
        "--auto-approve",
        env=env,
    )
    assert applied.returncode == 0, applied.stderr
    again = run_cli("plan", "-f", path, "--profile", "deploy", "--detailed-exitcode", env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    drifted = run_cli("drift", "-f", path, "--profile", "deploy", env=env)
    assert drifted.returncode == 0, drifted.stdout + drifted.stderr
    imported = run_cli(
        "import", "--bucket", "least-data", "--stack", "least", "--profile", "deploy", env=env
    )
    assert imported.returncode == 0, imported.stderr
    assert "least-data:" in imported.stdout
    everything = run_cli(
        "import", "--all-unmanaged", "--buckets-only", "--profile", "deploy", env=env
    )
    assert everything.returncode == 0, everything.stderr  # a CloudFront call would be refused

    # The role may do nothing on CloudFront: none of these commands asked it anything.
    requests_logged = [line for line in applied.stderr.splitlines() if "reconciler.aws" in line]
    assert any("POST / -> 200" in line for line in requests_logged)  # AssumeRole
    assert not any("/2020-05-31/" in line for line in requests_logged)
    for secret_value in (secret,):
        assert secret_value not in applied.stderr + applied.stdout


def test_the_permissions_policy_is_enough_and_one_action_less_is_refused(
    tmp_path: Path, server: Server
) -> None:
    path = spec(tmp_path)
    printed = run_cli("permissions", "-f", path, "--for", "apply", env={})
    assert printed.returncode == 0, printed.stderr
    policy = json.loads(printed.stdout)
    actions = {a for s in policy["Statement"] for a in s["Action"]}
    assert not any(a.startswith("cloudfront:") for a in actions)  # no distributions managed
    # moto authorizes HeadBucket as "s3:HeadBucket"; AWS authorizes it as s3:ListBucket, which
    # the policy holds. The test adds moto's name so that the rest of the policy is what's proven.
    moto_names = {
        "Sid": "MotoNames",
        "Effect": "Allow",
        "Action": ["s3:HeadBucket"],
        "Resource": "*",
    }
    enough = {**policy, "Statement": [*policy["Statement"], moto_names]}
    less = json.loads(json.dumps(enough).replace('"s3:PutBucketVersioning", ', ""))
    assert "s3:PutBucketVersioning" in json.dumps(enough)
    assert "s3:PutBucketVersioning" not in json.dumps(less)
    full_id, full_secret = server.user("least", enough)
    less_id, less_secret = server.user("almost", less)
    enforce(server)

    short = run_cli(
        "apply",
        "-f",
        path,
        "--auto-approve",
        env=cli_env(
            tmp_path, server.url, AWS_ACCESS_KEY_ID=less_id, AWS_SECRET_ACCESS_KEY=less_secret
        ),
    )
    assert short.returncode == 1
    assert "the IAM action s3:PutBucketVersioning on arn:aws:s3:::least-data was refused" in (
        short.stdout + short.stderr
    )

    env = cli_env(
        tmp_path, server.url, AWS_ACCESS_KEY_ID=full_id, AWS_SECRET_ACCESS_KEY=full_secret
    )
    applied = run_cli("apply", "-f", path, "--auto-approve", env=env)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    again = run_cli("plan", "-f", path, "--detailed-exitcode", env=env)
    assert again.returncode == 0, again.stdout + again.stderr


def test_permissions_for_a_spec_with_distributions_and_deletions() -> None:
    from reconciler.permissions import policy
    from reconciler.spec.model import Spec

    declared = Spec.model_validate(
        {
            "version": 1,
            "stack": "p",
            "buckets": {
                "p-site": {"website": {"index_document": "index.html"}},
                "p-old": {"state": "absent", "force_destroy": True},
            },
            "distributions": {
                "cdn": {
                    "origins": [{"id": "o", "bucket": "p-site"}],
                    "default_cache_behavior": {
                        "target_origin": "o",
                        "viewer_protocol_policy": "allow-all",
                    },
                }
            },
        }
    )
    found = {s["Sid"]: s for s in policy(declared, "apply")["Statement"]}
    assert "cloudfront:UpdateDistribution" in found["Distributions"]["Action"]
    assert found["EmptyForceDestroyedBuckets"]["Resource"] == "arn:aws:s3:::p-old/*"
    by_resource = {
        str(s["Resource"]): s["Action"] for s in found.values() if str(s["Sid"]).startswith("Decl")
    }
    assert "s3:DeleteBucket" in by_resource["arn:aws:s3:::p-old"]
    assert "s3:PutBucketWebsite" in by_resource["arn:aws:s3:::p-site"]
    assert "s3:DeleteBucket" not in by_resource["arn:aws:s3:::p-site"]
    plan_only = {a for s in policy(declared, "plan")["Statement"] for a in s["Action"]}
    assert not any(a.startswith(("s3:Put", "s3:Create", "s3:Delete")) for a in plan_only)
    assert "cloudfront:CreateDistribution" not in plan_only


def test_a_two_hop_source_profile_chain(tmp_path: Path, server: Server) -> None:
    """base (keys, may assume hub) -> hub (may assume spoke, nothing else) -> spoke (S3)."""
    key_id, secret = server.user("deployer", allow(["sts:AssumeRole"]))
    hub = server.iam.create_role(
        RoleName="hub", AssumeRolePolicyDocument=trusting(f"arn:aws:iam::{ACCOUNT}:user/deployer")
    )
    server.iam.put_role_policy(
        RoleName="hub", PolicyName="hop", PolicyDocument=json.dumps(allow(["sts:AssumeRole"]))
    )
    spoke = server.iam.create_role(
        RoleName="spoke",
        AssumeRolePolicyDocument=trusting(f"arn:aws:sts::{ACCOUNT}:assumed-role/hub/hub-session"),
    )
    server.iam.put_role_policy(
        RoleName="spoke", PolicyName="s3", PolicyDocument=json.dumps(allow(["s3:*"]))
    )
    enforce(server)
    (tmp_path / "credentials").write_text(
        f"[base]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n"
    )
    (tmp_path / "config").write_text(
        f"[profile hub]\nrole_arn = {hub['Role']['Arn']}\nsource_profile = base\n"
        "role_session_name = hub-session\n"
        f"[profile spoke]\nrole_arn = {spoke['Role']['Arn']}\nsource_profile = hub\n"
    )
    env = cli_env(tmp_path, server.url)
    path = spec(tmp_path)
    from_hub = run_cli("plan", "-f", path, "--profile", "hub", env=env)
    assert from_hub.returncode == 1  # the hub role itself may not read S3
    assert "s3:ListAllMyBuckets" in from_hub.stderr
    from_spoke = run_cli("plan", "-f", path, "--profile", "spoke", "--detailed-exitcode", env=env)
    assert from_spoke.returncode == 2, from_spoke.stderr

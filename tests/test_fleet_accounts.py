"""A fleet of accounts on moto's server with IAM enforcement on: an organization of 12
accounts (moto keeps each account's resources apart; a role assumed through its STS works in
that account), the hub user allowed to assume each account's role but one's, a baseline spec
applied to 12 accounts x 2 regions in 4 shards run as separate processes, merged.

The server is set up unauthenticated (the organization, each account's role with its
permissions), then ``/moto-api/reset-auth`` turns enforcement on for everything after.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from reconciler.emulator import emulator_process
from tests.cli import run_cli
from tests.fleet_org import Org, client, in_account, make_org

HUB = "123456789012"  # moto's default account: the organization's management account
ROLE = "fleet-deploy"
LAYOUT = {
    "/workloads/prod": [(f"prod-{i}", {"baseline": "on"}) for i in range(6)],
    "/workloads/dev": [(f"dev-{i}", {"baseline": "on"}) for i in range(5)],
    "/security": [("audit", {"baseline": "on"})],
    "/sandbox": [("sandbox", {"baseline": "off"})],  # not selected: its tag says off
}
TARGETS = f"""\
# yaml-language-server: $schema=../schemas/targets.schema.json
version: 1
role: {{name: {ROLE}, session_name: fleet-test}}
regions: [us-east-1, eu-west-1]
organization:
  ous: [/workloads, /security]
  tags: {{baseline: "on"}}
variables: {{retention: 30}}
"""
SPEC = """\
version: 1
stack: baseline-${target.region}
buckets:
  logs-${target.account}-${target.region}:
    versioning: enabled
    tags: {account: "${target.account_name}", ou: "${target.ou}"}
    lifecycle:
      - {id: expire, filter: {prefix: ""}, expiration: {days: "${target.retention}"}}
"""


def allow(actions: list[str], deny: list[str] | None = None) -> str:
    statements: list[dict[str, Any]] = [{"Effect": "Allow", "Action": actions, "Resource": "*"}]
    if deny:
        statements.append({"Effect": "Deny", "Action": ["sts:AssumeRole"], "Resource": deny})
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


@dataclass
class Fleet:
    url: str
    org: Org
    denied: str
    hub_key: tuple[str, str]
    admin: Any  # IAM client of an administrator, to change the hub's policy later

    @property
    def selected(self) -> list[str]:
        return sorted(a for n, a in self.org.accounts.items() if n != "sandbox")

    def env(self, tmp_path: Path) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": self.hub_key[0],
            "AWS_SECRET_ACCESS_KEY": self.hub_key[1],
            "AWS_CONFIG_FILE": str(tmp_path / "none"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        }

    def buckets_in(self, account: str) -> dict[str, str]:
        """The account's buckets and their regions, read as the hub in the account's role."""
        hub = client("sts", self.url, *self.hub_key)
        keys = hub.assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/{ROLE}", RoleSessionName="test-reader"
        )["Credentials"]
        s3 = client(
            "s3", self.url, keys["AccessKeyId"], keys["SecretAccessKey"], keys["SessionToken"]
        )
        return {
            b["Name"]: s3.get_bucket_location(Bucket=b["Name"])["LocationConstraint"] or "us-east-1"
            for b in s3.list_buckets()["Buckets"]
        }

    def let_hub_assume_every_role(self) -> None:
        self.admin.put_user_policy(
            UserName="hub",
            PolicyName="hub",
            PolicyDocument=allow(["sts:AssumeRole", "organizations:*"]),
        )


@pytest.fixture
def fleet() -> Iterator[Fleet]:
    with emulator_process({"INITIAL_NO_AUTH_ACTION_COUNT": "1000000"}) as url:
        org = make_org(url, LAYOUT)
        iam = client("iam", url)
        for name in ("admin", "hub"):
            iam.create_user(UserName=name)
        iam.put_user_policy(UserName="admin", PolicyName="all", PolicyDocument=allow(["*"]))
        selected = sorted(a for n, a in org.accounts.items() if n != "sandbox")
        denied = selected[0]  # the first account in the run's order
        iam.put_user_policy(
            UserName="hub",
            PolicyName="hub",
            PolicyDocument=allow(
                ["sts:AssumeRole", "organizations:*"], deny=[f"arn:aws:iam::{denied}:role/*"]
            ),
        )
        hub = iam.create_access_key(UserName="hub")["AccessKey"]
        admin = iam.create_access_key(UserName="admin")["AccessKey"]
        trust = json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                           "Principal": {"AWS": f"arn:aws:iam::{HUB}:user/hub"}}],
        })  # fmt: skip
        for account in org.accounts.values():  # each account's own role, made in it
            account_iam = in_account("iam", url, account, role="setup")
            account_iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=trust)
            account_iam.put_role_policy(
                RoleName=ROLE, PolicyName="s3", PolicyDocument=allow(["s3:*"])
            )
        requests.post(f"{url}/moto-api/reset-auth", data=b"0", timeout=10).raise_for_status()
        yield Fleet(
            url,
            org,
            denied,
            (hub["AccessKeyId"], hub["SecretAccessKey"]),
            client("iam", url, admin["AccessKeyId"], admin["SecretAccessKey"]),
        )


def files(tmp_path: Path) -> list[str]:
    (tmp_path / "targets.yaml").write_text(TARGETS)
    (tmp_path / "baseline.yaml").write_text(SPEC)
    return ["-f", "baseline.yaml", "--targets", "targets.yaml"]


def shards_at_once(args: list[str], total: int, cwd: Path, env: dict[str, str]) -> list[int]:
    """``reconciler ARGS --shard K/TOTAL`` for every K, as separate processes at once."""
    running = [
        subprocess.Popen(
            [sys.executable, "-m", "reconciler", *args, "--shard", f"{k}/{total}"],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in range(1, total + 1)
    ]
    codes = []
    for process in running:
        _, err = process.communicate(timeout=300)
        assert "Traceback" not in err, err
        codes.append(process.returncode)
    return codes


def test_a_baseline_over_12_accounts_in_4_shards_then_the_denied_one_retried(
    fleet: Fleet, tmp_path: Path
) -> None:
    import os

    env = {**os.environ, **fleet.env(tmp_path)}
    args = files(tmp_path)
    listed = run_cli(
        "targets", "--targets", "targets.yaml", "--format", "json", cwd=tmp_path, env=env
    )
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout)["count"] == 24

    check = run_cli("targets", "check", "--targets", "targets.yaml", cwd=tmp_path, env=env)
    assert check.returncode == 1
    role = f"arn:aws:iam::{fleet.denied}:role/{ROLE}"
    assert f"✗ {fleet.denied}/us-east-1: denied: cannot assume role {role}: " in check.stdout
    assert check.stdout.count("can be assumed") == 22

    codes = shards_at_once(
        ["apply", *args, "--auto-approve", "--result", "results/"], 4, tmp_path, env
    )
    assert codes.count(1) == 1  # the shard holding the denied account
    assert set(codes) <= {0, 1}
    merged = run_cli(
        "merge", "results", "--format", "json", "-o", "fleet.json", cwd=tmp_path, env=env
    )
    assert merged.returncode == 1, merged.stderr
    report = json.loads((tmp_path / "fleet.json").read_text())
    assert report["status"] == "PARTIAL_SUCCESS"
    assert report["counts"] == {
        "total": 24, "succeeded": 22, "failed": 2, "drifted": 0, "in_sync": 0, "not_started": 0
    }  # fmt: skip
    ids = [t["target"] for t in report["targets"]]
    assert sorted(ids) == sorted(
        f"{a}/{r}" for a in fleet.selected for r in ("us-east-1", "eu-west-1")
    )
    failed = report["targets"][:2]
    assert {t["target"] for t in failed} == {
        f"{fleet.denied}/us-east-1",
        f"{fleet.denied}/eu-west-1",
    }
    assert {t["error_kind"] for t in failed} == {"denied"}
    assert failed[0]["reason"].startswith(
        f"cannot assume role arn:aws:iam::{fleet.denied}:role/{ROLE}: AccessDenied: "
    )
    for written in [*(tmp_path / "results").iterdir(), tmp_path / "fleet.json"]:
        assert fleet.hub_key[1] not in written.read_text()  # no secret in any file
    assert report["rollups"]["ou"]["/workloads/prod"]["total"] == 12
    assert report["rollups"]["region"]["eu-west-1"]["succeeded"] == 11

    # every other account holds its baseline, in each region, made with its own role
    for account in fleet.selected[1:]:
        assert fleet.buckets_in(account) == {
            f"logs-{account}-us-east-1": "us-east-1",
            f"logs-{account}-eu-west-1": "eu-west-1",
        }
    assert fleet.buckets_in(fleet.org.accounts["sandbox"]) == {}  # not selected
    drift = run_cli("drift", *args, "--shard", "1/1", "--format", "json", cwd=tmp_path, env=env)
    drifted = json.loads(drift.stdout)
    assert drifted["counts"]["in_sync"] == 22
    assert drifted["counts"]["failed"] == 2

    fleet.let_hub_assume_every_role()
    retried = run_cli(
        "apply", *args, "--auto-approve", "--retry-failed", "fleet.json", "--result", "retry/",
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert retried.returncode == 0, retried.stderr
    again = json.loads((tmp_path / "retry" / "apply-1-of-1-retry.json").read_text())
    assert sorted(t["target"] for t in again["targets"]) == sorted(t["target"] for t in failed)
    whole = run_cli("merge", "results", "retry", cwd=tmp_path, env=env)
    assert whole.returncode == 0, whole.stdout + whole.stderr
    assert whole.stdout.startswith("Fleet apply: SUCCEEDED: 24 target(s): 24 succeeded, 0 failed")


def test_a_failure_tolerance_of_0_stops_new_targets_after_the_first_failure(
    fleet: Fleet, tmp_path: Path
) -> None:
    import os

    env = {**os.environ, **fleet.env(tmp_path)}
    args = files(tmp_path)
    stopped = run_cli(
        "apply", *args, "--auto-approve", "--failure-tolerance", "0", "--max-concurrent", "1",
        "--region-order", "eu-west-1,us-east-1", "--result", "run.json",
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert stopped.returncode == 1
    result = json.loads((tmp_path / "run.json").read_text())
    outcomes = [(t["target"], t["outcome"]) for t in result["targets"]]
    first = f"{fleet.denied}/eu-west-1"  # the first target run: eu-west-1 goes first
    assert (first, "failed") in outcomes
    assert [o for _, o in outcomes].count("failed") == 1
    assert [o for _, o in outcomes].count("not_started") == 23
    assert result["rollout"]["exceeded"] is True
    reasons = {t["reason"] for t in result["targets"] if t["outcome"] == "not_started"}
    assert reasons == {
        "not started: more targets failed (1) than the failure tolerance allows (0, 0 of 24)"
    }
    merged = run_cli("merge", "run.json", "--format", "json", cwd=tmp_path, env=env)
    assert json.loads(merged.stdout)["status"] == "FAILED"

    fleet.let_hub_assume_every_role()
    retried = run_cli(
        "apply", *args, "--auto-approve", "--retry-failed", "run.json", "--result", "retry.json",
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert retried.returncode == 0, retried.stderr
    again = json.loads((tmp_path / "retry.json").read_text())
    assert [(t["target"], t["outcome"]) for t in again["targets"]] == [(first, "succeeded")]

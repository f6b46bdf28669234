"""plan, apply, drift and import over a fleet of listed accounts on the emulator (moto keeps
each account's buckets apart: a role assumed in an account works in it): a target's own
session and region, the result file, the fleet options refused where they mean nothing, two
targets of one account never sharing a stack, a spec that fails for every target reported
before any API call."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli import run_cli, user_env
from tests.fleet_org import in_account

FLEET = """\
version: 1
role: {name: deploy}
regions: [us-east-1, eu-west-1]
variables: {team: platform}
accounts:
  - {id: "111111111111", name: prod-a, variables: {team: web}}
  - {id: "222222222222", regions: [us-west-2]}
"""
SPEC = """\
version: 1
stack: base-${target.region}
buckets:
  base-${target.account}-${target.region}:
    versioning: enabled
    tags: {team: "${target.team}"}
"""


def setup(tmp_path: Path, spec: str = SPEC) -> tuple[Path, Path]:
    (tmp_path / "targets.yaml").write_text(FLEET)
    (tmp_path / "spec.yaml").write_text(spec)
    return tmp_path / "targets.yaml", tmp_path / "spec.yaml"


def env(tmp_path: Path, endpoint: str) -> dict[str, str]:
    return user_env(tmp_path, endpoint=endpoint, secret="hub-secret")


def buckets_of(endpoint: str, account: str) -> dict[str, str]:
    """The account's buckets and their regions, as boto3 reads them in the account."""
    s3 = in_account("s3", endpoint, account)
    return {
        b["Name"]: s3.get_bucket_location(Bucket=b["Name"])["LocationConstraint"] or "us-east-1"
        for b in s3.list_buckets()["Buckets"]
    }


def test_plan_apply_drift_over_a_fleet(endpoint: str, tmp_path: Path) -> None:
    targets, spec = setup(tmp_path)
    common = ["-f", str(spec), "--targets", str(targets)]
    planned = run_cli(
        "plan", *common, "--detailed-exitcode", cwd=tmp_path, env=env(tmp_path, endpoint)
    )
    assert planned.returncode == 2, planned.stderr
    assert "Fleet plan: SUCCEEDED: 3 target(s): 3 changes pending, 0 failed" in planned.stderr
    assert "~ 111111111111/eu-west-1 (prod-a): changes pending: Plan: 1 to create" in planned.stdout

    applied = run_cli(
        "apply", *common, "--auto-approve", "--result", "out/", cwd=tmp_path,
        env=env(tmp_path, endpoint),
    )  # fmt: skip
    assert applied.returncode == 0, applied.stderr
    assert "Result file: out/apply-1-of-1.json" in applied.stderr
    document = json.loads((tmp_path / "out" / "apply-1-of-1.json").read_text())
    assert [t["outcome"] for t in document["targets"]] == ["succeeded"] * 3
    assert document["targets"][0]["report"]["steps"][0] == {
        "address": "bucket.base-111111111111-us-east-1",
        "step": "bucket",
        "action": "create",
        "status": "done",
        "reason": None,
    }
    # each account holds its own buckets, each in its target's region
    assert buckets_of(endpoint, "111111111111") == {
        "base-111111111111-us-east-1": "us-east-1",
        "base-111111111111-eu-west-1": "eu-west-1",
    }
    assert buckets_of(endpoint, "222222222222") == {"base-222222222222-us-west-2": "us-west-2"}

    drift = run_cli("drift", *common, "--format", "json", cwd=tmp_path, env=env(tmp_path, endpoint))
    assert drift.returncode == 0, drift.stderr
    report = json.loads(drift.stdout)
    assert report["kind"] == "reconciler-fleet-report"
    assert report["counts"]["in_sync"] == 3
    assert report["stack"] is None  # each region its own stack
    assert {t["stack"] for t in report["targets"]} == {
        "base-us-east-1",
        "base-eu-west-1",
        "base-us-west-2",
    }


def test_the_fleet_refuses_what_would_go_wrong_before_any_call(
    endpoint: str, tmp_path: Path
) -> None:
    targets, spec = setup(tmp_path, SPEC.replace("base-${target.region}", "base"))
    common = ["-f", str(spec), "--targets", str(targets)]
    shared = run_cli(
        "plan", *common, "--log-level", "debug", cwd=tmp_path, env=env(tmp_path, endpoint)
    )
    assert shared.returncode == 1
    assert (
        "targets of one account share a stack, and so would prune each other's resources: "
        "111111111111/us-east-1 and 111111111111/eu-west-1 (stack 'base')" in shared.stderr
    )
    assert "-> 200" not in shared.stderr.split("targets of one account")[1]  # no S3 call
    no_approve = run_cli("apply", *common, cwd=tmp_path, env=env(tmp_path, endpoint))
    assert "an apply over a fleet asks no question: pass --auto-approve" in no_approve.stderr
    alone = run_cli(
        "plan", "-f", str(spec), "--shard", "1/2", cwd=tmp_path, env=env(tmp_path, endpoint)
    )
    assert alone.returncode == 1
    assert (
        "--shard: for a run over a fleet; give its targets file with --targets FILE" in alone.stderr
    )
    (tmp_path / "broken.yaml").write_text("version: 1\nstack: x-${target.nope}\n")
    broken = run_cli(
        "plan", "-f", "broken.yaml", "--targets", str(targets), "--log-level", "debug",
        cwd=tmp_path, env=env(tmp_path, endpoint),
    )  # fmt: skip
    assert broken.returncode == 1
    assert "broken.yaml:2:10: stack: the target has no variable 'nope'" in broken.stderr
    assert "-> 200" not in broken.stderr  # no API call at all


def test_import_writes_a_spec_per_target(endpoint: str, tmp_path: Path) -> None:
    targets, _ = setup(tmp_path)
    in_account("s3", endpoint, "111111111111").create_bucket(Bucket="legacy-111111111111")
    in_account("s3", endpoint, "222222222222").create_bucket(Bucket="legacy-222222222222")
    one = run_cli(
        "import", "--all-unmanaged", "--buckets-only", "--targets", str(targets), "-o", "x.yaml",
        cwd=tmp_path, env=env(tmp_path, endpoint),
    )  # fmt: skip
    assert "every target needs a file of its own; put {account} and {region}" in one.stderr
    done = run_cli(
        "import", "--all-unmanaged", "--buckets-only", "--stack", "legacy", "--targets",
        str(targets), "-o", "imported/{account}-{region}.yaml",
        cwd=tmp_path, env=env(tmp_path, endpoint),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    written = sorted(p.name for p in (tmp_path / "imported").iterdir())
    assert written == [
        "111111111111-eu-west-1.yaml",
        "111111111111-us-east-1.yaml",
        "222222222222-us-west-2.yaml",
    ]
    spec = (tmp_path / "imported" / "222222222222-us-west-2.yaml").read_text()
    assert "legacy-222222222222:" in spec
    assert "legacy-111111111111" not in spec  # each account's own


def test_validate_checks_the_spec_for_every_target_offline(tmp_path: Path) -> None:
    targets, spec = setup(tmp_path)
    offline = user_env(tmp_path, endpoint=None)
    done = run_cli(
        "validate", "-f", str(spec), "--targets", str(targets), cwd=tmp_path, env=offline
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "The spec is valid for every one of the fleet's 3 target(s).\n"
    (tmp_path / "long.yaml").write_text(
        "version: 1\nstack: s-${target.region}\nbuckets:\n"
        "  a-very-long-bucket-name-that-grows-past-sixty-three-${target.region}-xyz: {}\n"
    )
    wrong = run_cli(
        "validate", "-f", "long.yaml", "--targets", str(targets), cwd=tmp_path, env=offline
    )
    assert wrong.returncode == 1
    assert "Error: the spec has errors for 3 of 3 target(s)" in wrong.stderr
    assert "111111111111/eu-west-1: long.yaml:4:3: " in wrong.stderr

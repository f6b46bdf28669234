"""``reconciler plan`` and ``apply`` as a user and a CI job run them: real processes against the
emulator, their output and exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli import run_cli, user_env

SECRET = "cli-secret-never-printed"

SPEC = """\
version: 1
stack: cli
buckets:
  cli-logs: {object_ownership: BucketOwnerPreferred, acl: log-delivery-write}
  cli-site:
    versioning: enabled
    logging: {target_bucket: cli-logs, target_prefix: site/}
"""


@pytest.fixture
def env(endpoint: str, tmp_path: Path) -> dict[str, str]:
    (tmp_path / "reconciler.yaml").write_text(SPEC, encoding="utf-8")
    return user_env(tmp_path, endpoint=endpoint, secret=SECRET)


def test_plan_shows_the_ordered_creates_and_detailed_exitcode_says_changes(
    env: dict[str, str], tmp_path: Path
) -> None:
    done = run_cli("plan", "--detailed-exitcode", cwd=tmp_path, env=env)
    assert done.returncode == 2, done.stderr
    out = done.stdout
    assert out.index("+ bucket.cli-logs will be created in us-east-1") < out.index(
        "+ bucket.cli-site will be created"
    )
    assert "after: bucket.cli-logs" in out
    assert "Plan: 2 to create, 0 to update" in out
    assert "API requests (0 writes)" in done.stderr
    assert "\x1b[" not in out  # no colour when not on a terminal


def test_apply_without_a_terminal_refuses_and_changes_nothing(
    env: dict[str, str], tmp_path: Path, boto_s3: Any
) -> None:
    done = run_cli("apply", cwd=tmp_path, env=env)
    assert done.returncode == 1
    assert "pass --auto-approve" in done.stderr
    assert boto_s3.list_buckets()["Buckets"] == []


def test_apply_then_plan_shows_no_changes(env: dict[str, str], tmp_path: Path) -> None:
    applied = run_cli("apply", "--auto-approve", cwd=tmp_path, env=env)
    assert applied.returncode == 0, applied.stderr
    assert "done bucket.cli-site.logging (create)" in applied.stdout
    assert "Apply complete" in applied.stdout

    again = run_cli("plan", "--detailed-exitcode", cwd=tmp_path, env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "No changes for stack cli" in again.stdout
    assert "(0 writes)" in again.stderr


def test_a_saved_plan_is_applied_exactly_and_holds_no_secret(
    env: dict[str, str], tmp_path: Path, boto_s3: Any
) -> None:
    saved = tmp_path / "plan.json"
    planned = run_cli("plan", "--out", str(saved), cwd=tmp_path, env=env)
    assert planned.returncode == 0, planned.stderr
    document = json.loads(saved.read_text(encoding="utf-8"))
    assert document["format_version"] == "1"
    assert document["summary"]["create"] == 2
    assert document["spec_digest"].startswith("sha256:")
    assert document["spec"]["given"] == ["reconciler.yaml"]
    assert [f["path"] for f in document["spec"]["files"]] == ["reconciler.yaml"]

    applied = run_cli("apply", str(saved), cwd=tmp_path, env=env)
    assert applied.returncode == 0, applied.stderr
    status = boto_s3.get_bucket_versioning(Bucket="cli-site")["Status"]
    assert status == "Enabled"
    for text in (planned.stdout, planned.stderr, applied.stdout, applied.stderr, str(document)):
        assert SECRET not in text


def test_a_stale_saved_plan_is_refused(env: dict[str, str], tmp_path: Path, boto_s3: Any) -> None:
    assert run_cli("apply", "--auto-approve", cwd=tmp_path, env=env).returncode == 0
    boto_s3.put_bucket_versioning(
        Bucket="cli-site", VersioningConfiguration={"Status": "Suspended"}
    )
    saved = tmp_path / "plan.json"
    assert run_cli("plan", "--out", str(saved), cwd=tmp_path, env=env).returncode == 0
    boto_s3.put_bucket_versioning(Bucket="cli-site", VersioningConfiguration={"Status": "Enabled"})

    refused = run_cli("apply", str(saved), cwd=tmp_path, env=env)
    assert refused.returncode == 1
    assert (
        "bucket.cli-site (versioning) changed since it was made; run plan again" in refused.stderr
    )


def test_plan_json_is_the_plan_document(env: dict[str, str], tmp_path: Path) -> None:
    done = run_cli("plan", "--format", "json", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["mode"] == "plan"
    assert [c["address"] for c in document["changes"]] == ["bucket.cli-logs", "bucket.cli-site"]
    assert document["changes"][1]["depends_on"] == ["bucket.cli-logs"]


def test_plan_errors_name_the_resource_and_the_spec_position(
    env: dict[str, str], tmp_path: Path, boto_s3: Any
) -> None:
    boto_s3.create_bucket(Bucket="cli-site")
    boto_s3.put_bucket_tagging(
        Bucket="cli-site", Tagging={"TagSet": [{"Key": "reconciler:stack", "Value": "other"}]}
    )
    done = run_cli("apply", "--auto-approve", cwd=tmp_path, env=env)
    assert done.returncode == 1
    assert "reconciler.yaml:5:3: error: bucket.cli-site: the bucket belongs to stack 'other'" in (
        done.stdout
    )
    assert "Error: the plan has 1 error(s); nothing was changed" in done.stderr
    assert {b["Name"] for b in boto_s3.list_buckets()["Buckets"]} == {"cli-site"}


def test_a_bad_target_is_refused_before_credentials_are_needed(tmp_path: Path) -> None:
    (tmp_path / "reconciler.yaml").write_text(SPEC, encoding="utf-8")
    done = run_cli(
        "plan",
        "--target",
        "cli-site",
        cwd=tmp_path,
        env=user_env(tmp_path, endpoint=None),
    )
    assert done.returncode == 1
    assert (
        "--target takes resource addresses such as bucket.NAME, origin_access_control.NAME, "
        "distribution.NAME or content.NAME; not: cli-site" in done.stderr
    )


def test_show_renders_a_saved_plan_without_any_request(env: dict[str, str], tmp_path: Path) -> None:
    saved = tmp_path / "plan.json"
    planned = run_cli("plan", "--out", str(saved), cwd=tmp_path, env=env)
    assert planned.returncode == 0, planned.stderr
    # No endpoint, no credentials: show needs neither.
    offline = {**env, "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_ACCESS_KEY_ID": ""}
    shown = run_cli("show", str(saved), cwd=tmp_path, env=offline)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == planned.stdout
    as_json = run_cli("show", str(saved), "--format", "json", cwd=tmp_path, env=offline)
    assert json.loads(as_json.stdout) == json.loads(saved.read_text())
    markdown = run_cli("show", str(saved), "--format", "markdown", cwd=tmp_path, env=offline)
    assert markdown.stdout.startswith("<!-- reconciler plan: stack cli -->")


def test_a_spec_given_where_a_plan_is_expected_says_to_use_f(
    env: dict[str, str], tmp_path: Path
) -> None:
    for command in (["apply", "reconciler.yaml"], ["show", "reconciler.yaml"]):
        done = run_cli(*command, cwd=tmp_path, env=env)
        assert done.returncode == 1
        assert (
            "reconciler.yaml: this looks like a spec, not a saved plan; a spec is given with -f: "
            "reconciler apply -f reconciler.yaml"
        ) in done.stderr

"""``reconciler drift`` and ``plan --format markdown`` as a scheduled CI job and a pull-request
bot run them: real processes against the emulator, exit codes 0/2/1, reports on stdout or in a
file, human messages on stderr, the same Markdown for the same state."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.cli import run_cli, user_env
from tests.report_checks import valid_json_report

SECRET = "drift-secret-never-printed"

SPEC = """\
version: 1
stack: cli-drift
buckets:
  cli-drift-site: {tags: {env: prod}, versioning: enabled}
"""


@pytest.fixture
def env(endpoint: str, tmp_path: Path) -> dict[str, str]:
    (tmp_path / "reconciler.yaml").write_text(SPEC, encoding="utf-8")
    return user_env(tmp_path, endpoint=endpoint, secret=SECRET)


def test_exit_codes_say_in_sync_drift_and_error(
    env: dict[str, str], tmp_path: Path, boto_s3: Any
) -> None:
    missing = run_cli("drift", cwd=tmp_path, env=env)
    assert missing.returncode == 2, missing.stderr
    assert "bucket.cli-drift-site missing" in missing.stdout

    assert run_cli("apply", "--auto-approve", cwd=tmp_path, env=env).returncode == 0
    clean = run_cli("drift", "--format", "json", cwd=tmp_path, env=env)
    assert clean.returncode == 0, clean.stderr
    assert valid_json_report(clean.stdout)["summary"]["in_sync"] == 1

    boto_s3.put_bucket_versioning(
        Bucket="cli-drift-site", VersioningConfiguration={"Status": "Suspended"}
    )
    drifted = run_cli("drift", "--format", "json", cwd=tmp_path, env=env)
    assert drifted.returncode == 2
    (resource,) = valid_json_report(drifted.stdout)["resources"]
    assert resource["differences"] == [
        {"path": "versioning", "expected": "enabled", "actual": "suspended", "type": "not_equal"}
    ]
    for done in (missing, clean, drifted):
        assert SECRET not in done.stdout + done.stderr
        assert "\x1b[" not in done.stdout + done.stderr  # no colour, no progress off a terminal

    (tmp_path / "bad.yaml").write_text("version: 1\nstack: cli-drift\nbuckets: {Bad_Name: {}}\n")
    broken = run_cli("drift", "-f", "bad.yaml", "-o", "never.json", cwd=tmp_path, env=env)
    assert broken.returncode == 1
    assert "bad.yaml:3:" in broken.stderr
    assert not (tmp_path / "never.json").exists()

    nowhere = run_cli("drift", "--output", "no/such/dir/r.json", cwd=tmp_path, env=env)
    assert nowhere.returncode == 1
    assert "no/such/dir/r.json: cannot write the report: No such file or directory" in (
        nowhere.stderr
    )
    assert "Traceback" not in nowhere.stderr


def test_a_resource_of_another_stack_is_an_error_and_no_report(
    env: dict[str, str], tmp_path: Path, boto_s3: Any
) -> None:
    boto_s3.create_bucket(Bucket="cli-drift-site")
    boto_s3.put_bucket_tagging(
        Bucket="cli-drift-site",
        Tagging={"TagSet": [{"Key": "reconciler:stack", "Value": "other"}]},
    )
    done = run_cli("drift", "--output", "report.html", "--format", "html", cwd=tmp_path, env=env)
    assert done.returncode == 1
    assert "error: bucket.cli-drift-site: the bucket belongs to stack 'other'" in done.stderr
    assert not (tmp_path / "report.html").exists()


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "html", "junit"])
def test_output_writes_the_report_and_the_exit_code_still_tells_drift(
    fmt: str, env: dict[str, str], tmp_path: Path
) -> None:
    done = run_cli("drift", "--format", fmt, "--output", f"report.{fmt}", cwd=tmp_path, env=env)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert f"Report: report.{fmt}" in done.stderr
    assert "1 missing" in done.stderr
    written = (tmp_path / f"report.{fmt}").read_text(encoding="utf-8")
    assert "cli-drift-site" in written
    assert SECRET not in written
    if fmt == "json":
        assert json.loads(written)["summary"]["missing"] == 1


def test_plan_markdown_is_a_stable_pull_request_comment(
    env: dict[str, str], tmp_path: Path
) -> None:
    first = run_cli("plan", "--format", "markdown", cwd=tmp_path, env=env)
    second = run_cli("plan", "--format", "markdown", cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout  # a bot can update one comment in place
    lines = first.stdout.splitlines()
    assert lines[0] == "<!-- reconciler plan: stack cli-drift -->"
    assert "| create | 1 |" in lines
    assert "<summary><code>+</code> <code>bucket.cli-drift-site</code>: create in us-east-1" in (
        first.stdout
    )
    assert '| <code>versioning</code> | | <code>"enabled"</code> |' in lines
    assert (
        '| <code>tags</code> | | <code>{"env": "prod", "reconciler:stack": "cli-drift"}</code> |'
        in lines
    )
    assert "API requests" in first.stderr
    assert "API requests" not in first.stdout


def test_the_drift_page_says_when_against_what_and_how_to_fix(
    env: dict[str, str], endpoint: str, tmp_path: Path, boto_s3: Any
) -> None:
    from tests.report_checks import html_text

    assert run_cli("apply", "--auto-approve", cwd=tmp_path, env=env).returncode == 0
    boto_s3.put_bucket_tagging(
        Bucket="cli-drift-site",
        Tagging={
            "TagSet": [
                {"Key": "env", "Value": "dev"},
                {"Key": "reconciler:stack", "Value": "cli-drift"},
            ]
        },
    )
    done = run_cli(
        "drift",
        "-f",
        "reconciler.yaml",
        "--format",
        "html",
        "-o",
        "drift.html",
        cwd=tmp_path,
        env=env,
    )
    assert done.returncode == 2, done.stderr
    page = (tmp_path / "drift.html").read_text()
    text = html_text(page)
    host = endpoint.split("//", 1)[1]
    assert re.search(
        rf"Made \d{{4}}-\d\d-\d\d \d\d:\d\d UTC by reconciler \S+, against {re.escape(host)} "
        r"in us-east-1\.",
        text,
    ), text[:400]
    assert "To fix: reconciler apply -f reconciler.yaml" in text
    assert '<a href="#r-bucket-cli-drift-site">' in page
    assert 'id="r-bucket-cli-drift-site"' in page
    assert "differs" in text
    assert "not_equal" not in text


def test_all_aspects_reports_what_the_spec_leaves_out_and_is_set(
    env: dict[str, str], tmp_path: Path, boto_s3: Any
) -> None:
    assert run_cli("apply", "--auto-approve", cwd=tmp_path, env=env).returncode == 0
    statement = {
        "Sid": "ByHand",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::cli-drift-site/*",
    }
    boto_s3.put_bucket_policy(
        Bucket="cli-drift-site",
        Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
    )
    usual = run_cli("drift", "--format", "json", cwd=tmp_path, env=env)
    assert usual.returncode == 0  # the spec does not manage policies: not read, not reported
    assert valid_json_report(usual.stdout)["resources"][0]["differences"] == []

    everything = run_cli("drift", "--all-aspects", "--format", "json", cwd=tmp_path, env=env)
    assert everything.returncode == 0, everything.stderr  # seen, not drift
    (resource,) = valid_json_report(everything.stdout)["resources"]
    assert resource["status"] == "in_sync"
    [difference] = resource["differences"]
    assert (difference["path"], difference["expected"], difference["type"]) == (
        "policy",
        None,
        "unmanaged_aspect",
    )
    assert difference["actual"]["Statement"][0]["Sid"] == "ByHand"
    text = run_cli("drift", "--all-aspects", cwd=tmp_path, env=env)
    assert "= bucket.cli-drift-site in_sync" in text.stdout
    assert "policy: not in the spec, live has:" in text.stdout
    assert '"Sid": "ByHand"' in text.stdout

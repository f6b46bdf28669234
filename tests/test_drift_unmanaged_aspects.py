"""``drift --all-aspects`` on a bucket whose spec leaves policy out, after a policy was added by
hand: legible and usable in CI. The summary counts the resources with such aspects, every
format sets them apart from drift (their own label and colour in HTML, an icon in Markdown, a
note in text), the exit code stays 0 (seen, not drift), and ``--fail-on-unmanaged-aspects``
makes the run exit 2 on them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.report.drift_html import COLOURS, UNMANAGED_ASPECTS
from tests.cli import run_cli, user_env
from tests.report_checks import valid_json_report

SPEC = """\
version: 1
stack: aspects
buckets:
  aspects-site: {versioning: enabled}
  aspects-other: {versioning: enabled}
"""


@pytest.fixture
def env(endpoint: str, tmp_path: Path, boto_s3: Any) -> dict[str, str]:
    (tmp_path / "reconciler.yaml").write_text(SPEC)
    found = user_env(tmp_path, endpoint=endpoint, secret="aspects-secret")
    assert run_cli("apply", "--auto-approve", cwd=tmp_path, env=found).returncode == 0
    statement = {
        "Sid": "ByHand",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::aspects-site/*",
    }
    boto_s3.put_bucket_policy(
        Bucket="aspects-site",
        Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
    )
    return found


def test_unmanaged_aspects_are_counted_and_set_apart(env: dict[str, str], tmp_path: Path) -> None:
    shown = run_cli("drift", "--all-aspects", "--format", "json", cwd=tmp_path, env=env)
    assert shown.returncode == 0, shown.stderr  # seen, not drift
    report = valid_json_report(shown.stdout)
    assert report["all_aspects"] is True
    assert report["summary"]["unmanaged_aspects"] == 1
    assert report["summary"]["drifted"] == 0

    text = run_cli("drift", "--all-aspects", cwd=tmp_path, env=env).stdout
    assert text.splitlines()[0].endswith("; 1 with aspects set that the spec does not manage."), (
        text
    )
    assert "= bucket.aspects-site in_sync, 1 unmanaged aspect set (not drift)" in text
    assert "bucket.aspects-other" not in text  # in sync, nothing set by hand

    markdown = run_cli("drift", "--all-aspects", "--format", "markdown", cwd=tmp_path, env=env)
    assert "| 🔎 with unmanaged aspects set | 1 |" in markdown.stdout
    assert "in sync; 1 unmanaged aspect(s) set (not drift)" in markdown.stdout
    assert "1 with aspects set that the spec does not manage" in markdown.stdout

    page = run_cli("drift", "--all-aspects", "--format", "html", cwd=tmp_path, env=env).stdout
    assert f'id="r-bucket-aspects-site" style="--c: {UNMANAGED_ASPECTS}"' in page
    assert UNMANAGED_ASPECTS not in COLOURS.values()  # never the colour of drift
    assert f"--c: {COLOURS['drifted']}" not in page
    assert '<tr class="unmanaged-aspect"><td><code>policy</code>' in page
    assert "<td>in sync, unmanaged aspects set</td><td>1</td>" in page


def test_a_ci_run_can_fail_on_them(env: dict[str, str], tmp_path: Path) -> None:
    strict = run_cli("drift", "--fail-on-unmanaged-aspects", cwd=tmp_path, env=env)
    assert strict.returncode == 2, strict.stdout + strict.stderr  # implies --all-aspects
    assert "1 with aspects set that the spec does not manage" in strict.stdout
    plain = run_cli("drift", cwd=tmp_path, env=env)
    assert plain.returncode == 0  # without --all-aspects, policy is not even read
    assert (
        "unmanaged_aspects"
        not in run_cli("drift", "--format", "json", cwd=tmp_path, env=env).stdout
    )

"""The command line as a user runs it: a real process, its output and its exit code."""

from __future__ import annotations

from pathlib import Path

from tests.cli import run_cli


def test_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("reconciler, version ")


def test_demo_tells_the_whole_story_on_the_embedded_emulator() -> None:
    result = run_cli("demo")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "An S3 + CloudFront emulator is running on http://127.0.0.1:" in out
    assert "Plan: 4 to create, 0 to update" in out
    assert "Apply complete: 20 step(s) done." in out
    assert out.count("No changes for stack demo-web") == 3
    report = out.split("== 4.")[1].split("== 5.")[0]
    assert "Drift for stack demo-web: 3 drifted, 0 missing, 1 in sync of 4 managed." in report
    assert (
        'content.site["about/index.html"].content_type: expected "text/html; charset=utf-8", '
        'live has "text/plain"' in report
    )
    assert 'tags.env: expected "prod", live has "staging"' in report
    assert 'versioning: expected "enabled", live has "suspended"' in report
    assert 'comment: expected "demo site", live has "edited by hand"' in report
    drift = out.split("== 5.")[1].split("== 6.")[0]
    assert '~ tags.env: "staging" -> "prod"' in drift
    assert '~ versioning: "suspended" -> "enabled"' in drift
    assert '~ comment: "edited by hand" -> "demo site"' in drift
    assert "Plan: 0 to create, 3 to update" in drift
    assert "Apply complete: 7 step(s) done." in out
    version = out.split("== 8.")[1].split("== 9.")[0]  # exactly the paths that changed
    shown = [line.strip() for line in version.splitlines()]
    assert [line for line in shown if line.startswith(("~ c", "- c")) and "]." not in line] == [
        "~ content.site (s3://demo-web-site/) will be updated in place",
        '~ content.site["assets/site.css"]',
        '~ content.site["index.html"]',
        '- content.site["404.html"]:',
    ]
    assert "API requests in all, every one signed with SigV4." in out
    assert "demo-secret" not in out + result.stderr
    assert result.stderr == ""  # the emulator's access log stays quiet


def test_an_unknown_command_is_a_usage_error() -> None:
    result = run_cli("frobnicate")
    assert result.returncode != 0
    assert "No such command 'frobnicate'" in result.stderr


def test_debug_logging_shows_one_line_per_request_and_no_secret() -> None:
    result = run_cli("--log-level", "debug", "demo")
    assert result.returncode == 0, result.stderr
    request_lines = [line for line in result.stderr.splitlines() if "reconciler.aws:" in line]
    assert any("PUT /demo-web-site?tagging= -> 20" in line for line in request_lines)
    assert len(request_lines) == int(result.stdout.split("\n\n")[-1].split()[0])
    assert len(request_lines) == len(result.stderr.splitlines())  # nothing but those lines
    assert "demo-secret" not in result.stderr
    assert "Signature=" not in result.stderr


def test_var_files_apply_in_order_before_var_options(tmp_path: Path) -> None:
    (tmp_path / "reconciler.yaml").write_text(
        "version: 1\nstack: vf\nvars: {env: dev, days: 1}\nbuckets:\n"
        "  vf-${var.env}-data:\n    lifecycle: [{id: r, expiration: {days: '${var.days}'}}]\n"
    )
    (tmp_path / "common.yaml").write_text("env: staging\ndays: 30\n")
    (tmp_path / "prod.json").write_text('{"env": "prod"}')
    done = run_cli("validate", "--var-file", "common.yaml", "--var-file", "prod.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    shown = run_cli("permissions", "--var-file", "common.yaml", "--var", "env=qa", cwd=tmp_path)
    assert "arn:aws:s3:::vf-qa-data" in shown.stdout  # --var wins over the file
    validated = run_cli("validate", "--var-file", "prod.json", cwd=tmp_path)
    assert "1 bucket(s)" in validated.stdout
    (tmp_path / "bad.yaml").write_text("- not\n- a map\n")
    refused = run_cli("validate", "--var-file", "bad.yaml", cwd=tmp_path)
    assert refused.returncode == 1
    assert "--var-file bad.yaml: must hold a map of NAME: VALUE" in refused.stderr


def test_common_options_work_after_the_command(tmp_path: Path) -> None:
    (tmp_path / "reconciler.yaml").write_text("version: 1\nstack: opts\nbuckets:\n  opts-a: {}\n")
    env = {"AWS_ACCESS_KEY_ID": "AKIDX", "AWS_SECRET_ACCESS_KEY": "s", "AWS_REGION": "us-east-1"}
    after = run_cli(
        "plan",
        "--log-level",
        "debug",
        "--endpoint-url",
        "http://127.0.0.1:9",
        cwd=tmp_path,
        env=env,
    )
    before = run_cli(
        "--log-level",
        "debug",
        "--endpoint-url",
        "http://127.0.0.1:9",
        "plan",
        cwd=tmp_path,
        env=env,
    )
    for done in (after, before):
        assert done.returncode == 1
        assert "DEBUG reconciler.aws: GET /?max-buckets=10000 -> ConnectionError" in done.stderr
        assert "no answer from http://127.0.0.1:9" in done.stderr
    from_env = run_cli(
        "plan",
        "--endpoint-url",
        "http://127.0.0.1:9",
        cwd=tmp_path,
        env={**env, "RECONCILER_LOG_LEVEL": "debug"},
    )
    assert "DEBUG reconciler.aws" in from_env.stderr


def test_the_command_line_knows_every_drift_format() -> None:
    from reconciler.cli import DRIFT_FORMATS
    from reconciler.report.drift_formats import FORMATS

    assert DRIFT_FORMATS == FORMATS


def test_help_imports_no_client_planner_or_renderer() -> None:
    """`reconciler --help` starts fast: the commands import what they need when they run."""
    import subprocess
    import sys

    code = (
        "import sys, reconciler.cli; "
        "heavy = [m for m in sys.modules if m.startswith(('reconciler.aws', 'reconciler.plan', "
        "'reconciler.report', 'reconciler.live', 'reconciler.kinds.bucket.model', 'pydantic', "
        "'requests', 'urllib3'))]; print(heavy)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"

"""The command line as a user runs it: a real process, its output and its exit code."""

from __future__ import annotations

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
    assert "Plan: 3 to create, 0 to update" in out
    assert "Apply complete: 16 step(s) done." in out
    assert out.count("No changes for stack demo-web") == 2
    report = out.split("== 4.")[1].split("== 5.")[0]
    assert "Drift for stack demo-web: 2 drifted, 0 missing, 1 in sync of 3 managed." in report
    assert 'tags.env: expected "prod", live has "staging"' in report
    assert 'versioning: expected "enabled", live has "suspended"' in report
    assert 'comment: expected "demo site", live has "edited by hand"' in report
    drift = out.split("== 5.")[1].split("== 6.")[0]
    assert '~ env: "staging" -> "prod"' in drift
    assert '~ versioning: "suspended" -> "enabled"' in drift
    assert '~ comment: "edited by hand" -> "demo site"' in drift
    assert "Plan: 0 to create, 2 to update" in drift
    assert "Apply complete: 4 step(s) done." in out
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

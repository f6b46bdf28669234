"""The command line as a user runs it: a real process, its output and its exit code."""

from __future__ import annotations

from tests.cli import run_cli


def test_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("reconciler, version ")


def test_demo_runs_the_client_against_the_embedded_emulator() -> None:
    result = run_cli("demo")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Embedded S3 emulator listening on http://127.0.0.1:" in out
    assert "exists, region eu-west-1" in out
    assert "lifecycle:   rule 'expire-logs', prefix 'logs/', expire 90 d" in out
    assert "BucketNotEmpty raised: bucket.reconciler-demo-site: BucketNotEmpty" in out
    assert "API requests, all signed with SigV4." in out
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
    assert any("PUT /reconciler-demo-site?tagging= -> 20" in line for line in request_lines)
    assert len(request_lines) == int(result.stdout.split("\n\n")[-1].split()[0])
    assert len(request_lines) == len(result.stderr.splitlines())  # nothing but those lines
    assert "demo-secret" not in result.stderr
    assert "Signature=" not in result.stderr

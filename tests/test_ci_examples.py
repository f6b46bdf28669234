"""The CI examples: each parses as YAML, does what the GitOps story says (plan on review, apply
the saved plan on merge, a scheduled drift job with HTML and JUnit), and every ``reconciler``
invocation in their shell scripts is a command line the reconciler accepts."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from reconciler.cli import cli
from tests.cli import run_cli, user_env

CI = Path(__file__).parent.parent / "examples" / "ci"
SHELL_BREAKS = {"|", "||", "&&", ";", ">", ">>", "<", "2>", "2>>", "2>&1", "&"}


def github_scripts(doc: dict[str, Any]) -> list[str]:
    return [
        step["run"]
        for job in doc["jobs"].values()
        for step in job["steps"]
        if isinstance(step.get("run"), str)
    ]


def gitlab_scripts(doc: dict[str, Any]) -> list[str]:
    scripts = []
    for name, job in doc.items():
        if not isinstance(job, dict) or name in ("variables", "default"):
            continue
        for key in ("before_script", "script", "after_script"):
            scripts += [line for line in job.get(key, []) if isinstance(line, str)]
    scripts += doc.get("default", {}).get("before_script", [])
    return scripts


def invocations(script: str) -> list[list[str]]:
    """Each ``reconciler ...`` command in a shell script, as its argument list."""
    found = []
    joined = re.sub(r"\\\n\s*", " ", script)
    for raw in joined.splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        tokens = shlex.split(line)
        for index, token in enumerate(tokens):
            if token != "reconciler":
                continue
            args = []
            for arg in tokens[index + 1 :]:
                if arg in SHELL_BREAKS:
                    break
                args.append(arg)
            found.append(args)
    return found


def check_command_line(args: list[str]) -> click.Command:
    """Parses ``args`` as the reconciler would (options, choices, arguments); raises on error."""
    command = cli.get_command(click.Context(cli), args[0])
    assert command is not None, f"no command {args[0]!r}"
    command.make_context(args[0], list(args[1:]))
    return command


LOADERS = {"github-actions.yml": github_scripts, "gitlab-ci.yml": gitlab_scripts}


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_every_reconciler_invocation_is_a_valid_command_line(name: str) -> None:
    doc = yaml.safe_load((CI / name).read_text(encoding="utf-8"))
    calls = [args for script in LOADERS[name](doc) for args in invocations(script)]
    commands = sorted({args[0] for args in calls})
    assert commands == ["apply", "drift", "plan", "validate"]
    for args in calls:
        check_command_line(args)
    plans = [a for a in calls if a[0] == "plan" and "--out" in a]
    assert plans, "a saved plan on review"
    assert all("--format" in a and a[a.index("--format") + 1] == "markdown" for a in plans)
    assert ["apply", "plan.json"] in calls  # exactly the saved plan, no prompt, on merge
    formats = {a[a.index("--format") + 1] for a in calls if a[0] == "drift"}
    assert {"html", "junit"} <= formats
    assert all("--output" in a for a in calls if a[0] == "drift" and "markdown" not in a)


SCHEMAS = {"github-actions.yml": "vendor.github-workflows", "gitlab-ci.yml": "vendor.gitlab-ci"}


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_each_example_is_valid_by_the_schema_its_forge_publishes(name: str) -> None:
    """check-jsonschema's copies of GitHub's workflow schema and GitLab's CI schema (offline)."""
    done = subprocess.run(
        [str(Path(sys.executable).parent / "check-jsonschema"), "--builtin-schema", SCHEMAS[name],
         str(CI / name)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok -- validation done" in done.stdout


def test_the_schema_check_fails_a_broken_workflow(tmp_path: Path) -> None:
    text = (CI / "github-actions.yml").read_text(encoding="utf-8")
    assert text.count("cancel-in-progress: false") == 1
    broken = tmp_path / "workflow.yml"
    broken.write_text(text.replace("cancel-in-progress: false", "cancel-in-progress: later"))
    done = subprocess.run(
        [str(Path(sys.executable).parent / "check-jsonschema"), "--builtin-schema",
         SCHEMAS["github-actions.yml"], str(broken)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert "cancel-in-progress" in done.stdout + done.stderr


def test_the_checker_refuses_what_the_reconciler_would() -> None:
    for wrong in (
        ["drift", "--format", "pdf"],
        ["plan", "--outfile", "x"],
        ["deploy"],
        ["apply", "a.json", "b.json"],
    ):
        with pytest.raises((click.UsageError, AssertionError)):
            check_command_line(wrong)


def test_a_shell_script_is_split_into_its_invocations() -> None:
    script = (
        'set +e\nreconciler plan -f "$SPEC" --out plan.json \\\n  --format markdown > plan.md\n'
        "code=$?  # keep it\necho done && reconciler drift --format junit -o d.xml | tee x\n"
    )
    assert invocations(script) == [
        ["plan", "-f", "$SPEC", "--out", "plan.json", "--format", "markdown"],
        ["drift", "--format", "junit", "-o", "d.xml"],
    ]


# -- authentication as the examples set it up ------------------------------------------------


SPEC = "version: 1\nstack: ci-auth\nbuckets:\n  ci-auth-site: {versioning: enabled}\n"


def test_the_gitlab_example_authenticates_as_written(endpoint: str, tmp_path: Path) -> None:
    """The before_script's lines (all but the install) put GitLab's OIDC token in a file and
    name it; with the role in AWS_ROLE_ARN the reconciler finds them (AssumeRoleWithWebIdentity,
    unsigned) with no keys anywhere.

    Against the plain emulator: moto with IAM enforcement on answers every unsigned STS call
    (AssumeRoleWithWebIdentity included, which AWS takes unsigned) with a 500. The request's
    exact shape is pinned in test_credential_sources."""
    doc = yaml.safe_load((CI / "gitlab-ci.yml").read_text(encoding="utf-8"))
    setup = [line for line in doc["default"]["before_script"] if not line.startswith("pip ")]
    assert any("$AWS_OIDC_TOKEN" in line for line in setup)
    (tmp_path / "reconciler.yaml").write_text(SPEC)
    env = {
        **user_env(tmp_path, endpoint=None),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_REGION": str(doc["variables"]["AWS_REGION"]),
        "AWS_OIDC_TOKEN": "eyJhbGciOiJSUzI1NiJ9.gitlab-oidc-token.sig",  # from id_tokens
        "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/gitlab-reconciler",
        "CI_JOB_ID": "4242",
    }
    script = "\n".join([*setup, "reconciler --log-level debug plan --detailed-exitcode"])
    done = subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=tmp_path,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr  # changes: the bucket is to be created
    assert "POST / -> 200" in done.stderr  # the STS call
    assert "gitlab-oidc-token" not in done.stdout + done.stderr


def test_the_github_example_authenticates_as_written(endpoint: str, tmp_path: Path) -> None:
    """aws-actions/configure-aws-credentials exports temporary keys with a session token."""
    doc = yaml.safe_load((CI / "github-actions.yml").read_text(encoding="utf-8"))
    steps = [s for job in doc["jobs"].values() for s in job["steps"]]
    assert any("configure-aws-credentials" in str(s.get("uses", "")) for s in steps)
    (tmp_path / "reconciler.yaml").write_text(SPEC)
    env = {
        **user_env(tmp_path, endpoint=endpoint),
        "AWS_ACCESS_KEY_ID": "ASIAGITHUBACTIONS",
        "AWS_SECRET_ACCESS_KEY": "github-temporary-secret",
        "AWS_SESSION_TOKEN": "github-session-token",
        "AWS_REGION": doc["env"]["AWS_REGION"],
    }
    done = run_cli("plan", "--detailed-exitcode", cwd=tmp_path, env=env)
    assert done.returncode == 2, done.stderr

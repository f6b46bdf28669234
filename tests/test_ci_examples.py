"""The CI examples: each parses as YAML, does what the GitOps story says (plan on review, apply
the saved plan on merge, a scheduled drift job with HTML and JUnit), and every ``reconciler``
invocation in their shell scripts is a command line the reconciler accepts."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from reconciler.cli import cli
from tests.cli import run_cli, user_env

CI = Path(__file__).parent.parent / "examples" / "ci"
SHELL_BREAKS = {"|", "||", "&&", ";", ">", ">>", "<", "2>", "2>&1", "&"}


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
    """GitLab's OIDC token in the file its variables name, the role in AWS_ROLE_ARN: the
    reconciler finds them (AssumeRoleWithWebIdentity, unsigned) with no keys anywhere.

    Against the plain emulator: moto with IAM enforcement on answers every unsigned STS call
    (AssumeRoleWithWebIdentity included, which AWS takes unsigned) with a 500. The request's
    exact shape is pinned in test_credential_sources."""
    doc = yaml.safe_load((CI / "gitlab-ci.yml").read_text(encoding="utf-8"))
    variables = {k: str(v) for k, v in doc["variables"].items()}
    token_file = tmp_path / Path(variables["AWS_WEB_IDENTITY_TOKEN_FILE"]).name
    # What the before_script does: the job's OIDC token into the file, a session name exported.
    assert (
        'echo "$AWS_OIDC_TOKEN" > "$AWS_WEB_IDENTITY_TOKEN_FILE"' in doc["default"]["before_script"]
    )
    token_file.write_text("eyJhbGciOiJSUzI1NiJ9.gitlab-oidc-token.sig\n")
    (tmp_path / "reconciler.yaml").write_text(SPEC)
    env = {
        **user_env(tmp_path, endpoint=None),
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_REGION": variables["AWS_REGION"],
        "AWS_WEB_IDENTITY_TOKEN_FILE": str(token_file),
        "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/gitlab-reconciler",
        "AWS_ROLE_SESSION_NAME": "gitlab-4242",
    }
    done = run_cli("--log-level", "debug", "plan", "--detailed-exitcode", cwd=tmp_path, env=env)
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

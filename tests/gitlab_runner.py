"""The GitLab CI example run as GitLab would run it, by gitlab-ci-local (a real runner, shell
executor) in a git repository of the test's making: a project whose origin is the GitLab API
stand-in (so CI_API_V4_URL points at it), with the example as its .gitlab-ci.yml and the
project's own reconciler on the PATH."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
CI = ROOT / "examples" / "ci"
RUNNER = ROOT / ".ci" / "node" / "node_modules" / ".bin" / "gitlab-ci-local"
TOKEN = "glpat-stand-in-token-never-printed"
OIDC_TOKEN = "eyJhbGciOiJSUzI1NiJ9.gitlab-oidc-token.sig"
PLAN_ROLE = "arn:aws:iam::123456789012:role/reconciler-plan"
APPLY_ROLE = "arn:aws:iam::123456789012:role/reconciler-apply"


def runner() -> Path:
    """gitlab-ci-local as .ci/run installs it; skipped only where there is no Node.js."""
    if shutil.which("node") is None:
        pytest.skip("Node.js is not installed: gitlab-ci-local (an npm package) cannot run")
    if not RUNNER.exists():
        pytest.fail(
            "gitlab-ci-local is not installed: npm ci --prefix .ci/node (make test and .ci/run do)",
            pytrace=False,
        )
    if shutil.which("rsync") is None:
        pytest.fail("gitlab-ci-local needs rsync: apt-get install rsync (.ci/run does)")
    return RUNNER


@dataclass
class Pipeline:
    returncode: int
    output: str
    jobs: dict[str, str]  # job name -> "PASS" / "FAIL", the jobs that ran
    state: Path

    def artifacts(self, job: str) -> Path:
        return self.state / "artifacts" / job

    def log(self, job: str) -> str:
        return (self.state / "output" / f"{job}.log").read_text(encoding="utf-8")


class Project:
    """A GitLab project's repository: main, merge-request branches, merges."""

    def __init__(self, root: Path, gitlab_url: str, endpoint: str) -> None:
        self.root = root
        self.endpoint = endpoint
        root.mkdir()
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.email", "ci@example.com")
        self.git("config", "user.name", "CI")
        self.git("remote", "add", "origin", f"{gitlab_url}/acme/infra.git")
        shutil.copy(CI / "gitlab-ci.yml", root / ".gitlab-ci.yml")
        (root / "ci").mkdir()
        shutil.copy(CI / "reconciler_ci.py", root / "ci" / "reconciler_ci.py")

    def git(self, *args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=self.root, capture_output=True, text=True, check=True, timeout=60
        )
        return done.stdout.strip()

    def commit(self, message: str, files: dict[str, str]) -> str:
        for name, text in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD")

    def pushed(self) -> None:
        """origin/main is where main is (what rules:changes compares with)."""
        self.git("update-ref", "refs/remotes/origin/main", self.git("rev-parse", "main"))
        self.git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main")

    def branch(self, name: str) -> None:
        self.git("checkout", "-q", "-b", name, "main")

    def merge(self, branch: str) -> str:
        self.git("checkout", "-q", "main")
        self.git("merge", "-q", "--no-ff", "-m", f"Merge branch '{branch}'", branch)
        return self.git("rev-parse", "HEAD")

    def pipeline(
        self,
        source: str,
        merge_request: int | None = None,
        *,
        extra: dict[str, str] | None = None,
    ) -> Pipeline:
        """Run the whole pipeline for this event, as gitlab-ci-local evaluates its rules
        (``extra``: more CI/CD variables)."""
        state = self.root / ".gitlab-ci-local"
        shutil.rmtree(state, ignore_errors=True)  # each pipeline starts with no artifacts
        variables = {
            "CI_PIPELINE_SOURCE": source,
            "AWS_PLAN_ROLE_ARN": PLAN_ROLE,
            "AWS_APPLY_ROLE_ARN": APPLY_ROLE,
            "AWS_OIDC_TOKEN": OIDC_TOKEN,  # GitLab makes it from id_tokens
            "GITLAB_API_TOKEN": TOKEN,
            **(extra or {}),
        }
        unset = []
        if merge_request is not None:
            variables["CI_MERGE_REQUEST_IID"] = str(merge_request)
            unset.append("CI_COMMIT_BRANCH")  # not set in merge-request pipelines
        args = [str(runner()), "--force-shell-executor", "--shell-isolation", "--no-color"]
        args += ["--ignore-predefined-vars", "CI_PIPELINE_SOURCE"]
        # The schemas GitLab publishes are checked by check-jsonschema (test_ci_examples).
        args += ["--no-json-schema-validation"]
        args += ["--no-artifacts-to-source"]  # artifacts stay in the runner, as on GitLab
        for name, value in variables.items():
            args += ["--variable", f"{name}={value}"]
        for name in unset:
            args += ["--unset-variable", name]
        done = subprocess.run(
            args,
            cwd=self.root,
            env=self._env(),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        output = done.stdout + done.stderr
        jobs = {m.group(2): m.group(1) for m in re.finditer(r"^ (PASS|FAIL) +(\S+)", output, re.M)}
        return Pipeline(done.returncode, output, jobs, state)

    def _env(self) -> dict[str, str]:
        """The runner machine: the project's own reconciler on the PATH (pip finds it installed
        and reaches no index), the emulator as AWS, no keys and no AWS files."""
        nowhere = str(self.root.parent / "no-aws-files")
        node = Path(shutil.which("node") or "/usr/bin/node").parent
        home = self.root.parent / "runner-home"
        home.mkdir(exist_ok=True)
        return {
            "PATH": os.pathsep.join(
                [str(Path(sys.executable).parent), str(node), "/usr/bin", "/bin"]
            ),
            "HOME": str(home),
            "LANG": "C.UTF-8",
            "PIP_NO_INDEX": "1",
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_CONFIG_FILE": nowhere,
            "AWS_SHARED_CREDENTIALS_FILE": nowhere,
            "AWS_EC2_METADATA_DISABLED": "true",
        }

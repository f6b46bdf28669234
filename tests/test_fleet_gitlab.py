"""The fleet's GitLab pipeline run by gitlab-ci-local (shell executor) against the emulator: a
push to the default branch lists the fleet (accounts from the emulator's Organizations) and
writes the child pipeline, the trigger job runs it (a job per shard by parallel:matrix, then
the merge), and the fleet report says every target applied, each once. The jobs get no AWS
keys: the hub role comes from the job's OIDC token (AssumeRoleWithWebIdentity)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.fleet_org import make_org
from tests.gitlab_runner import OIDC_TOKEN, Project, runner

FLEET = Path(__file__).parent.parent / "examples" / "fleet"
HUB_ROLE = "arn:aws:iam::123456789012:role/reconciler-hub"


class FleetProject(Project):
    """A repository holding the fleet example: its pipeline, the shard template, the targets
    file and the baseline in fleet/."""

    def __init__(self, root: Path, endpoint: str) -> None:
        self.root = root
        self.endpoint = endpoint
        root.mkdir()
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.email", "ci@example.com")
        self.git("config", "user.name", "CI")
        self.git("remote", "add", "origin", "https://gitlab.example.com/acme/fleet.git")
        shutil.copy(FLEET / "gitlab-ci.yml", root / ".gitlab-ci.yml")
        (root / "fleet").mkdir()
        for name in ("gitlab-fleet-shard.yml", "targets.yaml", "baseline.yaml"):
            shutil.copy(FLEET / name, root / "fleet" / name)


def merged_report(project: FleetProject) -> str:
    """The child pipeline's fleet-report artifact (gitlab-ci-local keeps the jobs' artifacts
    by their name under its state folder)."""
    found = sorted((project.root / ".gitlab-ci-local").rglob("fleet-report.json"))
    assert found, "no fleet-report.json artifact"
    return found[0].read_text()


@pytest.fixture
def project(tmp_path: Path, endpoint: str) -> FleetProject:
    runner()  # skipped without Node.js
    project = FleetProject(tmp_path / "project", endpoint)
    project.commit("The fleet", {})
    project.pushed()
    return project


def test_the_fleet_pipeline_applies_every_shard_then_merges(
    project: FleetProject, endpoint: str
) -> None:
    org = make_org(endpoint, {
        "/workloads/web": [("web-a", {"baseline": "on"}), ("web-b", {"baseline": "on"})],
        "/workloads/data": [
            ("data-a", {"baseline": "on"}),
            ("old", {"baseline": "on", "frozen": "y"}),
        ],
    })  # fmt: skip
    # The project's CI/CD variables, which GitLab gives child pipelines too (gitlab-ci-local
    # reads them from this file for every pipeline; --variable reaches the parent only).
    variables = {
        "HUB_ROLE_ARN": HUB_ROLE,
        "RECONCILER_EXTERNAL_ID": "fleet-external-id",
        "AWS_OIDC_TOKEN": OIDC_TOKEN,  # GitLab makes it from id_tokens
        "SHARDS": "3",
    }
    (project.root / ".gitlab-ci-local-variables.yml").write_text(json.dumps(variables))
    pipeline = project.pipeline("push", extra={"CI_COMMIT_BRANCH": "main"})
    assert pipeline.returncode == 0, pipeline.output
    assert pipeline.jobs["fleet-targets"] == "PASS", pipeline.output
    child = re.findall(r"^ (PASS|FAIL) +\[fleet\] -> (.+?)\s*$", pipeline.output, re.M)
    assert sorted(child) == [
        ("PASS", "fleet-report"),
        ("PASS", "reconciler-shard: [1/3]"),
        ("PASS", "reconciler-shard: [2/3]"),
        ("PASS", "reconciler-shard: [3/3]"),
    ], pipeline.output
    report = json.loads(merged_report(project))
    selected = {org.accounts[n] for n in ("web-a", "web-b", "data-a")} | {"210987654321"}
    assert {t["account"] for t in report["targets"]} == selected
    assert report["counts"]["total"] == 7  # 3 accounts x 2 regions, and log-archive's one
    assert report["counts"]["succeeded"] == 7
    assert report["status"] == "SUCCEEDED"
    assert report["shards"] == {"total": 3, "found": [1, 2, 3], "missing": []}
    assert "fleet-external-id" not in pipeline.output

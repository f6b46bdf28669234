"""The GitLab CI example, run by gitlab-ci-local (shell executor) against the emulator and a
stand-in for GitLab's API: a merge-request pipeline plans and posts the note (updated in place,
and saying why when the plan fails); the push pipeline of the merge on the default branch
fetches the plan of exactly the merged merge request and applies it, and refuses one made from
another; a scheduled pipeline's drift job fails on drift and passes in sync.

The jobs get no AWS keys: each reconciler call exchanges the job's OIDC token for the job's
role (AssumeRoleWithWebIdentity, which the emulator records), so the tests also see which role
each job used."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from tests.cli import run_cli, user_env
from tests.gitlab_api import GitLab, gitlab_api
from tests.gitlab_runner import APPLY_ROLE, CI, PLAN_ROLE, TOKEN, Project, runner

MAIN = "version: 1\nstack: acme\nbuckets:\n  acme-ci-logs: {tags: {team: web}}\n"
SITE = MAIN + "  acme-ci-site: {versioning: enabled}\n"
ARCHIVE = MAIN + "  acme-ci-archive: {versioning: suspended}\n"
MARKER = "<!-- reconciler ci: infra -->"


@pytest.fixture
def gitlab() -> Iterator[GitLab]:
    runner()  # skipped without Node.js, before anything starts
    with gitlab_api(TOKEN) as api:
        yield api


@pytest.fixture
def project(tmp_path: Path, gitlab: GitLab, endpoint: str) -> Project:
    """main holds one bucket, applied; the runner's origin/main is there."""
    project = Project(tmp_path / "project", gitlab.url, endpoint)
    project.commit("The logs bucket", {"infra/acme.yaml": MAIN})
    project.pushed()
    (tmp_path / "desk").mkdir()
    (tmp_path / "desk" / "reconciler.yaml").write_text(MAIN, encoding="utf-8")
    applied = run_cli(
        "apply",
        "--auto-approve",
        cwd=tmp_path / "desk",
        env={**user_env(tmp_path, endpoint=endpoint, secret="s"), "AWS_REGION": "eu-west-1"},
    )
    assert applied.returncode == 0, applied.stderr
    return project


def assumed_roles(endpoint: str) -> list[str]:
    """The roles the emulator's STS handed out, in order."""
    data = requests.get(f"{endpoint}/moto-api/data.json", timeout=10).json()
    return [r["role_arn"] for r in data.get("sts", {}).get("AssumedRole", [])]


def buckets(boto_s3: Any) -> set[str]:
    return {b["Name"] for b in boto_s3.list_buckets()["Buckets"]}


def planned_merge_request(project: Project, gitlab: GitLab, iid: int, spec: str) -> str:
    """A merge request from branch mr-IID changing the spec; its pipeline ran and passed."""
    project.branch(f"mr-{iid}")
    head = project.commit(f"Change {iid}", {"infra/acme.yaml": spec})
    gitlab.open_merge_request(iid, f"mr-{iid}", head)
    pipeline = project.pipeline("merge_request_event", merge_request=iid)
    assert pipeline.jobs == {"plan": "PASS"}, pipeline.output
    gitlab.pipeline_ran(iid, head, "success", {"plan": pipeline.artifacts("plan")})
    project.git("checkout", "-q", "main")
    return head


def test_a_merge_request_is_planned_and_exactly_its_plan_applied_on_merge(
    project: Project, gitlab: GitLab, endpoint: str, boto_s3: Any
) -> None:
    project.branch("mr-1")
    first = project.commit("A site bucket", {"infra/acme.yaml": SITE.replace("enabled", "x")})
    gitlab.open_merge_request(1, "mr-1", first)
    roles = len(assumed_roles(endpoint))

    # A broken spec: the plan job fails, and the note says why, with the file position.
    failed = project.pipeline("merge_request_event", merge_request=1)
    assert failed.jobs == {"plan": "FAIL"}, failed.output  # no apply, no drift in an MR
    (note,) = gitlab.notes[1]
    assert note["body"].startswith(f"{MARKER}\n### reconciler plan failed (exit 1)")
    assert "infra/acme.yaml:5:30: buckets.acme-ci-site.versioning" in note["body"]
    gitlab.pipeline_ran(1, first, "failed", {"plan": failed.artifacts("plan")})

    # Fixed: the plan is the note, updated in place; plan.json is kept.
    head = project.commit("Fix the versioning", {"infra/acme.yaml": SITE})
    gitlab.pushed(1, head)
    planned = project.pipeline("merge_request_event", merge_request=1)
    assert planned.jobs == {"plan": "PASS"}, planned.output
    markdown = (planned.artifacts("plan") / "plan.md").read_text(encoding="utf-8")
    assert [n["body"] for n in gitlab.notes[1]] == [f"{MARKER}\n{markdown}"]
    assert "<code>bucket.acme-ci-site</code>: create" in markdown
    saved = json.loads((planned.artifacts("plan") / "plan.json").read_text(encoding="utf-8"))
    assert [c["address"] for c in saved["changes"]] == ["bucket.acme-ci-site"]
    gitlab.pipeline_ran(1, head, "success", {"plan": planned.artifacts("plan")})
    assert buckets(boto_s3) == {"acme-ci-logs"}  # planning wrote nothing
    assert set(assumed_roles(endpoint)[roles:]) == {PLAN_ROLE}

    # Merged: the push pipeline on main runs apply alone, with the plan of !1's head.
    merge = project.merge("mr-1")
    gitlab.merged(1, merge)
    roles = len(assumed_roles(endpoint))
    applied = project.pipeline("push")
    assert applied.jobs == {"apply": "PASS"}, applied.output
    assert f"the plan of merge request !1 (head {head[:12]})" in applied.log("apply")
    assert "No changes for stack acme" in applied.log("apply")  # the check after it
    assert buckets(boto_s3) == {"acme-ci-logs", "acme-ci-site"}
    assert boto_s3.get_bucket_versioning(Bucket="acme-ci-site")["Status"] == "Enabled"
    assert set(assumed_roles(endpoint)[roles:]) == {APPLY_ROLE}
    assert TOKEN not in applied.output + planned.output + failed.output


def test_the_apply_refuses_a_plan_made_from_another_merge_request(
    project: Project, gitlab: GitLab, boto_s3: Any
) -> None:
    planned_merge_request(project, gitlab, 1, SITE)
    planned_merge_request(project, gitlab, 2, ARCHIVE)
    gitlab.merged(1, project.merge("mr-1"))
    # What GitLab hands back as !1's plan is !2's (an artifact swapped or mixed up).
    one, two = gitlab.pipelines
    one.jobs[0].artifacts["plan.json"] = two.jobs[0].artifacts["plan.json"]

    applied = project.pipeline("push")
    assert applied.jobs == {"apply": "FAIL"}, applied.output
    refused = applied.log("apply")
    assert "plan.json: the plan was made from a different spec: infra/acme.yaml changed" in refused
    assert "Apply results" not in refused
    assert buckets(boto_s3) == {"acme-ci-logs"}  # neither !1's bucket nor !2's


def test_a_commit_that_merged_no_merge_request_applies_nothing(
    project: Project, gitlab: GitLab, boto_s3: Any
) -> None:
    planned_merge_request(project, gitlab, 1, SITE)  # planned, never merged
    project.commit("Pushed straight to main", {"infra/acme.yaml": ARCHIVE})

    applied = project.pipeline("push")
    assert applied.jobs == {"apply": "FAIL"}, applied.output
    log = applied.log("apply")
    assert "merged 0 merge requests, not one: no reviewed plan to apply" in log
    assert "reconciler apply" not in log.split("gitlab-fetch-plan", 1)[1]  # never reached
    assert buckets(boto_s3) == {"acme-ci-logs"}


def test_the_scheduled_drift_job_passes_in_sync_and_fails_on_drift(
    project: Project, endpoint: str, boto_s3: Any
) -> None:
    roles = len(assumed_roles(endpoint))
    in_sync = project.pipeline("schedule")
    assert in_sync.jobs == {"drift": "PASS"}, in_sync.output  # drift alone on a schedule
    assert set(assumed_roles(endpoint)[roles:]) == {PLAN_ROLE}

    tags = [{"Key": "reconciler:stack", "Value": "acme"}, {"Key": "team", "Value": "ops"}]
    boto_s3.put_bucket_tagging(Bucket="acme-ci-logs", Tagging={"TagSet": tags})
    drifted = project.pipeline("schedule")
    assert drifted.jobs == {"drift": "FAIL"}, drifted.output
    assert drifted.returncode != 0
    assert "live state drifted from the spec" in drifted.log("drift")
    reports = drifted.artifacts("drift")
    assert {p.name for p in reports.iterdir()} == {"drift.html", "drift.md", "drift.xml"}
    assert 'failures="1"' in (reports / "drift.xml").read_text(encoding="utf-8")


def test_two_applies_never_overlap() -> None:
    """GitLab runs the jobs of one resource group one at a time, in order; none is dropped."""
    doc = yaml.safe_load((CI / "gitlab-ci.yml").read_text(encoding="utf-8"))
    assert doc["apply"]["resource_group"] == "production"
    assert doc["apply"]["dependencies"] == []  # no artifacts but the merged request's plan

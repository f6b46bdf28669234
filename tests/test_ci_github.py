"""The GitHub Actions example's scripts, run for the three events it handles (a pull request,
the push to main of its merge, the nightly schedule) with the environment GitHub gives, against
the emulator and a stand-in for GitHub's REST API (tests/github_runner.py says what is played
and how): the plan comment (updated in place, and saying why when the plan fails), the plan of
exactly the merged pull request applied on merge (never another's, and nothing on a direct
push), the drift job failing on drift; and the workflow's concurrency and permissions."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli import run_cli, user_env
from tests.github_api import GitHub, github_api
from tests.github_runner import VARIABLES, ExpressionError, Job, Runner, condition, evaluate

MAIN = "version: 1\nstack: acme\nbuckets:\n  acme-gh-logs: {tags: {team: web}}\n"
SITE = MAIN + "  acme-gh-site: {versioning: enabled}\n"
ARCHIVE = MAIN + "  acme-gh-archive: {versioning: suspended}\n"
MARKER = "<!-- reconciler ci: infra -->"
PLAN_ROLE, APPLY_ROLE = VARIABLES["AWS_PLAN_ROLE_ARN"], VARIABLES["AWS_APPLY_ROLE_ARN"]


@pytest.fixture
def github() -> Iterator[GitHub]:
    with github_api("ghs_stand-in-token") as api:
        yield api


@pytest.fixture
def runner(tmp_path: Path, github: GitHub, endpoint: str) -> Runner:
    """main holds one bucket, applied."""
    desk = tmp_path / "desk"
    desk.mkdir()
    (desk / "reconciler.yaml").write_text(MAIN, encoding="utf-8")
    env = {**user_env(tmp_path, endpoint=endpoint, secret="s"), "AWS_REGION": "eu-west-1"}
    applied = run_cli("apply", "--auto-approve", cwd=desk, env=env)
    assert applied.returncode == 0, applied.stderr
    return Runner(tmp_path / "runner", github, endpoint)


def commit(runner: Runner, spec: str, parent: str = "") -> str:
    sha = hashlib.sha1(f"{parent}\n{spec}".encode(), usedforsecurity=False).hexdigest()
    runner.commits[sha] = {"infra/acme.yaml": spec}
    return sha


def pull_request(runner: Runner, number: int, spec: str) -> str:
    """Pull request NUMBER changing the spec, planned: its head SHA."""
    head = commit(runner, spec, parent=f"pr-{number}")
    pull = runner.github.open_pull_request(number, f"change-{number}", head)
    jobs = runner.run("pull_request", {"pull_request": pull}, head, f"refs/pull/{number}/merge")
    assert jobs["plan"].passed, jobs["plan"].output
    return head


def merge(runner: Runner, number: int, spec: str) -> Job:
    """Pull request NUMBER merged into main: the push run's apply job."""
    merged = commit(runner, spec, parent=f"merge-{number}")
    runner.github.merged(number, merged)
    jobs = runner.run("push", {"after": merged}, merged, "refs/heads/main")
    assert set(jobs) == {"apply"}  # no plan, no drift on the push
    return jobs["apply"]


def buckets(boto_s3: Any) -> set[str]:
    return {b["Name"] for b in boto_s3.list_buckets()["Buckets"]}


def test_a_pull_request_is_planned_and_its_comment_updated_in_place(
    runner: Runner, github: GitHub, boto_s3: Any
) -> None:
    head = commit(runner, SITE.replace("enabled", "sometimes"), parent="pr-7")
    pull = github.open_pull_request(7, "site", head)
    jobs = runner.run("pull_request", {"pull_request": pull}, head, "refs/pull/7/merge")
    assert set(jobs) == {"plan"}  # no apply, no drift on a pull request
    failed = jobs["plan"]
    assert not failed.passed
    assert failed.step("Plan").outcome == "failure"
    assert failed.step("Keep the saved plan for the merge").outcome == "skipped"
    assert failed.step("Post or update the plan comment").outcome == "success", failed.output
    (comment,) = github.comments[7]
    assert comment["body"].startswith(f"{MARKER}\n### reconciler plan failed (exit 1)")
    assert "infra/acme.yaml:5:30: buckets.acme-gh-site.versioning" in comment["body"]
    assert github.runs[-1].conclusion == "failure"

    head = commit(runner, SITE, parent="pr-7 fixed")
    pull["head"]["sha"] = head
    github.commits[head] = [7]
    planned = runner.run("pull_request", {"pull_request": pull}, head, "refs/pull/7/merge")["plan"]
    assert planned.passed, planned.output
    assert [s.outcome for s in planned.steps] == ["success"] * len(planned.steps)
    assert planned.roles == [PLAN_ROLE]
    (comment,) = github.comments[7]  # the same comment, now the plan
    assert comment["body"].startswith(f"{MARKER}\n<!-- reconciler plan: stack acme -->")
    assert "<code>bucket.acme-gh-site</code>: create" in comment["body"]
    assert set(github.runs[-1].artifacts) == {"reconciler-plan"}
    assert buckets(boto_s3) == {"acme-gh-logs"}


def test_the_merge_applies_the_plan_of_exactly_the_merged_pull_request(
    runner: Runner, github: GitHub, boto_s3: Any
) -> None:
    head = pull_request(runner, 7, SITE)
    pull_request(runner, 8, ARCHIVE)  # planned after it: the latest plan

    job = merge(runner, 7, SITE)
    assert job.passed, job.output
    fetched = job.step("Fetch the plan reviewed on the merged pull request").output
    assert f"the plan of pull request #7 (head {head[:12]})" in fetched
    assert job.roles == [APPLY_ROLE]
    assert "No changes for stack acme" in job.step("Nothing left to do").output
    assert buckets(boto_s3) == {"acme-gh-logs", "acme-gh-site"}
    assert github.storage_saw_token == [False]  # the token stays with the API


def test_the_merge_refuses_a_plan_made_from_another_pull_request(
    runner: Runner, github: GitHub, boto_s3: Any
) -> None:
    pull_request(runner, 7, SITE)
    pull_request(runner, 8, ARCHIVE)
    seven, eight = github.runs
    seven.artifacts = dict(eight.artifacts)  # what GitHub hands back as #7's plan is #8's

    job = merge(runner, 7, SITE)
    assert not job.passed
    refused = job.step("Apply exactly the reviewed plan")
    assert refused.outcome == "failure"
    assert "the plan was made from a different spec: infra/acme.yaml changed" in refused.output
    assert job.step("Nothing left to do").outcome == "skipped"
    assert buckets(boto_s3) == {"acme-gh-logs"}


def test_a_push_that_merged_no_pull_request_applies_nothing(
    runner: Runner, github: GitHub, boto_s3: Any
) -> None:
    pull_request(runner, 7, SITE)  # planned, never merged: its plan must not be taken
    pushed = commit(runner, SITE, parent="direct")
    job = runner.run("push", {"after": pushed}, pushed, "refs/heads/main")["apply"]
    fetch = job.step("Fetch the plan reviewed on the merged pull request")
    assert fetch.outcome == "failure"
    assert "merged 0 pull requests, not one: no reviewed plan to apply" in fetch.output
    assert job.step("Apply exactly the reviewed plan").outcome == "skipped"
    assert job.roles == []  # the apply role was never assumed
    assert buckets(boto_s3) == {"acme-gh-logs"}


def test_the_nightly_drift_job_passes_in_sync_and_fails_on_drift(
    runner: Runner, boto_s3: Any
) -> None:
    sha = commit(runner, MAIN, parent="main")
    schedule = {"schedule": "17 3 * * *"}
    jobs = runner.run("schedule", schedule, sha, "refs/heads/main")
    assert set(jobs) == {"drift"}
    in_sync = jobs["drift"]
    assert in_sync.passed, in_sync.output
    assert in_sync.step("Fail on drift").outcome == "skipped"
    assert in_sync.roles == [PLAN_ROLE]
    assert "<!-- reconciler drift: stack acme -->" in in_sync.summary

    tags = [{"Key": "reconciler:stack", "Value": "acme"}, {"Key": "team", "Value": "ops"}]
    boto_s3.put_bucket_tagging(Bucket="acme-gh-logs", Tagging={"TagSet": tags})
    drifted = runner.run("schedule", schedule, sha, "refs/heads/main")["drift"]
    assert not drifted.passed
    assert drifted.step("Drift reports").outcome == "success"  # the reports are all written
    assert drifted.step("Publish the HTML report").outcome == "success"
    assert drifted.step("Publish the JUnit report").outcome == "success"
    failing = drifted.step("Fail on drift")
    assert failing.outcome == "failure"
    assert "::error::live state drifted from the spec" in failing.output
    assert "tags.team" in drifted.summary


def test_apply_and_drift_never_cancel_each_other_and_each_job_has_its_least_privilege(
    runner: Runner,
) -> None:
    doc = runner.workflow()
    jobs = doc["jobs"]
    assert doc["permissions"] == {}
    groups = {name: job["concurrency"]["group"] for name, job in jobs.items()}
    assert len(set(groups.values())) == 3  # apply queues apart from drift and plans
    assert jobs["apply"]["concurrency"]["cancel-in-progress"] is False
    assert "${{" not in groups["apply"]  # one group for every apply, whatever the ref
    # The apply role is named once, in the apply job.
    assert json.dumps(jobs).count("AWS_APPLY_ROLE_ARN") == 1
    assert "AWS_APPLY_ROLE_ARN" in json.dumps(jobs["apply"])
    assert jobs["apply"]["environment"] == "production"
    assert "refs/heads/main" in jobs["apply"]["if"]
    for name in ("plan", "drift"):
        assert "AWS_PLAN_ROLE_ARN" in json.dumps(jobs[name])
        assert "write" not in {jobs[name]["permissions"].get(p) for p in ("contents", "actions")}
    assert jobs["apply"]["permissions"] == {
        "contents": "read",
        "id-token": "write",
        "pull-requests": "read",
        "actions": "read",
    }


def test_the_runner_reads_the_expressions_the_workflow_uses_and_refuses_others() -> None:
    context = {"github": {"event_name": "push", "ref": "refs/heads/main"}, "steps": {}}
    status = {"success": False, "failure": True, "always": True, "cancelled": False}
    push_to_main = "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert evaluate(push_to_main, context, status) is True
    assert (
        evaluate("github.event_name == 'schedule' || github.event_name == 'x'", context, status)
        is False
    )
    assert evaluate("!cancelled()", context, status) is True
    assert condition("steps.drift.outputs.code == ''", context, status) is False  # a step failed
    assert condition("${{ !cancelled() }}", context, status) is True
    for unknown in ("contains(github.ref, 'main')", "github.ref == ", "fromJSON('1') > 0"):
        with pytest.raises(ExpressionError):
            evaluate(unknown, context, status)

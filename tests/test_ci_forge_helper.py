"""examples/ci/reconciler_ci.py against answers a forge should not give: each is a one-line
error naming the call, exit 1, no traceback, no token in the output and no plan.json left
behind; and the comment found again past the first page."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.github_api import GitHub
from tests.stub_server import Answer, Received, stub_server

HELPER = Path(__file__).parent.parent / "examples" / "ci" / "reconciler_ci.py"
TOKEN = "secret-forge-token"


def helper(tmp_path: Path, url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        "PATH": "/usr/bin:/bin",
        "SPEC": "infra",
        "CI_API_V4_URL": f"{url}/api/v4",
        "CI_PROJECT_ID": "1217",
        "CI_COMMIT_SHA": "a" * 40,
        "CI_MERGE_REQUEST_IID": "3",
        "CI_JOB_URL": "https://gitlab.example/jobs/1",
        "GITLAB_API_TOKEN": TOKEN,
        "GITHUB_API_URL": url,
        "GITHUB_REPOSITORY": "acme/infra",
        "GITHUB_SHA": "b" * 40,
        "GITHUB_WORKFLOW_REF": "acme/infra/.github/workflows/reconciler.yml@refs/heads/main",
        "GH_TOKEN": TOKEN,
    }
    return subprocess.run(
        [sys.executable, str(HELPER), *args],
        cwd=tmp_path,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def github_answers(archive: Answer) -> Callable[[Received], Answer]:
    """A merged pull request, its run, its artifact: then ``archive`` as the download."""

    def route(request: Received) -> Answer:
        path = request.path.split("?", 1)[0]
        if path.endswith("/pulls"):
            pull = {"number": 7, "merged_at": "x", "merge_commit_sha": "b" * 40,
                    "head": {"sha": "c" * 40}}  # fmt: skip
            return Answer(200, json.dumps([pull]).encode())
        if path.endswith("/actions/runs"):
            run = {"id": 9, "head_sha": "c" * 40, "path": ".github/workflows/reconciler.yml"}
            return Answer(200, json.dumps({"workflow_runs": [run]}).encode())
        if path.endswith("/artifacts"):
            url = request.headers["host"]
            found = {"name": "reconciler-plan", "archive_download_url": f"http://{url}/zip"}
            return Answer(200, json.dumps({"artifacts": [found]}).encode())
        return archive

    return route


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (Answer(200, b"<html>sign in</html>"), "merge_requests: the answer is not JSON"),
        (Answer(200, b'{"message": "hi"}'), "the answer is not a list of objects"),
        (Answer(401, b'{"message": "401 Unauthorized"}'), "HTTP 401"),
        (Answer(200, b"[" + b" " * (10 * 1024 * 1024) + b"]"), "larger than 10485760 bytes"),
        (Answer(200, b"[]"), "merged 0 merge requests, not one"),
    ],
)
def test_a_gitlab_answer_it_cannot_trust_is_a_one_line_error(
    tmp_path: Path, answer: Answer, said: str
) -> None:
    with stub_server(route=lambda _: answer) as stub:
        done = helper(tmp_path, stub.url, "gitlab-fetch-plan")
    assert done.returncode == 1
    assert said in done.stderr
    assert done.stderr.startswith("reconciler_ci gitlab-fetch-plan: ")
    assert len(done.stderr.strip().splitlines()) == 1  # no traceback
    assert TOKEN not in done.stdout + done.stderr
    assert not (tmp_path / "plan.json").exists()


@pytest.mark.parametrize(
    ("archive", "said"),
    [
        (Answer(200, b"not a zip"), "not a zip archive"),
        (Answer(200, GitHub.archive({"other.json": b"{}"})), "no plan.json in it"),
        (Answer(404, b"BlobNotFound"), "HTTP 404"),
        (Answer(302, b"", {"Location": "ftp://127.0.0.1/plan.zip"}), "redirected to ftp://"),
    ],
)
def test_a_github_artifact_it_cannot_use_is_a_one_line_error(
    tmp_path: Path, archive: Answer, said: str
) -> None:
    with stub_server(route=github_answers(archive)) as stub:
        done = helper(tmp_path, stub.url, "github-fetch-plan")
    assert done.returncode == 1, done.stdout
    assert said in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "plan.json").exists()


def test_the_plan_of_the_merged_pull_request_is_written(tmp_path: Path) -> None:
    plan = b'{"format_version": "1"}'
    with stub_server(
        route=github_answers(Answer(200, GitHub.archive({"plan.json": plan})))
    ) as stub:
        done = helper(tmp_path, stub.url, "github-fetch-plan")
    assert done.returncode == 0, done.stderr
    assert "the plan of pull request #7 (head cccccccccccc), run 9" in done.stdout
    assert (tmp_path / "plan.json").read_bytes() == plan


def test_the_note_is_found_past_the_first_page_and_updated(tmp_path: Path) -> None:
    notes = [{"id": n, "body": f"note {n}"} for n in range(150)]
    notes[120]["body"] = "<!-- reconciler ci: infra -->\nthe old plan"

    def route(request: Received) -> Answer:
        if request.method == "GET":
            page = int(request.path.split("page=")[-1])
            return Answer(200, json.dumps(notes[(page - 1) * 100 : page * 100]).encode())
        return Answer(200, b"{}")

    (tmp_path / "plan.md").write_text("<!-- reconciler plan: stack acme -->\nnew\n")
    with stub_server(route=route) as stub:
        done = helper(tmp_path, stub.url, "gitlab-note", "2")
    assert done.returncode == 0, done.stderr
    assert "the plan note on merge request !3: updated" in done.stdout
    written = stub.received[-1]
    assert (written.method, written.path) == (
        "PUT",
        "/api/v4/projects/1217/merge_requests/3/notes/120",
    )
    assert json.loads(written.body)["body"].startswith("<!-- reconciler ci: infra -->\n<!--")
    assert all(r.headers["private-token"] == TOKEN for r in stub.received)


def test_a_missing_setting_is_named(tmp_path: Path) -> None:
    done = helper(tmp_path, "http://127.0.0.1:9", "gitlab-note", "1", GITLAB_API_TOKEN="")
    assert done.returncode == 1
    assert done.stderr == "reconciler_ci gitlab-note: GITLAB_API_TOKEN is not set\n"

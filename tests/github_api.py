"""A small stand-in for the parts of GitHub's REST API the GitHub Actions example calls, on a
loopback port: the pull requests of a commit, workflow runs by head SHA, a run's artifacts and
their download (a redirect to storage that must not see the token, as GitHub's does), and
pull-request comments. It checks the token on every API call; the test tells it what GitHub
would know (pull requests, merges), and the workflow runner records its runs and artifacts."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.stub_server import Answer, Received, dispatch, json_answer, stub_server

REPOSITORY = "acme/infra"
WORKFLOW = ".github/workflows/reconciler.yml"


@dataclass
class Run:
    id: int
    event: str
    head_sha: str
    conclusion: str = "in_progress"
    artifacts: dict[str, bytes] = field(default_factory=dict)  # name -> zip archive


@dataclass
class GitHub:
    token: str
    url: str = ""
    pulls: dict[int, dict[str, Any]] = field(default_factory=dict)
    commits: dict[str, list[int]] = field(default_factory=dict)  # sha -> pull request numbers
    runs: list[Run] = field(default_factory=list)
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    storage_saw_token: list[bool] = field(default_factory=list)
    _next_id: int = 1000

    def _id(self) -> int:
        self._next_id += 1
        return self._next_id

    # -- what GitHub knows ----------------------------------------------------------------------

    def open_pull_request(self, number: int, branch: str, head: str) -> dict[str, Any]:
        self.pulls[number] = {
            "number": number,
            "state": "open",
            "head": {"ref": branch, "sha": head},
            "base": {"ref": "main"},
            "merged_at": None,
            "merge_commit_sha": None,
        }
        self.commits.setdefault(head, []).append(number)
        return self.pulls[number]

    def merged(self, number: int, merge_commit: str) -> None:
        self.pulls[number] |= {
            "state": "closed",
            "merged_at": "2026-01-02T03:04:05Z",
            "merge_commit_sha": merge_commit,
        }
        self.commits.setdefault(merge_commit, []).append(number)

    def start_run(self, event: str, head_sha: str) -> Run:
        run = Run(self._id(), event, head_sha)
        self.runs.append(run)
        return run

    @staticmethod
    def archive(files: dict[str, bytes]) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, content in files.items():
                archive.writestr(name, content)
        return buffer.getvalue()

    # -- the API ---------------------------------------------------------------------------------

    def route(self, request: Received) -> Answer:
        parts = urlsplit(request.path)
        query = parse_qs(parts.query)
        blob = re.fullmatch(r"/storage/(\d+)/(\w+)", parts.path)
        if blob:  # where an artifact's download redirects: signed, no token wanted
            self.storage_saw_token.append("authorization" in request.headers)
            return self._blob(int(blob.group(1)), blob.group(2))
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return json_answer({"message": "Bad credentials"}, 401)
        prefix = f"/repos/{REPOSITORY}"
        if not parts.path.startswith(prefix):
            return json_answer({"message": "Not Found"}, 404)
        path = parts.path[len(prefix) :]
        return dispatch(self._routes(), request, path, query=query, body=request.body)

    def _routes(self) -> list[tuple[str, str, Any]]:
        return [
            (r"/commits/(\w+)/pulls", "GET", self._commit_pulls),
            (r"/actions/runs", "GET", self._runs),
            (r"/actions/runs/(\d+)/artifacts", "GET", self._run_artifacts),
            (r"/actions/artifacts/(\d+)/zip", "GET", self._download),
            (r"/issues/(\d+)/comments", "GET", self._comments),
            (r"/issues/(\d+)/comments", "POST", self._post_comment),
            (r"/issues/comments/(\d+)", "PATCH", self._patch_comment),
        ]

    def _commit_pulls(self, sha: str, **_: Any) -> Answer:
        return json_answer([self.pulls[n] for n in self.commits.get(sha, [])])

    def _runs(self, query: dict[str, list[str]], **_: Any) -> Answer:
        def wanted(run: Run) -> bool:
            return (
                query.get("head_sha", [run.head_sha])[0] == run.head_sha
                and query.get("event", [run.event])[0] == run.event
                and query.get("status", [run.conclusion])[0] == run.conclusion
            )

        found = [
            {"id": r.id, "event": r.event, "head_sha": r.head_sha, "path": WORKFLOW,
             "status": "completed", "conclusion": r.conclusion}
            for r in reversed(self.runs)  # newest first
            if wanted(r)
        ]  # fmt: skip
        return json_answer({"total_count": len(found), "workflow_runs": found})

    def _artifact_id(self, run: Run, name: str) -> int:
        return run.id * 100 + sorted(run.artifacts).index(name)

    def _run_artifacts(self, run_id: str, query: dict[str, list[str]], **_: Any) -> Answer:
        run = next((r for r in self.runs if r.id == int(run_id)), None)
        if run is None:
            return json_answer({"message": "Not Found"}, 404)
        names = [n for n in sorted(run.artifacts) if n in query.get("name", [n])]
        found = [
            {"id": self._artifact_id(run, n), "name": n, "expired": False,
             "archive_download_url":
                 f"{self.url}/repos/{REPOSITORY}/actions/artifacts/{self._artifact_id(run, n)}/zip"}
            for n in names
        ]  # fmt: skip
        return json_answer({"total_count": len(found), "artifacts": found})

    def _download(self, artifact_id: str, **_: Any) -> Answer:
        return Answer(302, b"", {"Location": f"{self.url}/storage/{artifact_id}/signed"})

    def _blob(self, artifact_id: int, _signature: str) -> Answer:
        run_id, index = divmod(artifact_id, 100)
        run = next((r for r in self.runs if r.id == run_id), None)
        if run is None or index >= len(run.artifacts):
            return Answer(404, b"BlobNotFound")
        content = run.artifacts[sorted(run.artifacts)[index]]
        return Answer(200, content, {"Content-Type": "application/zip"})

    def _comments(self, number: str, query: dict[str, list[str]], **_: Any) -> Answer:
        page, per_page = int(query.get("page", ["1"])[0]), int(query.get("per_page", ["30"])[0])
        comments = self.comments.get(int(number), [])
        return json_answer(comments[(page - 1) * per_page : page * per_page])

    def _post_comment(self, number: str, body: bytes, **_: Any) -> Answer:
        comment = {"id": self._id(), "body": json.loads(body)["body"]}
        self.comments.setdefault(int(number), []).append(comment)
        return json_answer(comment, 201)

    def _patch_comment(self, comment_id: str, body: bytes, **_: Any) -> Answer:
        for comment in (c for cs in self.comments.values() for c in cs):
            if comment["id"] == int(comment_id):
                comment["body"] = json.loads(body)["body"]
                return json_answer(comment)
        return json_answer({"message": "Not Found"}, 404)


@contextmanager
def github_api(token: str) -> Iterator[GitHub]:
    github = GitHub(token)
    with stub_server(route=github.route) as stub:
        github.url = stub.url
        yield github

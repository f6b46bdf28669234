"""A small stand-in for the parts of GitLab's REST API (v4) the GitLab CI example calls, on a
loopback port: merge-request notes, the merge requests of a commit, a merge request's
pipelines, a pipeline's jobs and a job's artifact file. It answers as GitLab documents, checks
the token on every call, and the test tells it what GitLab would know (merge requests, the
pipelines gitlab-ci-local ran and what their jobs kept)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.stub_server import Answer, Received, dispatch, json_answer, stub_server

PROJECT_ID = "1217"  # what gitlab-ci-local sets CI_PROJECT_ID to


@dataclass
class Job:
    id: int
    name: str
    status: str
    artifacts: dict[str, bytes]


@dataclass
class Pipeline:
    id: int
    iid: int  # the merge request's
    sha: str
    ref: str
    status: str
    jobs: list[Job]


@dataclass
class GitLab:
    token: str
    url: str = ""
    merge_requests: dict[int, dict[str, Any]] = field(default_factory=dict)
    commits: dict[str, list[int]] = field(default_factory=dict)  # sha -> merge request iids
    pipelines: list[Pipeline] = field(default_factory=list)
    notes: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    _next_id: int = 100

    def _id(self) -> int:
        self._next_id += 1
        return self._next_id

    # -- what GitLab knows, told by the test --------------------------------------------------

    def open_merge_request(self, iid: int, branch: str, head: str) -> None:
        self.merge_requests[iid] = {
            "iid": iid,
            "state": "opened",
            "source_branch": branch,
            "target_branch": "main",
            "sha": head,
            "merge_commit_sha": None,
            "squash_commit_sha": None,
        }
        self.commits.setdefault(head, []).append(iid)

    def pushed(self, iid: int, head: str) -> None:
        """A new commit on the merge request's branch: its head moves."""
        self.merge_requests[iid]["sha"] = head
        self.commits.setdefault(head, []).append(iid)

    def merged(self, iid: int, merge_commit: str) -> None:
        self.merge_requests[iid] |= {"state": "merged", "merge_commit_sha": merge_commit}
        self.commits.setdefault(merge_commit, []).append(iid)

    def pipeline_ran(self, iid: int, sha: str, status: str, jobs: dict[str, Path]) -> Pipeline:
        """A merge-request pipeline at ``sha``; ``jobs``: each job's artifacts folder."""
        pipeline = Pipeline(
            self._id(),
            iid,
            sha,
            f"refs/merge-requests/{iid}/head",
            status,
            [
                Job(
                    self._id(),
                    name,
                    status,
                    {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()},
                )
                for name, folder in jobs.items()
            ],
        )
        self.pipelines.append(pipeline)
        return pipeline

    # -- the API ---------------------------------------------------------------------------------

    def route(self, request: Received) -> Answer:
        parts = urlsplit(request.path)
        self.calls.append(f"{request.method} {parts.path}")
        if request.headers.get("private-token") != self.token:
            return json_answer({"message": "401 Unauthorized"}, 401)
        prefix = f"/api/v4/projects/{PROJECT_ID}"
        if not parts.path.startswith(prefix):
            return json_answer({"message": "404 Project Not Found"}, 404)
        path, query = parts.path[len(prefix) :], parse_qs(parts.query)
        return dispatch(self._routes(), request, path, query=query, body=request.body)

    def _routes(self) -> list[tuple[str, str, Any]]:
        return [
            (r"/repository/commits/(\w+)/merge_requests", "GET", self._commit_mrs),
            (r"/merge_requests/(\d+)/pipelines", "GET", self._mr_pipelines),
            (r"/merge_requests/(\d+)/notes", "GET", self._notes),
            (r"/merge_requests/(\d+)/notes", "POST", self._post_note),
            (r"/merge_requests/(\d+)/notes/(\d+)", "PUT", self._put_note),
            (r"/pipelines/(\d+)/jobs", "GET", self._jobs),
            (r"/jobs/(\d+)/artifacts/(.+)", "GET", self._artifact),
        ]

    def _commit_mrs(self, sha: str, **_: Any) -> Answer:
        return json_answer([self.merge_requests[i] for i in self.commits.get(sha, [])])

    def _mr_pipelines(self, iid: str, **_: Any) -> Answer:
        found = [p for p in reversed(self.pipelines) if p.iid == int(iid)]  # newest first
        return json_answer(
            [{"id": p.id, "sha": p.sha, "ref": p.ref, "status": p.status} for p in found]
        )

    def _jobs(self, pipeline_id: str, query: dict[str, list[str]], **_: Any) -> Answer:
        scope = query.get("scope[]", [])
        pipeline = next((p for p in self.pipelines if p.id == int(pipeline_id)), None)
        if pipeline is None:
            return json_answer({"message": "404 Not found"}, 404)
        jobs = [j for j in pipeline.jobs if not scope or j.status in scope]
        return json_answer([{"id": j.id, "name": j.name, "status": j.status} for j in jobs])

    def _artifact(self, job_id: str, name: str, **_: Any) -> Answer:
        for job in (j for p in self.pipelines for j in p.jobs):
            if job.id == int(job_id) and name in job.artifacts:
                return Answer(200, job.artifacts[name], {"Content-Type": "application/json"})
        return json_answer({"message": "404 Not Found"}, 404)

    def _notes(self, iid: str, query: dict[str, list[str]], **_: Any) -> Answer:
        page, per_page = int(query.get("page", ["1"])[0]), int(query.get("per_page", ["20"])[0])
        notes = self.notes.get(int(iid), [])
        return json_answer(notes[(page - 1) * per_page : page * per_page])

    def _post_note(self, iid: str, body: bytes, **_: Any) -> Answer:
        note = {"id": self._id(), "body": json.loads(body)["body"], "system": False}
        self.notes.setdefault(int(iid), []).append(note)
        return json_answer(note, 201)

    def _put_note(self, iid: str, note_id: str, body: bytes, **_: Any) -> Answer:
        for note in self.notes.get(int(iid), []):
            if note["id"] == int(note_id):
                note["body"] = json.loads(body)["body"]
                return json_answer(note)
        return json_answer({"message": "404 Not found"}, 404)


@contextmanager
def gitlab_api(token: str) -> Iterator[GitLab]:
    gitlab = GitLab(token)
    with stub_server(route=gitlab.route) as stub:
        gitlab.url = stub.url
        yield gitlab

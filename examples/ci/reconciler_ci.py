"""The forge's side of the GitOps examples: the plan as one merge-request note or pull-request
comment, updated in place (posted when the plan fails too, saying why), and on merge the saved
plan of exactly the merged request, or a failure saying none was found. Standard library only;
copy it beside the pipeline (the examples look for it at ci/reconciler_ci.py).

  python3 ci/reconciler_ci.py gitlab-note EXIT_CODE   # plan.md (or plan.log) -> the MR note
  python3 ci/reconciler_ci.py gitlab-fetch-plan       # the merged MR's plan -> plan.json
  python3 ci/reconciler_ci.py github-comment EXIT_CODE
  python3 ci/reconciler_ci.py github-fetch-plan

GitLab: CI_API_V4_URL, CI_PROJECT_ID, CI_COMMIT_SHA, CI_MERGE_REQUEST_IID, CI_JOB_URL (set by
GitLab) and GITLAB_API_TOKEN. GitHub: GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_SHA,
GITHUB_EVENT_PATH, GITHUB_WORKFLOW_REF, GITHUB_SERVER_URL, GITHUB_RUN_ID (set by GitHub) and
GH_TOKEN. Both: SPEC (the spec path, which keys the comment), PLAN_JOB / PLAN_ARTIFACT (the job
or artifact holding plan.json; default "plan" / "reconciler-plan").
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

TIMEOUT = 30  # seconds, per request
MAX_JSON = 10 * 1024 * 1024  # an API answer
MAX_PLAN = 100 * 1024 * 1024  # a plan file, or the archive that holds it
MAX_LOG = 50_000  # characters of a failed plan's output quoted in the comment
MAX_PAGES = 50  # of 100 comments each


class Refused(Exception):
    """A one-line reason the step fails."""


def env(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise Refused(f"{name} is not set")
    return value


class _Redirects(urllib.request.HTTPRedirectHandler):
    """A redirect (an artifact's download) may lead to another HTTP(S) address, nowhere else."""

    def redirect_request(self, req: Any, *args: Any) -> Any:
        newurl = str(args[-1])
        if urllib.parse.urlsplit(newurl).scheme not in ("http", "https"):
            raise Refused(f"{req.get_method()} {req.full_url}: redirected to {newurl}: refused")
        return super().redirect_request(req, *args)


OPENER = urllib.request.build_opener(_Redirects)


class Api:
    """JSON over HTTPS with one token; every answer bounded in time and size."""

    def __init__(self, base: str, headers: dict[str, str]) -> None:
        self.base = base.rstrip("/")
        self.headers = headers

    def send(self, method: str, path: str, body: Any = None, limit: int = MAX_JSON) -> bytes:
        url = path if "://" in path else f"{self.base}{path}"
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise Refused(f"{method} {url}: not an HTTP address")
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method)  # noqa: S310
        request.add_header("Content-Type", "application/json")
        for name, value in self.headers.items():
            # Not sent on to where a redirect leads (an artifact's storage, say).
            request.add_unredirected_header(name, value)
        shown = url.split("?", 1)[0]
        try:
            with OPENER.open(request, timeout=TIMEOUT) as answer:
                content = answer.read(limit + 1)
        except urllib.error.HTTPError as exc:
            raise Refused(f"{method} {shown}: HTTP {exc.code} {exc.reason}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise Refused(f"{method} {shown}: {getattr(exc, 'reason', exc)}") from exc
        if len(content) > limit:
            raise Refused(f"{method} {shown}: the answer is larger than {limit} bytes")
        return content

    def json(self, method: str, path: str, body: Any = None) -> Any:
        content = self.send(method, path, body)
        try:
            return json.loads(content) if content else None
        except ValueError as exc:
            raise Refused(f"{method} {path.split('?', 1)[0]}: the answer is not JSON") from exc

    def items(self, path: str, key: str | None = None) -> list[dict[str, Any]]:
        """A list the API answers (under ``key`` when given); anything else is refused."""
        found = self.json("GET", path)
        if key is not None:
            found = found.get(key) if isinstance(found, dict) else None
        if not isinstance(found, list) or not all(isinstance(i, dict) for i in found):
            raise Refused(f"GET {path.split('?', 1)[0]}: the answer is not a list of objects")
        return found

    def pages(self, path: str) -> list[dict[str, Any]]:
        collected: list[dict[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            found = self.items(f"{path}?per_page=100&page={page}")
            collected += found
            if len(found) < 100:
                break
        return collected


# -- the comment ----------------------------------------------------------------------------


def comment_body(exit_code: int, log_url: str) -> str:
    """The plan's Markdown when it ran (exit 0 or 2), else what it printed, whole or its end."""
    marker = f"<!-- reconciler ci: {env('SPEC')} -->"
    plan = Path("plan.md")
    if exit_code in (0, 2) and plan.is_file() and plan.stat().st_size:
        return f"{marker}\n{plan.read_text(encoding='utf-8')}"
    log = Path("plan.log").read_text(encoding="utf-8") if Path("plan.log").is_file() else ""
    cut = ""
    if len(log) > MAX_LOG:
        cut = f"(the last {MAX_LOG} characters; the whole output is in the job log)\n\n"
        log = log[-MAX_LOG:]
    longest = max((len(run) for run in re.findall(r"`+", log)), default=0)
    fence = "`" * max(3, longest + 1)
    said = f"{cut}{fence}text\n{log.rstrip()}\n{fence}\n\n" if log.strip() else ""
    return (
        f"{marker}\n### reconciler plan failed (exit {exit_code})\n\n"
        f"No plan was saved: nothing from this commit can be applied.\n\n{said}"
        f"The job's log: {log_url}\n"
    )


def upsert(api: Api, listing: str, update: tuple[str, str], body: str) -> str:
    """Update the comment that starts with the body's marker line (``update``: the method and
    the path, with ``{id}``), or post one."""
    marker = body.split("\n", 1)[0]
    mine = next((c for c in api.pages(listing) if str(c.get("body", "")).startswith(marker)), None)
    if mine is None:
        api.json("POST", listing, {"body": body})
        return "posted"
    method, path = update
    api.json(method, path.format(id=int(mine["id"])), {"body": body})
    return "updated"


def the_one(found: list[dict[str, Any]], what: str, kind: str) -> dict[str, Any]:
    """The merged request a commit is the merge of; none (a direct push) or several: refused."""
    if len(found) != 1:
        raise Refused(
            f"{what} {len(found)} {kind}s, not one: no reviewed plan to apply (a direct "
            f"push?); plan and review the change in a {kind}"
        )
    return found[0]


# -- GitLab -----------------------------------------------------------------------------------


def gitlab() -> Api:
    project = urllib.parse.quote(env("CI_PROJECT_ID"), safe="")
    return Api(
        f"{env('CI_API_V4_URL')}/projects/{project}", {"PRIVATE-TOKEN": env("GITLAB_API_TOKEN")}
    )


def gitlab_note(exit_code: int) -> str:
    api = gitlab()
    notes = f"/merge_requests/{int(env('CI_MERGE_REQUEST_IID'))}/notes"
    done = upsert(
        api, notes, ("PUT", f"{notes}/{{id}}"), comment_body(exit_code, env("CI_JOB_URL"))
    )
    return f"the plan note on merge request !{env('CI_MERGE_REQUEST_IID')}: {done}"


def gitlab_fetch_plan() -> str:
    api = gitlab()
    sha = env("CI_COMMIT_SHA")
    merged = the_one(
        [
            mr
            for mr in api.items(f"/repository/commits/{sha}/merge_requests")
            if mr.get("state") == "merged"
            and sha in (mr.get("merge_commit_sha"), mr.get("squash_commit_sha"), mr.get("sha"))
        ],
        f"commit {sha[:12]} merged",
        "merge request",
    )
    iid, head = int(merged["iid"]), str(merged.get("sha"))
    ref = f"refs/merge-requests/{iid}/head"
    pipeline = next(
        (
            p
            for p in api.items(f"/merge_requests/{iid}/pipelines?per_page=100")
            if p.get("sha") == head and p.get("ref") == ref and p.get("status") == "success"
        ),
        None,
    )
    if pipeline is None:
        raise Refused(f"merge request !{iid}: no successful pipeline on {ref} at {head[:12]}")
    job_name = os.environ.get("PLAN_JOB") or "plan"
    jobs = api.items(f"/pipelines/{int(pipeline['id'])}/jobs?scope[]=success&per_page=100")
    job = next((j for j in jobs if j.get("name") == job_name), None)
    if job is None:
        raise Refused(
            f"merge request !{iid}: pipeline {pipeline['id']} has no successful {job_name} job"
        )
    plan = api.send("GET", f"/jobs/{int(job['id'])}/artifacts/plan.json", limit=MAX_PLAN)
    Path("plan.json").write_bytes(plan)
    return f"plan.json: the plan of merge request !{iid} (head {head[:12]}), job {job['id']}"


# -- GitHub -----------------------------------------------------------------------------------


def github() -> Api:
    headers = {
        "Authorization": f"Bearer {env('GH_TOKEN')}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
    }
    return Api(f"{env('GITHUB_API_URL')}/repos/{env('GITHUB_REPOSITORY')}", headers)


def github_comment(exit_code: int) -> str:
    event = json.loads(Path(env("GITHUB_EVENT_PATH")).read_text(encoding="utf-8"))
    number = int(event["pull_request"]["number"])
    run = (
        f"{env('GITHUB_SERVER_URL')}/{env('GITHUB_REPOSITORY')}/actions/runs/{env('GITHUB_RUN_ID')}"
    )
    done = upsert(
        github(),
        f"/issues/{number}/comments",
        ("PATCH", "/issues/comments/{id}"),
        comment_body(exit_code, run),
    )
    return f"the plan comment on pull request #{number}: {done}"


def github_fetch_plan() -> str:
    api = github()
    sha = env("GITHUB_SHA")
    merged = the_one(
        [
            pr
            for pr in api.items(f"/commits/{sha}/pulls")
            if pr.get("merged_at") and pr.get("merge_commit_sha") == sha
        ],
        f"commit {sha[:12]} merged",
        "pull request",
    )
    number, head = int(merged["number"]), str(merged["head"]["sha"])
    workflow = env("GITHUB_WORKFLOW_REF").split("@", 1)[0].split("/", 2)[2]
    query = urllib.parse.urlencode({"head_sha": head, "event": "pull_request", "status": "success"})
    run = next(
        (
            r
            for r in api.items(f"/actions/runs?{query}&per_page=100", "workflow_runs")
            if r.get("head_sha") == head and r.get("path") == workflow
        ),
        None,
    )
    if run is None:
        raise Refused(f"pull request #{number}: no successful run of {workflow} at {head[:12]}")
    name = os.environ.get("PLAN_ARTIFACT") or "reconciler-plan"
    artifacts = api.items(f"/actions/runs/{int(run['id'])}/artifacts?name={name}", "artifacts")
    artifact = next((a for a in artifacts if a.get("name") == name and not a.get("expired")), None)
    if artifact is None:
        raise Refused(f"pull request #{number}: run {run['id']} kept no {name} artifact (expired?)")
    archive = api.send("GET", str(artifact["archive_download_url"]), limit=MAX_PLAN)
    Path("plan.json").write_bytes(unzip_plan(archive, f"artifact {name} of run {run['id']}"))
    return f"plan.json: the plan of pull request #{number} (head {head[:12]}), run {run['id']}"


def unzip_plan(archive: bytes, what: str) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(archive)) as opened:
            member = opened.getinfo("plan.json")
            if member.file_size > MAX_PLAN:
                raise Refused(f"{what}: plan.json is larger than {MAX_PLAN} bytes")
            return opened.read(member)
    except KeyError as exc:
        raise Refused(f"{what}: no plan.json in it") from exc
    except zipfile.BadZipFile as exc:
        raise Refused(f"{what}: not a zip archive") from exc


COMMANDS = {
    "gitlab-note": gitlab_note,
    "gitlab-fetch-plan": gitlab_fetch_plan,
    "github-comment": github_comment,
    "github-fetch-plan": github_fetch_plan,
}


def main(argv: list[str]) -> int:
    takes_code = {"gitlab-note", "github-comment"}
    if not argv or argv[0] not in COMMANDS or len(argv) != 1 + (argv[0] in takes_code):
        print(f"usage: reconciler_ci.py {{{','.join(COMMANDS)}}} [EXIT_CODE]", file=sys.stderr)
        return 1
    try:
        command = COMMANDS[argv[0]]
        print(command(int(argv[1])) if argv[0] in takes_code else command())
    except Refused as exc:
        print(f"reconciler_ci {argv[0]}: {exc}", file=sys.stderr)
        return 1
    except (KeyError, TypeError, ValueError, OSError) as exc:
        # An answer or an event file without the field named, or a file that cannot be read.
        print(f"reconciler_ci {argv[0]}: unexpected input: {exc!r}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

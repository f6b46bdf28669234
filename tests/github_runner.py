"""The GitHub Actions example run as a GitHub runner runs it, as far as this machine can: for an
event, the jobs whose ``if:`` holds; in each, the steps whose ``if:`` holds, every ``run:`` script
in ``bash -e`` with the environment GitHub gives (GITHUB_EVENT_NAME, GITHUB_SHA, GITHUB_REF,
GITHUB_EVENT_PATH, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_API_URL, ...) and the workflow's,
job's and step's ``env:``. The few actions it uses are played by what they do: the checkout
writes the commit's files, configure-aws-credentials assumes the role with a web identity at
the emulator's STS and exports the keys, upload-artifact stores the file with the stand-in API.

Expressions: the small part of GitHub's language the example uses (contexts, ``==``, ``!=``,
``!``, ``&&``, ``||``, the status functions); anything else is an error, not a guess."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import yaml

from tests.github_api import REPOSITORY, WORKFLOW, GitHub

CI = Path(__file__).parent.parent / "examples" / "ci"
VARIABLES = {
    "AWS_PLAN_ROLE_ARN": "arn:aws:iam::123456789012:role/reconciler-plan",
    "AWS_APPLY_ROLE_ARN": "arn:aws:iam::123456789012:role/reconciler-apply",
}


class ExpressionError(Exception):
    pass


_TOKEN = re.compile(r"\s*(\|\||&&|==|!=|!|\(|\)|'(?:[^']|'')*'|[A-Za-z_][\w.\-]*(?:\(\))?)")


def evaluate(expression: str, context: dict[str, Any], status: dict[str, bool]) -> Any:
    """``expression`` (without ``${{ }}``) in ``context``; ``status``: the status functions."""
    tokens = _TOKEN.findall(expression)
    if "".join(tokens).replace(" ", "") != expression.replace(" ", ""):
        raise ExpressionError(f"cannot read {expression!r}")
    position = 0

    def take() -> str:
        nonlocal position
        if position == len(tokens):
            raise ExpressionError(f"{expression!r} ends too soon")
        position += 1
        return str(tokens[position - 1])

    def peek() -> str:
        return tokens[position] if position < len(tokens) else ""

    def either() -> Any:
        value = both()
        while peek() == "||":
            take()
            right = both()
            value = value or right
        return value

    def both() -> Any:
        value = unary()
        while peek() == "&&":
            take()
            right = unary()
            value = value and right
        return value

    def unary() -> Any:
        if peek() == "!":
            take()
            return not unary()
        left = atom()
        if peek() in ("==", "!="):
            operator, right = take(), atom()
            return (str(left) == str(right)) == (operator == "==")
        return left

    def atom() -> Any:
        token = take()
        if token == "(":
            value = either()
            if take() != ")":
                raise ExpressionError(f"unbalanced parentheses in {expression!r}")
            return value
        if token.startswith("'"):
            return token[1:-1].replace("''", "'")
        if token.endswith("()"):
            if token[:-2] not in status:
                raise ExpressionError(f"no function {token} here")
            return status[token[:-2]]
        value: Any = context
        for part in token.split("."):
            value = value.get(part, "") if isinstance(value, dict) else ""
        return value

    value = either()
    if position != len(tokens):
        raise ExpressionError(f"cannot read {expression!r}")
    return value


def interpolate(text: str, context: dict[str, Any], status: dict[str, bool]) -> str:
    return re.sub(
        r"\$\{\{(.*?)\}\}", lambda m: str(evaluate(m.group(1).strip(), context, status)), text
    )


def condition(text: Any, context: dict[str, Any], status: dict[str, bool]) -> bool:
    if text is None:
        return status["success"]
    text = str(text).strip()
    if text.startswith("${{") and text.endswith("}}"):
        text = text[3:-2].strip()
    # A condition that names no status function holds only while all went well, as on GitHub.
    if not re.search(r"\b(success|failure|always|cancelled)\(\)", text):
        return status["success"] and bool(evaluate(text, context, status))
    return bool(evaluate(text, context, status))


@dataclass
class Step:
    name: str
    outcome: str  # success, failure, skipped
    output: str = ""


@dataclass
class Job:
    name: str
    steps: list[Step] = field(default_factory=list)
    summary: str = ""
    roles: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(s.outcome != "failure" for s in self.steps)

    def step(self, name: str) -> Step:
        return next(s for s in self.steps if s.name == name)

    @property
    def output(self) -> str:
        return "".join(f"--- {s.name} ({s.outcome})\n{s.output}" for s in self.steps)


@dataclass
class _Running:
    """A job as it runs: its result so far, the expression contexts, its folders."""

    job: Job
    context: dict[str, Any]
    workspace: Path
    summary: Path


@dataclass
class Runner:
    """One repository: its commits (the files at each SHA), the stand-in API, the emulator."""

    root: Path
    github: GitHub
    endpoint: str
    commits: dict[str, dict[str, str]] = field(default_factory=dict)

    def workflow(self) -> dict[str, Any]:
        doc = yaml.safe_load((CI / "github-actions.yml").read_text(encoding="utf-8"))
        doc["on"] = doc.pop(True, doc.get("on"))  # YAML 1.1 reads the key `on` as true
        return dict(doc)

    def run(self, event: str, payload: dict[str, Any], sha: str, ref: str) -> dict[str, Job]:
        """A workflow run for one event: the jobs that ran, by name."""
        doc = self.workflow()
        assert event in doc["on"], f"the workflow does not run on {event}"
        if event == "push":
            assert ref.removeprefix("refs/heads/") in doc["on"]["push"]["branches"]
        head = payload.get("pull_request", {}).get("head", {}).get("sha", sha)
        run = self.github.start_run(event, head)
        folder = self.root / f"run-{run.id}"
        folder.mkdir(parents=True)
        (folder / "event.json").write_text(json.dumps(payload), encoding="utf-8")
        github = {
            "event_name": event,
            "event": payload,
            "sha": sha,
            "ref": ref,
            "repository": REPOSITORY,
            "token": "ghs_stand-in-token",
        }
        jobs = {}
        for name, job in doc["jobs"].items():
            context = {"github": github, "vars": VARIABLES, "env": {}, "steps": {}}
            if condition(job.get("if"), context, {"success": True, "always": True}):
                jobs[name] = self._job(
                    name, job, doc, run_id=run.id, folder=folder, context=context
                )
        run.conclusion = "success" if all(j.passed for j in jobs.values()) else "failure"
        return jobs

    def _job(
        self,
        name: str,
        job: dict[str, Any],
        doc: dict[str, Any],
        *,
        run_id: int,
        folder: Path,
        context: dict[str, Any],
    ) -> Job:
        github = context["github"]
        workspace = folder / name
        workspace.mkdir()
        env = self._runner_env(folder / f"{name}.home")
        env |= {
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": github["event_name"],
            "GITHUB_EVENT_PATH": str(folder / "event.json"),
            "GITHUB_SHA": github["sha"],
            "GITHUB_REF": github["ref"],
            "GITHUB_REF_NAME": github["ref"].rsplit("/", 1)[-1],
            "GITHUB_REPOSITORY": REPOSITORY,
            "GITHUB_REPOSITORY_OWNER": REPOSITORY.split("/")[0],
            "GITHUB_API_URL": self.github.url,
            "GITHUB_SERVER_URL": "https://github.example",
            "GITHUB_RUN_ID": str(run_id),
            "GITHUB_RUN_NUMBER": "1",
            "GITHUB_RUN_ATTEMPT": "1",
            "GITHUB_WORKFLOW": doc["name"],
            "GITHUB_WORKFLOW_REF": f"{REPOSITORY}/{WORKFLOW}@{github['ref']}",
            "GITHUB_JOB": name,
            "GITHUB_ACTOR": "octo",
            "GITHUB_WORKSPACE": str(workspace),
            "RUNNER_OS": "Linux",
            "RUNNER_TEMP": str(folder / f"{name}.tmp"),
        }
        if github["event_name"] == "pull_request":
            pull = github["event"]["pull_request"]
            env |= {"GITHUB_HEAD_REF": pull["head"]["ref"], "GITHUB_BASE_REF": pull["base"]["ref"]}
        (folder / f"{name}.tmp").mkdir()
        context["env"] = env | {k: str(v) for k, v in doc.get("env", {}).items()}
        context["env"] |= {k: str(v) for k, v in job.get("env", {}).items()}
        summary = folder / f"{name}.summary.md"
        summary.touch()
        running = _Running(Job(name), context, workspace, summary)
        result = running.job
        for step in job["steps"]:
            label = step.get("name") or step.get("uses") or step["run"].split("\n")[0]
            status = {
                "success": result.passed,
                "failure": not result.passed,
                "always": True,
                "cancelled": False,
            }
            if not condition(step.get("if"), context, status):
                outcome, output = "skipped", ""
            else:
                outcome, output = self._step(step, running, status)
            result.steps.append(Step(label, outcome, output))
            if "id" in step:
                context["steps"].setdefault(step["id"], {"outputs": {}})
                context["steps"][step["id"]] |= {"outcome": outcome, "conclusion": outcome}
        result.summary = summary.read_text(encoding="utf-8")
        return result

    def _step(
        self, step: dict[str, Any], running: _Running, status: dict[str, bool]
    ) -> tuple[str, str]:
        context, workspace, job = running.context, running.workspace, running.job
        env = dict(context["env"])
        env |= {k: interpolate(str(v), context, status) for k, v in step.get("env", {}).items()}
        given = {k: interpolate(str(v), context, status) for k, v in step.get("with", {}).items()}
        if "uses" in step:
            return self._action(step["uses"].split("@")[0], given, context, workspace, job)
        assert "${{" not in step["run"], "a run: script takes expressions through env:"
        files = {n: workspace.parent / f"{job.name}.{n}" for n in ("output", "env")}
        for path in files.values():
            path.write_text("", encoding="utf-8")
        script = workspace.parent / f"{job.name}.step.sh"
        script.write_text(step["run"], encoding="utf-8")
        env |= {
            "GITHUB_OUTPUT": str(files["output"]),
            "GITHUB_ENV": str(files["env"]),
            "GITHUB_STEP_SUMMARY": str(running.summary),
        }
        done = subprocess.run(
            ["bash", "-e", str(script)],  # GitHub's shell for run: on Linux, unnamed
            cwd=workspace,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        if "id" in step:
            outputs = _key_values(files["output"].read_text(encoding="utf-8"))
            context["steps"][step["id"]] = {"outputs": outputs}
        context["env"] |= _key_values(files["env"].read_text(encoding="utf-8"))
        return ("success" if done.returncode == 0 else "failure"), done.stdout + done.stderr

    def _action(
        self,
        action: str,
        given: dict[str, str],
        context: dict[str, Any],
        workspace: Path,
        job: Job,
    ) -> tuple[str, str]:
        if action == "actions/checkout":
            for name, text in self.commits[context["github"]["sha"]].items():
                (workspace / name).parent.mkdir(parents=True, exist_ok=True)
                (workspace / name).write_text(text, encoding="utf-8")
            (workspace / "ci").mkdir(exist_ok=True)
            shutil.copy(CI / "reconciler_ci.py", workspace / "ci" / "reconciler_ci.py")
            return "success", f"checked out {context['github']['sha']}"
        if action == "actions/setup-python":
            return "success", f"python {sys.version.split()[0]} (the project's own environment)"
        if action == "aws-actions/configure-aws-credentials":
            return self._assume(given["role-to-assume"], given["aws-region"], context, job)
        if action == "actions/upload-artifact":
            path = workspace / given["path"]
            if not path.is_file():
                return "failure", f"no files were found with the path {given['path']}"
            run = next(r for r in self.github.runs if str(r.id) == context["env"]["GITHUB_RUN_ID"])
            run.artifacts[given["name"]] = GitHub.archive({path.name: path.read_bytes()})
            return "success", f"artifact {given['name']} uploaded"
        if action == "mikepenz/action-junit-report":
            found = (workspace / given["report_paths"]).is_file()
            return ("success", "report read") if found else ("failure", "no test report found")
        raise AssertionError(f"the runner does not know {action}")

    def _assume(self, role: str, region: str, context: dict[str, Any], job: Job) -> tuple[str, str]:
        """What the action does: GitHub's OIDC token for the role, the keys into the job."""
        if not role:
            return "failure", "Could not assume role: no role-to-assume"
        sts = boto3.client(
            "sts",
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id="unused",
            aws_secret_access_key="unused",
        )
        keys = sts.assume_role_with_web_identity(
            RoleArn=role, RoleSessionName="GitHubActions", WebIdentityToken="github-oidc-token"
        )["Credentials"]
        job.roles.append(role)
        context["env"] |= {
            "AWS_ACCESS_KEY_ID": keys["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": keys["SecretAccessKey"],
            "AWS_SESSION_TOKEN": keys["SessionToken"],
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
        }
        return "success", f"assumed {role}"

    def _runner_env(self, home: Path) -> dict[str, str]:
        """The runner machine: the project's own reconciler on the PATH (pip finds it installed
        and reaches no index), the emulator as AWS, no AWS files."""
        home.mkdir()
        nowhere = str(home / "no-aws-files")
        return {
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/bin", "/bin"]),
            "HOME": str(home),
            "LANG": "C.UTF-8",
            "PIP_NO_INDEX": "1",
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_CONFIG_FILE": nowhere,
            "AWS_SHARED_CREDENTIALS_FILE": nowhere,
            "AWS_EC2_METADATA_DISABLED": "true",
        }


def _key_values(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT / GITHUB_ENV: ``name=value`` lines and ``name<<DELIMITER`` blocks."""
    found: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            block = []
            for more in lines:
                if more == delimiter:
                    break
                block.append(more)
            found[name] = "\n".join(block)
        elif "=" in line:
            name, value = line.split("=", 1)
            found[name] = value
    return found

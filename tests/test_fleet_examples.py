"""The fleet examples: the GitHub workflow and the GitLab pipelines pass the schemas
check-jsonschema vendors (with the matrices `reconciler targets` generates put in them), the
Kubernetes manifests pass kubernetes-validate's offline schemas, every reconciler command in
them is one the reconciler accepts, and the Indexed Job's container command runs here, with
JOB_COMPLETION_INDEX set for every index, on the emulator; then the merge Job's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.cli import run_cli, user_env
from tests.fleet_org import make_org
from tests.test_ci_examples import check_command_line, github_scripts, gitlab_scripts, invocations

FLEET = Path(__file__).parent.parent / "examples" / "fleet"
KUBERNETES = FLEET / "kubernetes"
BIN = Path(sys.executable).parent
LISTED = """\
version: 1
role: {name: reconciler-baseline}
regions: [us-east-1, eu-west-1]
accounts: [{id: "111111111111"}, {id: "222222222222"}, {id: "333333333333"}]
"""


def tool(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / name), *args], capture_output=True, text=True, timeout=120, check=False
    )


def schema_check(schema: str, *paths: Path) -> None:
    done = tool("check-jsonschema", "--builtin-schema", schema, *map(str, paths))
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_github_workflow_and_its_generated_matrix_pass_the_schema(tmp_path: Path) -> None:
    workflow = FLEET / "github-actions.yml"
    schema_check("vendor.github-workflows", workflow)
    (tmp_path / "targets.yaml").write_text(LISTED)
    matrix = run_cli("targets", "--format", "github-matrix", "--shards", "3", cwd=tmp_path)
    assert matrix.returncode == 0, matrix.stderr
    doc = yaml.safe_load(workflow.read_text())
    assert (
        doc["jobs"]["shard"]["strategy"]["matrix"]
        == "${{ fromJSON(needs.targets.outputs.matrix) }}"
    )
    doc["jobs"]["shard"]["strategy"]["matrix"] = json.loads(matrix.stdout)  # as GitHub expands it
    doc["on"] = doc.pop(True)  # (PyYAML reads the key on: as true)
    expanded = tmp_path / "expanded.yml"
    expanded.write_text(yaml.safe_dump(doc))
    schema_check("vendor.github-workflows", expanded)
    assert [e["shard"] for e in json.loads(matrix.stdout)["include"]] == ["1/3", "2/3", "3/3"]


def test_the_gitlab_pipelines_and_the_generated_child_pass_the_schema(tmp_path: Path) -> None:
    schema_check("vendor.gitlab-ci", FLEET / "gitlab-ci.yml", FLEET / "gitlab-fleet-shard.yml")
    (tmp_path / "targets.yaml").write_text(LISTED)
    child = tmp_path / "fleet-pipeline.yml"
    done = run_cli(
        "targets", "--format", "gitlab-matrix", "--shards", "4", "--gitlab-include",
        "fleet/gitlab-fleet-shard.yml", "--output", str(child), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    schema_check("vendor.gitlab-ci", child)
    generated = yaml.safe_load(child.read_text())
    template = yaml.safe_load((FLEET / "gitlab-fleet-shard.yml").read_text())
    job = generated["reconciler-shard"]
    assert job["extends"] in template  # the hidden job holding the script
    assert job["parallel"]["matrix"] == [{"RECONCILER_SHARD": ["1/4", "2/4", "3/4", "4/4"]}]
    assert template["fleet-report"]["needs"] == [{"job": "reconciler-shard", "artifacts": True}]
    parent = yaml.safe_load((FLEET / "gitlab-ci.yml").read_text())
    assert parent["fleet"]["trigger"]["include"][0]["artifact"] == "fleet-pipeline.yml"


def test_every_reconciler_command_in_the_examples_is_one_it_accepts() -> None:
    calls = []
    calls += [
        a
        for s in github_scripts(yaml.safe_load((FLEET / "github-actions.yml").read_text()))
        for a in invocations(s)
    ]
    for name in ("gitlab-ci.yml", "gitlab-fleet-shard.yml"):
        doc = yaml.safe_load((FLEET / name).read_text())
        doc.update({k: v for k, v in doc.items() if k.startswith(".")})
        scripts = gitlab_scripts(doc) + list(doc.get(".reconciler-shard", {}).get("script", []))
        calls += [a for s in scripts for a in invocations(s)]
    for container in containers():
        calls += container_commands(container)
    assert {a[0] for a in calls} == {"targets", "apply", "drift", "merge"}
    for args in calls:
        check_command_line([a.replace("$SHARDS", "8") for a in args])  # the pipelines' variable


# -- Kubernetes ------------------------------------------------------------------------------


def manifests() -> list[dict[str, Any]]:
    return [d for p in sorted(KUBERNETES.glob("*.yaml")) for d in yaml.safe_load_all(p.read_text())]


def job_spec(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["spec"]["jobTemplate"]["spec"] if doc["kind"] == "CronJob" else doc["spec"]


def containers() -> list[dict[str, Any]]:
    return [
        c
        for d in manifests()
        if d["kind"] in ("Job", "CronJob")
        for c in job_spec(d)["template"]["spec"]["containers"]
    ]


def container_commands(container: dict[str, Any]) -> list[list[str]]:
    if container["command"] == ["reconciler"]:
        return [container["args"]]
    return invocations(container["args"][0].replace(";", "\n"))


def test_the_manifests_pass_kubernetes_validate() -> None:
    done = tool("kubernetes-validate", "--strict", *map(str, sorted(KUBERNETES.glob("*.yaml"))))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("passed") == len(manifests())


def test_the_configmap_holds_the_examples_files() -> None:
    config = next(d for d in manifests() if d["kind"] == "ConfigMap")
    assert config["data"] == {
        "targets.yaml": (FLEET / "targets.yaml").read_text(),
        "baseline.yaml": (FLEET / "baseline.yaml").read_text(),
    }


def by_name(name: str) -> dict[str, Any]:
    return next(d for d in manifests() if d["metadata"]["name"] == name)


def local(doc: dict[str, Any], root: Path, env: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """The container's command line and environment as the pod has them, its volumes'
    paths under ``root`` (the ConfigMap's files written there, as Kubernetes mounts them)."""
    spec = job_spec(doc)["template"]["spec"]
    container = spec["containers"][0]
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    config = next(d for d in manifests() if d["kind"] == "ConfigMap")
    for volume in spec["volumes"]:
        where = root / mounts[volume["name"]].strip("/")
        where.mkdir(parents=True, exist_ok=True)
        if "configMap" in volume:
            for name, text in config["data"].items():
                (where / name).write_text(text)

    def moved(text: str) -> str:
        for path in mounts.values():
            text = text.replace(path, str(root / path.strip("/")))
        return text

    variables = {}
    for entry in container.get("env", []):
        secret = entry.get("valueFrom", {}).get("secretKeyRef")
        variables[entry["name"]] = "test-external-id" if secret else entry["value"]
    return [moved(a) for a in [*container["command"], *container["args"]]], {**env, **variables}


def run_pod(argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    if argv[0] == "reconciler":
        argv = [sys.executable, "-m", "reconciler", *argv[1:]]
    else:  # sh -c '... reconciler ...': the same interpreter's reconciler
        argv = [*argv[:-1], argv[-1].replace("reconciler ", f"{sys.executable} -m reconciler ")]
    return subprocess.run(
        argv, cwd=cwd, env={**os.environ, **env}, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip


@pytest.mark.parametrize("job", ["reconciler-apply", "reconciler-drift"])
def test_the_indexed_job_runs_for_every_index_then_the_merge(
    endpoint: str, tmp_path: Path, job: str
) -> None:
    org = make_org(endpoint, {
        "/workloads/web": [("web-a", {"baseline": "on"}), ("web-b", {"baseline": "on"})],
        "/workloads/data": [
            ("data-a", {"baseline": "on"}),
            ("frozen", {"baseline": "on", "frozen": "1"}),
        ],
        "/sandbox": [("sandbox", {"baseline": "on"})],
    })  # fmt: skip
    env = {**user_env(tmp_path, endpoint=endpoint, secret="hub-secret")}
    root = tmp_path / "pod"
    doc = by_name(job)
    spec = job_spec(doc)
    argv, pod_env = local(doc, root, env)
    assert spec["completionMode"] == "Indexed"
    assert pod_env["RECONCILER_SHARD_TOTAL"] == str(spec["completions"])
    if job == "reconciler-drift":  # the baseline applied first, as the apply Job does
        apply_argv, apply_env = local(by_name("reconciler-apply"), root, env)
        for index in range(spec["completions"]):
            run_pod(apply_argv, {**apply_env, "JOB_COMPLETION_INDEX": str(index)}, tmp_path)
    for index in range(spec["completions"]):
        done = run_pod(argv, {**pod_env, "JOB_COMPLETION_INDEX": str(index)}, tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
    kind = job.removeprefix("reconciler-")
    written = sorted(p.name for p in (root / "results" / kind).iterdir())
    assert written == [f"{kind}-{k}-of-4.json" for k in range(1, 5)]

    merge_argv, merge_env = local(by_name("reconciler-merge"), root, env)
    merge_argv[-1] = (
        merge_argv[-1]
        .replace("/results/apply", f"/results/{kind}")
        .replace("apply-report", f"{kind}-report")
    )
    merged = run_pod(merge_argv, merge_env, tmp_path)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    report = json.loads((root / "results" / f"{kind}-report.json").read_text())
    selected = {org.accounts[n] for n in ("web-a", "web-b", "data-a")} | {"210987654321"}
    assert {t["account"] for t in report["targets"]} == selected
    assert report["counts"]["total"] == 3 * 2 + 1  # log-archive: one region
    assert report["status"] == "SUCCEEDED"
    outcome = "succeeded" if kind == "apply" else "in_sync"
    assert report["counts"][outcome] == 7
    assert (root / "results" / f"{kind}-report.html").read_text().startswith("<!DOCTYPE html>")

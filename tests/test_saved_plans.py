"""What was approved is what runs: a saved plan is bound to its spec, made again at apply and
applied only if nothing differs; the executor re-checks the contract's safety rules at every
destructive step, whatever a plan says. Real processes against the emulator, as a CI job runs
them, and the executor handed forged steps directly."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from reconciler.apply.executor import Executor
from reconciler.apply.guard import Guard
from reconciler.aws.s3 import S3Client
from reconciler.aws.transport import Transport
from reconciler.kinds.bucket.live import LiveBucket
from reconciler.kinds.bucket.plan import fingerprint
from reconciler.plan.model import Action, AspectChange, Plan, ResourceChange
from tests.cli import run_cli, user_env
from tests.reconcile import Harness, spec_file

SPEC = """\
version: 1
stack: saved
buckets:
  saved-site:
    versioning: enabled
    tags: {team: web}
    policy:
      Version: "2012-10-17"
      Statement:
        - Sid: DenyTorrents
          Effect: Deny
          Principal: "*"
          Action: "s3:GetObjectTorrent"
          Resource: "arn:aws:s3:::saved-site/*"
"""


@pytest.fixture
def env(endpoint: str, tmp_path: Path) -> dict[str, str]:
    (tmp_path / "reconciler.yaml").write_text(SPEC, encoding="utf-8")
    return user_env(tmp_path, endpoint=endpoint, secret="saved-secret")


def _plan(tmp_path: Path, env: dict[str, str], *args: str) -> dict[str, Any]:
    done = run_cli("plan", "--out", "plan.json", *args, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    document: dict[str, Any] = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    return document


def _refused(tmp_path: Path, env: dict[str, str], document: dict[str, Any], *args: str) -> str:
    (tmp_path / "plan.json").write_text(json.dumps(document), encoding="utf-8")
    done = run_cli("apply", "plan.json", *args, cwd=tmp_path, env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "done " not in done.stdout  # nothing was written
    return done.stderr


def _change(document: dict[str, Any], address: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in document["changes"] if c["address"] == address)
    return found


def _aspect(change: dict[str, Any], aspect: str) -> dict[str, Any]:
    found: dict[str, Any] = next(a for a in change["aspects"] if a["aspect"] == aspect)
    return found


def test_a_saved_plan_records_its_spec_and_is_applied_when_nothing_differs(
    env: dict[str, str], tmp_path: Path, boto_s3: Any
) -> None:
    document = _plan(tmp_path, env)
    assert document["spec"]["given"] == ["reconciler.yaml"]
    (recorded,) = document["spec"]["files"]
    assert recorded["path"] == "reconciler.yaml"
    assert recorded["digest"].startswith("sha256:")
    assert document["spec"]["variables_digest"].startswith("sha256:")

    applied = run_cli("apply", "plan.json", cwd=tmp_path, env=env)
    assert applied.returncode == 0, applied.stderr
    assert "Apply complete" in applied.stdout
    assert boto_s3.get_bucket_versioning(Bucket="saved-site")["Status"] == "Enabled"


def test_an_added_delete_of_a_bucket_the_stack_does_not_own_is_refused(
    env: dict[str, str], tmp_path: Path, boto_s3: Any
) -> None:
    """The forged change carries the fingerprint the victim really has (anyone can compute
    it): only planning again shows that the spec asks for no such thing."""
    boto_s3.create_bucket(Bucket="saved-victim")
    boto_s3.put_object(Bucket="saved-victim", Key="precious", Body=b"data")
    document = _plan(tmp_path, env)
    victim = LiveBucket(name="saved-victim", exists=True, region="us-east-1", empty=False)
    forged = ResourceChange(
        address="bucket.saved-victim",
        kind="bucket",
        name="saved-victim",
        action=Action.DELETE,
        region="us-east-1",
        force_destroy=True,
        **fingerprint(victim, []),
    )
    document["changes"].append(forged.to_json())

    stderr = _refused(tmp_path, env, document)
    assert (
        "bucket.saved-victim: the saved plan would delete it; a plan made now has no change for it"
        in stderr
    )
    assert boto_s3.get_object(Bucket="saved-victim", Key="precious")["Body"].read() == b"data"
    assert "saved-site" not in {b["Name"] for b in boto_s3.list_buckets()["Buckets"]}


def test_a_policy_changed_in_the_plan_file_is_refused(
    env: dict[str, str], tmp_path: Path, boto_s3: Any
) -> None:
    document = _plan(tmp_path, env)
    policy = _aspect(_change(document, "bucket.saved-site"), "policy")
    policy["after"]["Statement"] = [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}
    ]

    stderr = _refused(tmp_path, env, document)
    assert "bucket.saved-site: policy: its after value differs" in stderr
    assert boto_s3.list_buckets()["Buckets"] == []


def test_an_aspect_removed_from_the_plan_file_is_refused(
    env: dict[str, str], tmp_path: Path
) -> None:
    document = _plan(tmp_path, env)
    change = _change(document, "bucket.saved-site")
    change["aspects"] = [a for a in change["aspects"] if a["aspect"] != "versioning"]

    stderr = _refused(tmp_path, env, document)
    assert "bucket.saved-site: versioning: a plan made now would create it, the saved plan not" in (
        stderr
    )


def test_an_update_turned_into_a_replace_is_refused(
    env: dict[str, str], tmp_path: Path, boto_s3: Any
) -> None:
    assert run_cli("apply", "--auto-approve", cwd=tmp_path, env=env).returncode == 0
    boto_s3.put_bucket_versioning(
        Bucket="saved-site", VersioningConfiguration={"Status": "Suspended"}
    )
    boto_s3.put_object(Bucket="saved-site", Key="kept", Body=b"kept")
    document = _plan(tmp_path, env)
    change = _change(document, "bucket.saved-site")
    assert change["action"] == "update"
    change.update(action="replace", previous_region="us-east-1", force_destroy=True)

    stderr = _refused(tmp_path, env, document)
    assert "bucket.saved-site: the saved plan would replace it, a plan made now update" in stderr
    assert boto_s3.get_object(Bucket="saved-site", Key="kept")["Body"].read() == b"kept"


def test_a_spec_edited_after_the_plan_was_saved_is_refused(
    env: dict[str, str], tmp_path: Path
) -> None:
    document = _plan(tmp_path, env)
    (tmp_path / "reconciler.yaml").write_text(SPEC.replace("enabled", "suspended"), "utf-8")

    stderr = _refused(tmp_path, env, document)
    assert "plan.json: the plan was made from a different spec: reconciler.yaml changed" in stderr


def test_a_spec_file_added_after_the_plan_was_saved_is_refused(
    env: dict[str, str], tmp_path: Path
) -> None:
    infra = tmp_path / "infra"
    infra.mkdir()
    shutil.move(tmp_path / "reconciler.yaml", infra / "site.yaml")
    document = _plan(tmp_path, env, "-f", "infra")
    assert document["spec"]["given"] == ["infra"]
    (infra / "more.yaml").write_text(
        "version: 1\nstack: saved\nbuckets: {saved-more: {}}\n", encoding="utf-8"
    )

    stderr = _refused(tmp_path, env, document)
    assert "the plan was made from a different spec: infra/more.yaml was added" in stderr


def test_a_saved_plan_applied_where_its_spec_is_absent_is_refused(
    env: dict[str, str], tmp_path: Path
) -> None:
    document = _plan(tmp_path, env)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "plan.json").write_text(json.dumps(document), encoding="utf-8")

    done = run_cli("apply", "plan.json", cwd=elsewhere, env=env)
    assert done.returncode == 1
    assert "plan.json: the plan was made from a different spec: reconciler.yaml is missing" in (
        done.stderr
    )


def test_a_saved_plan_made_with_other_variables_is_refused(
    env: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "reconciler.yaml").write_text(
        SPEC.replace("team: web", 'team: "${var.team}"').replace(
            "stack: saved", "stack: saved\nvars: {team: web}"
        ),
        "utf-8",
    )
    document = _plan(tmp_path, env, "--var", "team=data")

    stderr = _refused(tmp_path, env, document)
    assert "the plan was made with other variables: give apply the same --var" in stderr
    applied = run_cli("apply", "plan.json", "--var", "team=data", cwd=tmp_path, env=env)
    assert applied.returncode == 0, applied.stderr


def test_a_saved_destroy_plan_needs_destroy_on_the_command_line(
    env: dict[str, str], tmp_path: Path, boto_s3: Any
) -> None:
    assert run_cli("apply", "--auto-approve", cwd=tmp_path, env=env).returncode == 0
    done = run_cli("plan", "--destroy", "--out", "plan.json", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    document = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    assert document["mode"] == "destroy"

    stderr = _refused(tmp_path, env, document)
    assert "this is a destroy plan (plan --destroy)" in stderr
    assert "reconciler apply --destroy plan.json" in stderr
    # The same changes passed off as an ordinary plan: made again, they are not what it says.
    document["mode"] = "plan"
    stderr = _refused(tmp_path, env, document)
    assert "bucket.saved-site: the saved plan would delete it" in stderr
    assert "saved-site" in {b["Name"] for b in boto_s3.list_buckets()["Buckets"]}

    document["mode"] = "destroy"
    (tmp_path / "plan.json").write_text(json.dumps(document), encoding="utf-8")
    destroyed = run_cli("apply", "--destroy", "plan.json", cwd=tmp_path, env=env)
    assert destroyed.returncode == 0, destroyed.stderr
    assert "saved-site" not in {b["Name"] for b in boto_s3.list_buckets()["Buckets"]}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (
            "[]",
            "not a plan this reconciler can apply: a plan file holds a JSON object, not an array",
        ),
        ("{}", "format_version None is not one this reconciler reads"),
        ('{"format_version": "7"}', "format_version 7 was written by a newer reconciler"),
        ('{"format_version": "1", "stack": "saved"', "not a reconciler plan file: not JSON"),
        ("plan", "not a reconciler plan file: not JSON"),
        ('{"format_version": "1", "stack": "saved"}', "mode: Field required (and 4 more problems)"),
    ],
)
def test_a_malformed_plan_file_is_one_line_naming_the_file(
    env: dict[str, str], tmp_path: Path, content: str, problem: str
) -> None:
    (tmp_path / "plan.json").write_text(content, encoding="utf-8")
    for command in ("apply", "show"):
        done = run_cli(command, "plan.json", cwd=tmp_path, env=env)
        assert done.returncode == 1
        assert "Traceback" not in done.stderr
        (line,) = done.stderr.strip().splitlines()
        assert line.startswith("Error: plan.json: ")
        assert problem in line


def test_a_plan_file_with_a_wrong_field_names_it(env: dict[str, str], tmp_path: Path) -> None:
    document = _plan(tmp_path, env)
    document["changes"][0]["action"] = "obliterate"
    stderr = _refused(tmp_path, env, document)
    assert "plan.json: not a plan this reconciler can apply: changes.0.action: Input should be" in (
        stderr
    )
    document["changes"][0]["action"] = "create"
    document["changes"][0]["address"] = "bucket.elsewhere"
    stderr = _refused(tmp_path, env, document)
    assert "changes.0: the address 'bucket.elsewhere' is not bucket.saved-site" in stderr


# -- the executor's own checks, handed forged steps directly ----------------------------------


def _executor(s3: S3Client, spec: Any) -> Executor:
    return Executor(s3, guard=Guard(spec, default_region="us-east-1"), parallelism=1)


def _only(change: ResourceChange) -> Plan:
    return Plan(stack="saved", spec_digest="sha256:forged", changes=(change,))


def _delete(name: str, *, force: bool) -> ResourceChange:
    return ResourceChange(
        address=f"bucket.{name}",
        kind="bucket",
        name=name,
        action=Action.DELETE,
        region="us-east-1",
        force_destroy=force,
    )


def test_the_executor_refuses_to_delete_a_bucket_the_stack_does_not_own(
    tmp_path: Path, s3: S3Client, boto_s3: Any
) -> None:
    boto_s3.create_bucket(Bucket="saved-foreign")
    boto_s3.put_bucket_tagging(
        Bucket="saved-foreign", Tagging={"TagSet": [{"Key": "reconciler:stack", "Value": "other"}]}
    )
    boto_s3.create_bucket(Bucket="saved-untagged")
    spec = spec_file(tmp_path, SPEC).spec

    for name, carries in (
        ("saved-foreign", "it carries reconciler:stack=other"),
        ("saved-untagged", "it has no reconciler:stack tag"),
    ):
        report = _executor(s3, spec).apply(_only(_delete(name, force=False)))
        (result,) = report.results
        assert result.status == "failed"
        assert result.reason == (
            f"bucket.{name}: refused: {carries}, not reconciler:stack=saved: the reconciler "
            "never deletes what it does not own"
        )
    assert {"saved-foreign", "saved-untagged"} <= {
        b["Name"] for b in boto_s3.list_buckets()["Buckets"]
    }


def test_the_executor_refuses_to_delete_or_empty_a_bucket_holding_objects(
    tmp_path: Path, s3: S3Client, boto_s3: Any
) -> None:
    boto_s3.create_bucket(Bucket="saved-full")
    boto_s3.put_bucket_tagging(
        Bucket="saved-full", Tagging={"TagSet": [{"Key": "reconciler:stack", "Value": "saved"}]}
    )
    boto_s3.put_object(Bucket="saved-full", Key="a", Body=b"a")
    spec = spec_file(tmp_path, SPEC).spec  # does not declare saved-full: at most pruned

    kept = _executor(s3, spec).apply(_only(_delete("saved-full", force=False)))
    assert "refused: the bucket still holds objects" in (kept.results[0].reason or "")
    emptied = _executor(s3, spec).apply(_only(_delete("saved-full", force=True)))
    assert "refused: deleting its objects needs state: absent and force_destroy: true" in (
        emptied.results[0].reason or ""
    )
    assert boto_s3.get_object(Bucket="saved-full", Key="a")["Body"].read() == b"a"

    absent = spec_file(
        tmp_path,
        "version: 1\nstack: saved\nbuckets:\n  saved-full: {state: absent, force_destroy: true}\n",
    ).spec
    report = _executor(s3, absent).apply(_only(_delete("saved-full", force=True)))
    assert report.ok, report.results
    assert "saved-full" not in {b["Name"] for b in boto_s3.list_buckets()["Buckets"]}


def test_the_executor_refuses_a_delete_of_a_bucket_the_spec_declares_present(
    tmp_path: Path, s3: S3Client, transport: Transport
) -> None:
    loaded = spec_file(tmp_path, SPEC)
    harness = Harness(s3, transport)
    harness.apply(loaded)
    report = _executor(s3, loaded.spec).apply(_only(_delete("saved-site", force=False)))
    assert report.results[0].reason == (
        "bucket.saved-site: refused: the spec declares the bucket present; it is not deleted"
    )


def test_the_executor_writes_only_the_spec_s_values(
    tmp_path: Path, s3: S3Client, boto_s3: Any, transport: Transport
) -> None:
    loaded = spec_file(tmp_path, SPEC)
    Harness(s3, transport).apply(loaded)
    public = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}
        ],
    }
    change = ResourceChange(
        address="bucket.saved-site",
        kind="bucket",
        name="saved-site",
        action=Action.UPDATE,
        region="us-east-1",
        aspects=(AspectChange("policy", Action.UPDATE, None, public),),
    )
    report = _executor(s3, loaded.spec).apply(_only(change))
    assert (
        report.results[0].reason
        == "bucket.saved-site: refused: the policy to write is not the spec's"
    )
    assert "DenyTorrents" in boto_s3.get_bucket_policy(Bucket="saved-site")["Policy"]

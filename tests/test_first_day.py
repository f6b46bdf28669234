"""What a newcomer's first day runs into, each said plainly: a ``--var`` the spec does not know,
``-f DIR`` over a tree that holds other YAML (a ``--var-file``, a CI pipeline), the emulator's
exports for the AWS CLI and boto3, a tab in YAML, a ``--target`` that names nothing (refused
before any request), one layout for every warning, a value removed shown as the spec writes
it, and the schema line ``import`` writes wherever the spec goes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reconciler import importer
from reconciler.emulator import export_lines
from reconciler.live.model import LiveBucket, LiveState
from reconciler.plan.model import Diagnostic
from reconciler.report import plan_text
from tests.cli import run_cli, user_env
from tests.reconcile import Harness, spec_file

SPEC = """\
version: 1
stack: first
vars: {env: dev}
buckets:
  first-${var.env}-site: {versioning: enabled}
"""


def test_a_var_the_spec_does_not_know_is_refused(tmp_path: Path) -> None:
    (tmp_path / "reconciler.yaml").write_text(SPEC)
    typo = run_cli("validate", "--var", "evn=prod", cwd=tmp_path)
    assert typo.returncode == 1
    assert "--var evn: the spec neither declares nor uses this variable; did you mean env?" in (
        typo.stderr
    )
    assert run_cli("validate", "--var", "env=prod", cwd=tmp_path).returncode == 0
    # Used without being declared is known too; a variables file may hold more than one spec uses.
    (tmp_path / "reconciler.yaml").write_text(SPEC.replace("vars: {env: dev}\n", ""))
    (tmp_path / "shared.yaml").write_text("env: qa\nteam: web\n")
    shared = run_cli("validate", "--var-file", "shared.yaml", cwd=tmp_path)
    assert shared.returncode == 0, shared.stderr


def test_a_directory_reads_the_specs_below_it_and_names_what_it_skips(tmp_path: Path) -> None:
    infra = tmp_path / "infra"
    infra.mkdir()
    (infra / "site.yaml").write_text(SPEC)
    (infra / "prod.yaml").write_text("env: prod\n")
    (infra / ".gitlab-ci.yml").write_text("stages: [plan]\nplan:\n  script: [reconciler plan]\n")
    done = run_cli("validate", "-f", "infra", "--var-file", "infra/prod.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "from 1 file(s)" in done.stdout
    skipped = [line for line in done.stderr.splitlines() if "skipped: not a spec" in line]
    assert [line.split(":")[0] for line in skipped] == ["infra/.gitlab-ci.yml", "infra/prod.yaml"]
    assert skipped[0].startswith("infra/.gitlab-ci.yml:1:1: warning: skipped: not a spec (")

    # A file named on its own is a spec, whatever it holds; a tree with no spec says so.
    alone = run_cli("validate", "-f", "infra/prod.yaml", cwd=tmp_path)
    assert alone.returncode == 1
    assert "missing required field 'version'" in alone.stderr
    (infra / "site.yaml").unlink()
    empty = run_cli("validate", "-f", "infra", cwd=tmp_path)
    assert empty.returncode == 1
    assert "no spec file was found: skipped infra/.gitlab-ci.yml, infra/prod.yaml" in empty.stderr


def test_the_emulator_exports_the_region_every_tool_reads() -> None:
    exported = " ".join(export_lines("http://127.0.0.1:1"))
    assert "AWS_REGION=us-east-1" in exported
    assert "AWS_DEFAULT_REGION=us-east-1" in exported


def test_a_tab_in_yaml_is_named(tmp_path: Path) -> None:
    (tmp_path / "reconciler.yaml").write_text(
        "version: 1\nstack: first\nbuckets:\n  first-site:\n\tversioning: enabled\n"
    )
    done = run_cli("validate", cwd=tmp_path)
    assert done.returncode == 1
    assert "reconciler.yaml:5:1: YAML syntax error: found a tab" in done.stderr
    assert "YAML indents with spaces, never tabs" in done.stderr


def test_a_target_that_names_nothing_is_refused_before_any_request(tmp_path: Path) -> None:
    (tmp_path / "reconciler.yaml").write_text(SPEC)
    # Nothing listens there: a single request would fail the command another way.
    env = user_env(tmp_path, endpoint="http://127.0.0.1:9", secret="first-secret")
    done = run_cli("plan", "--target", "bucket.first-dev-sit", cwd=tmp_path, env=env)
    assert done.returncode == 1
    assert (
        "error: bucket.first-dev-sit: --target names no resource this spec declares "
        "(did you mean bucket.first-dev-site?)"
    ) in done.stdout
    assert "0 API requests" in done.stderr


def test_every_warning_has_one_layout(tmp_path: Path) -> None:
    (tmp_path / "reconciler.yaml").write_text(
        SPEC.replace("{versioning: enabled}", "{acl: public-read}")
    )
    spec_warning = run_cli("validate", cwd=tmp_path).stderr.splitlines()[0]
    assert spec_warning.startswith("reconciler.yaml:5:32: warning: buckets.first-dev-site.acl: ")
    plan_warning = Diagnostic("warning", "bucket.b", "kept", "reconciler.yaml:5:3")
    assert str(plan_warning) == "reconciler.yaml:5:3: warning: bucket.b: kept"
    shown = plan_text.diagnostic_lines([plan_warning.to_json()], plan_text.plain)
    assert "reconciler.yaml:5:3: warning: bucket.b: kept" in shown


def test_a_removed_value_is_shown_as_the_spec_writes_it(
    tmp_path: Path, s3: Any, transport: Any
) -> None:
    logged = """\
    version: 1
    stack: first
    buckets:
      first-logs: {acl: log-delivery-write, object_ownership: ObjectWriter}
      first-site: {logging: {target_bucket: first-logs, target_prefix: site/}}
    """
    harness = Harness(s3, transport)
    harness.apply(spec_file(tmp_path, logged))
    removed = harness.plan(
        spec_file(
            tmp_path,
            logged.replace(
                "{logging: {target_bucket: first-logs, target_prefix: site/}}", "{logging: false}"
            ),
        )
    )
    text = plan_text.render(removed.to_json())
    assert '- logging: {"target_bucket": "first-logs", "target_prefix": "site/"}' in text
    assert "target_grants" not in text


def test_import_points_at_the_schema_only_where_there_is_one(tmp_path: Path) -> None:
    live = LiveState(buckets={"first-a": LiveBucket(name="first-a", exists=True)})
    outside = tmp_path / "elsewhere" / "infra.yaml"
    outside.parent.mkdir()
    request = importer.ImportRequest(stack="first", buckets=("first-a",), output=str(outside))
    first_line = importer.render(live, request).text.splitlines()[0]
    assert "yaml-language-server" not in first_line  # no schema to point at
    assert first_line.startswith("# For completion in an editor: reconciler schema -o ")

    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "reconciler.schema.json").write_text("{}")
    inside = tmp_path / "stacks" / "web" / "infra.yaml"
    request = importer.ImportRequest(stack="first", buckets=("first-a",), output=str(inside))
    assert importer.render(live, request).text.splitlines()[0] == (
        "# yaml-language-server: $schema=../../schemas/reconciler.schema.json"
    )

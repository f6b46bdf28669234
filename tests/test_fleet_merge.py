"""Merging shards' result files into the fleet report: every target once (a retry's result
replacing the first run's), what is missing or mixed said as problems, the StackSets status
and counts, the exit code, and the report in every format (the JSON against its published
schema, JUnit as CI tools read it, HTML self-contained)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from reconciler.errors import ConfigError
from reconciler.fleet.merge import merge
from reconciler.fleet.render import render
from reconciler.fleet.results import ResultFile, Rollout, Shard, TargetResult, dumps, read_document
from reconciler.fleet.rollout import Amount
from tests.cli import run_cli
from tests.report_checks import _Reader, junit_cases, valid_json_report

SCHEMAS = Path(__file__).parent.parent / "schemas"
WHEN = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)

DRIFTED = {
    "format_version": "1",
    "stack": "base",
    "mode": "drift",
    "include_unmanaged": False,
    "summary": {"managed": 2, "in_sync": 1, "drifted": 1, "missing": 0, "unmanaged": 0, "error": 0},
    "resources": [
        {"address": "bucket.b-1", "kind": "bucket", "name": "b-1", "status": "drifted",
         "differences": [{"path": "tags.team", "expected": "web", "actual": "<b>x</b>",
                          "type": "not_equal"}]},
        {"address": "bucket.b-2", "kind": "bucket", "name": "b-2", "status": "in_sync",
         "differences": []},
    ],
    "diagnostics": [],
}  # fmt: skip


def entry(account: int, region: str, outcome: str, shard: int, **extra: Any) -> TargetResult:
    acct = f"{account:012d}"
    return TargetResult(
        target=f"{acct}/{region}",
        account=acct,
        region=region,
        shard=shard,
        outcome=outcome,  # type: ignore[arg-type]
        started_at=WHEN,
        ended_at=WHEN,
        ou="/prod" if account % 2 else "/dev",
        **extra,
    )


def result_file(
    index: int, total: int, targets: list[TargetResult], *, command: str = "drift", **extra: Any
) -> ResultFile:
    return ResultFile(
        format_version="1",
        kind="reconciler-fleet-result",
        command=command,  # type: ignore[arg-type]
        stack="base",
        reconciler_version="0.1.0",
        targets_digest=extra.pop("digest", "sha256:fleet"),
        fleet_size=extra.pop("fleet_size", 6),
        shard=Shard(index=index, total=total),
        started_at=WHEN,
        ended_at=WHEN,
        targets=targets,
        **extra,
    )


def shards() -> list[ResultFile]:
    return [
        result_file(1, 2, [
            entry(1, "us-east-1", "in_sync", 1),
            entry(1, "eu-west-1", "drifted", 1, reason="1 drifted", report=DRIFTED),
            entry(2, "us-east-1", "failed", 1, reason="cannot assume role", error_kind="denied"),
        ]),
        result_file(2, 2, [
            entry(3, "us-east-1", "in_sync", 2),
            entry(3, "eu-west-1", "in_sync", 2),
            entry(4, "us-east-1", "in_sync", 2),
        ]),
    ]  # fmt: skip


def test_every_target_is_counted_once_failing_first() -> None:
    report = merge(shards(), sources=["a.json", "b.json"])
    assert report.counts.model_dump() == {
        "total": 6, "succeeded": 0, "failed": 1, "drifted": 1, "in_sync": 4, "not_started": 0,
    }  # fmt: skip
    assert [t.target for t in report.targets][:2] == [
        "000000000002/us-east-1",
        "000000000001/eu-west-1",
    ]
    assert report.status == "PARTIAL_SUCCESS"
    assert report.problems == []
    assert report.shards.model_dump() == {"total": 2, "found": [1, 2], "missing": []}
    assert report.rollups["region"]["us-east-1"].total == 4
    assert report.rollups["ou"]["/prod"].model_dump()["in_sync"] == 3
    assert report.rollups["account"]["000000000002"].failed == 1


def test_a_retry_replaces_the_targets_it_ran_again() -> None:
    retried = result_file(1, 2, [entry(2, "us-east-1", "in_sync", 1)], retry=True)
    report = merge([*shards(), retried], sources=["a", "b", "c"])
    assert report.counts.total == 6
    assert report.counts.failed == 0
    assert report.status == "SUCCEEDED"


def test_what_is_missing_or_mixed_is_a_problem_and_fails_the_report() -> None:
    first, second = shards()
    report = merge([first], sources=["a.json"])
    assert report.status == "FAILED"
    assert report.problems == [
        "no result file for shard(s) 2 of 2: their targets are not in this report"
    ]
    other = result_file(2, 2, second.targets, digest="sha256:another")
    mixed = merge([first, other], sources=["a.json", "b.json"])
    assert mixed.problems == [
        "b.json comes from another fleet than a.json (the targets file or the organization "
        "changed between the shards' runs)"
    ]
    short = merge([first, result_file(2, 2, second.targets[:1])], sources=["a", "b"])
    assert short.problems == ["2 of the fleet's 6 targets are in no result file"]
    with pytest.raises(ConfigError, match=r"a\.json and a-again\.json are both shard 1 of 2"):
        merge([first, first], sources=["a.json", "a-again.json"])
    with pytest.raises(ConfigError, match=r"b\.json: a result of apply, and a\.json of drift"):
        merge([first, result_file(2, 2, [], command="apply")], sources=["a.json", "b.json"])
    with pytest.raises(ConfigError, match=r"split the fleet differently \(shards of 2, 3\)"):
        merge([first, result_file(2, 3, [])], sources=["a", "b"])


def test_the_tolerance_decides_partial_success() -> None:
    ran = shards()
    assert merge(ran, sources=["a", "b"], tolerance=Amount(0)).status == "FAILED"
    assert merge(ran, sources=["a", "b"], tolerance=Amount(20, True)).status == "PARTIAL_SUCCESS"
    stopped = ran[0].model_copy(
        update={"rollout": Rollout(max_concurrent="2", failure_tolerance="0", exceeded=True)}
    )
    found = merge([stopped, ran[1]], sources=["a", "b"])
    assert found.status == "FAILED"
    assert found.failure_tolerance == "0"
    nothing = result_file(1, 1, [entry(9, "us-east-1", "failed", 1)], fleet_size=1)
    assert merge([nothing], sources=["x"]).status == "FAILED"  # nothing succeeded


def test_the_report_in_every_format(tmp_path: Path) -> None:
    report = merge(shards(), sources=["a", "b"])
    data = json.loads(render(report, "json"))
    schema = json.loads((SCHEMAS / "fleet-report.schema.json").read_text())
    jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)
    valid_json_report(json.dumps(data["targets"][1]["report"]))  # a drift report, as drift's

    text = render(report, "text")
    assert text.splitlines()[:3] == [
        "Fleet drift: PARTIAL_SUCCESS: 6 target(s): 4 in sync, 1 drifted, 1 failed (denied 1), "
        "0 not started; shards 2 of 2.",
        "  ✗ 000000000002/us-east-1: failed (denied): cannot assume role",
        "  ~ 000000000001/eu-west-1: drifted: 1 drifted",
    ]
    assert '      tags.team: expected "web", live has "<b>x</b>"' in text

    markdown = render(report, "markdown")
    assert markdown.index("### Failing targets") < markdown.index("### Drifted targets")
    row = "| <code>000000000002/us-east-1</code> |  | /dev | ⛔ failed (denied) |"
    assert f"{row} cannot assume role |" in markdown
    assert "&lt;b&gt;x&lt;/b&gt;" in markdown  # escaped
    assert "<b>x</b>" not in markdown

    page = render(report, "html")
    reader = _Reader()
    reader.feed(page)
    assert reader.problems == []
    assert reader.open == []
    assert "script" not in reader.tags
    assert "svg" in reader.tags  # the drift chart, of every target's resources
    assert page.index("Failing targets") < page.index("By account") < page.index("Drifted targets")
    assert "<b>x</b>" not in page

    cases = junit_cases(render(report, "junit"), tmp_path)
    assert set(cases) == {"drift", "bucket.b-1", "bucket.b-2"}
    from junitparser import JUnitXml

    path = tmp_path / "fleet.xml"
    path.write_text(render(report, "junit"))
    suites = {s.name: s for s in JUnitXml.fromfile(str(path))}
    assert len(suites) == 6  # one per target
    assert suites["drift.000000000001/eu-west-1"].failures == 1
    assert suites["drift.000000000002/us-east-1"].errors == 1
    assert suites["drift.000000000004/us-east-1"].tests == 1


def test_merge_reads_files_and_directories_and_exits_by_the_whole(tmp_path: Path) -> None:
    first, second = shards()
    folder = tmp_path / "results"
    folder.mkdir()
    (folder / "1.json").write_text(dumps(first))
    (folder / "2.json").write_text(dumps(second))
    done = run_cli("merge", str(folder), "--format", "markdown", "-o", str(tmp_path / "r.md"))
    assert done.returncode == 1, done.stderr  # a failed target
    assert "Fleet drift: PARTIAL_SUCCESS" in done.stderr
    assert (tmp_path / "r.md").read_text().startswith("<!-- reconciler fleet drift")
    healthy = result_file(1, 1, [entry(1, "us-east-1", "in_sync", 1)], fleet_size=1)
    (tmp_path / "ok.json").write_text(dumps(healthy))
    assert run_cli("merge", str(tmp_path / "ok.json")).returncode == 0
    drifted = result_file(1, 1, [entry(1, "us-east-1", "drifted", 1)], fleet_size=1)
    (tmp_path / "drift.json").write_text(dumps(drifted))
    assert run_cli("merge", str(tmp_path / "drift.json")).returncode == 2
    missing = run_cli("merge", str(folder / "1.json"))
    assert missing.returncode == 1
    assert "problem: no result file for shard(s) 2 of 2" in missing.stdout


def test_a_file_that_is_not_a_result_is_refused_by_name(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"kind": "reconciler-fleet-result", "format_version": "1", "targets": 3}')
    with pytest.raises(ConfigError) as raised:
        read_document(str(bad))
    assert str(raised.value).startswith(f"{bad}: not a valid reconciler-fleet-result document")
    (tmp_path / "plan.json").write_text('{"format_version": "1", "stack": "x"}')
    with pytest.raises(ConfigError, match="not a fleet result file or report"):
        read_document(str(tmp_path / "plan.json"))
    (tmp_path / "v2.json").write_text('{"format_version": "2", "kind": "reconciler-fleet-result"}')
    with pytest.raises(ConfigError, match="format_version '2'; this reconciler reads '1'"):
        read_document(str(tmp_path / "v2.json"))
    done = run_cli("merge", str(bad))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr

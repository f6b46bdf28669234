"""Nothing cut: a long policy change is shown whole in the text and Markdown plans and in every
drift format, as a line diff with unchanged lines folded. The rendered plans are pinned as
snapshots a reviewer can read (tests/snapshots/; UPDATE_SNAPSHOTS=1 rewrites them after a
deliberate change, for review)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from reconciler.aws.s3 import S3Client
from reconciler.aws.transport import Transport
from reconciler.report import drift_formats, plan_markdown, plan_text
from reconciler.report.values import diff_text
from tests.reconcile import Harness, spec_file

SNAPSHOTS = Path(__file__).parent / "snapshots"
BUCKET = "values-site"


def statement(index: int) -> dict[str, Any]:
    return {
        "Sid": f"ReadPrefix{index:02d}",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::1234567890{index:02d}:role/reader-{index:02d}"},
        "Action": ["s3:GetObject", "s3:GetObjectVersion"],
        "Resource": f"arn:aws:s3:::{BUCKET}/team-{index:02d}/*",
    }


def policy(count: int, *, edited: bool = False) -> dict[str, Any]:
    statements = [statement(i) for i in range(count)]
    if edited:
        statements[3]["Action"] = ["s3:GetObject"]
        statements.append(
            {
                "Sid": "DenyInsecureTransportLastStatement",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def spec_text(document: dict[str, Any]) -> str:
    return f"version: 1\nstack: values\nbuckets:\n  {BUCKET}:\n    policy: {json.dumps(document)}\n"


def check_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{path} differs; UPDATE_SNAPSHOTS=1 rewrites"


@pytest.fixture
def harness(s3: S3Client, transport: Transport) -> Harness:
    return Harness(s3, transport)


def test_a_long_policy_change_is_shown_whole_in_both_plans(
    tmp_path: Path, harness: Harness
) -> None:
    harness.apply(spec_file(tmp_path, spec_text(policy(14))))
    edited = policy(14, edited=True)
    assert len(json.dumps(edited)) > 3000
    plan = harness.plan(spec_file(tmp_path, spec_text(edited))).to_json()
    text = plan_text.render(plan)
    markdown = plan_markdown.render(plan)
    for shown in (text, markdown):
        assert '"Sid": "DenyInsecureTransportLastStatement"' in shown
        assert '"aws:SecureTransport": "false"' in shown
        assert "..." not in shown
        assert "…" not in shown
    check_snapshot("policy-statement-added.plan.txt", text)
    check_snapshot("policy-statement-added.plan.md", markdown)


def test_a_long_policy_drift_is_shown_whole_in_every_format(
    tmp_path: Path, harness: Harness, boto_s3: Any
) -> None:
    loaded = spec_file(tmp_path, spec_text(policy(14)))
    harness.apply(loaded)
    boto_s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(policy(14, edited=True)))
    report = harness.drift(loaded)
    for fmt in drift_formats.FORMATS:
        shown = drift_formats.render(report, fmt)
        assert "DenyInsecureTransportLastStatement" in shown, fmt
        assert "aws:SecureTransport" in shown, fmt
        assert "..." not in shown, fmt
    check_snapshot("policy-statement-added.drift.txt", drift_formats.render(report, "text"))


def test_the_line_diff_folds_long_unchanged_runs_and_keeps_context() -> None:
    before = {"rules": [{"id": f"r{i}", "days": i} for i in range(10)]}
    after = {"rules": [{"id": f"r{i}", "days": 99 if i == 5 else i} for i in range(10)]}
    assert diff_text(before, after) == [
        "  # (22 unchanged lines)",
        "      {",
        '        "id": "r5",',
        '-       "days": 5',
        '+       "days": 99',
        "      },",
        "      {",
        "  # (17 unchanged lines)",
    ]
    assert diff_text(None, {"a": 1}) == ["+ {", '+   "a": 1', "+ }"]

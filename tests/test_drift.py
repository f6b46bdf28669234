"""Drift against the emulator: for each aspect and for distributions, a change made with boto3
behind the spec's back appears in every report format with its path, expected and actual values;
a deleted resource is missing, an unrelated one unmanaged; the formats are read back by
independent readers (JSON Schema, a JUnit parser, a strict HTML reader)."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.aws.s3 import S3Client
from reconciler.aws.transport import Transport
from reconciler.drift import STATUSES, TYPE_WORDS, TYPES, Difference, DriftReport, ResourceDrift
from reconciler.plan.model import Action, Plan, ResourceChange
from reconciler.report import drift_formats, drift_markdown, plan_markdown
from reconciler.report.markup import md_code, md_value
from reconciler.report.values import inline, one_line
from reconciler.report.values import lines as value_lines
from tests.reconcile import Harness, made_by_hand, spec_file
from tests.report_checks import SCHEMA, html_text, junit_cases, valid_json_report
from tests.test_reconcile_aspects import CASES, MAIN, SPEC
from tests.test_reconcile_distributions import edit, find, site

#: One difference each case must show: path, expected (spec), actual (live), type.
SHOWN: dict[str, tuple[str, Any, Any, str]] = {
    "tags": ("tags.env", "prod", "dev", "not_equal"),
    "versioning": ("versioning", "enabled", "suspended", "not_equal"),
    "object_ownership": ("object_ownership", "BucketOwnerPreferred", "ObjectWriter", "not_equal"),
    "public_access_block": ("public_access_block.block_public_acls", True, False, "not_equal"),
    "acl": ("acl.grants[group:AllUsers]", None, "READ", "add"),
    "policy": ("policy.Statement[0].Action", "s3:GetObject", "s3:PutObject", "not_equal"),
    "policy deleted": ("policy", "<spec>", None, "remove"),
    "encryption": ("encryption.algorithm", "AES256", "aws:kms", "not_equal"),
    "lifecycle": ("lifecycle.rules[expire].expiration.days", 30, 7, "not_equal"),
    "lifecycle deleted": (
        "lifecycle.rules[expire]",
        {"enabled": True, "filter": {"prefix": "tmp/"}, "expiration": {"days": 30}},
        None,
        "remove",
    ),
    "cors": ("cors[0].max_age_seconds", 300, 60, "not_equal"),
    "website": ("website.index_document", "index.html", "home.html", "not_equal"),
    "logging": ("logging.target_prefix", "main/", "other/", "not_equal"),
    "accelerate": ("accelerate", "enabled", "suspended", "not_equal"),
    "object_lock": ("object_lock.days", 30, 7, "not_equal"),
    "replication": (
        "replication.rules[to-replica].destination.storage_class",
        "STANDARD_IA",
        "GLACIER",
        "not_equal",
    ),
    "replication deleted": ("replication", "<spec>", None, "remove"),
    "notifications": ("notifications.queues[new-objects].suffix", ".csv", ".json", "not_equal"),
}


def every_format(report: DriftReport, tmp_path: Path) -> dict[str, Any]:
    """Each format rendered and read back by an independent reader."""
    docs = {fmt: drift_formats.render(report, fmt) for fmt in drift_formats.FORMATS}
    return {
        "json": valid_json_report(docs["json"]),
        "text": docs["text"],
        "markdown": docs["markdown"],
        "html": html_text(docs["html"]),
        "html_source": docs["html"],
        "junit": junit_cases(docs["junit"], tmp_path),
    }


def assert_shown(read: dict[str, Any], address: str, *shown: Any) -> None:
    """``shown``: path, expected, actual and type of a difference ``address`` must show."""
    path, expected, actual, kind = shown
    (resource,) = [r for r in read["json"]["resources"] if r["address"] == address]
    assert resource["status"] == "drifted"
    found = {d["path"]: d for d in resource["differences"]}
    assert path in found, sorted(found)
    if expected != "<spec>":
        assert found[path]["expected"] == expected
    assert (found[path]["actual"], found[path]["type"]) == (actual, kind)
    expected = found[path]["expected"]
    # text: the path with both values whole, on its line or written out below it
    text_lines = read["text"].splitlines()
    at = next(i for i, x in enumerate(text_lines) if x.strip().startswith(f"{path}:"))
    for value in (expected, actual):
        if value is not None and inline(value) is not None:
            assert one_line(value) in text_lines[at]
        elif value is not None:
            below = "\n".join(text_lines[at + 1 :])
            assert all(line in below for line in value_lines(value))
    # markdown: a table row in the resource's section
    row = next(x for x in read["markdown"].splitlines() if x.startswith(f"| {md_code(path)} |"))
    assert f"| {md_value(expected)} | {md_value(actual)} | {TYPE_WORDS[kind]} |" in row
    # html: the path, and each value pretty-printed beside it
    assert path in read["html"]
    for value in (expected, actual):
        if value is not None:
            assert html.escape(json.dumps(value, indent=2), quote=True) in read["html_source"]
    # junit: the resource's test case fails, naming the difference
    case = read["junit"][address]
    assert not case.is_passed
    (failure,) = case.result
    assert failure.type == "drifted"
    if inline(expected) is None or inline(actual) is None:
        header = {
            "add": "not in the spec, live has:",
            "remove": "live has none, the spec expects:",
        }.get(kind, "differs (- expected by the spec, + live):")
        assert f"{path}: {header} ({kind})" in failure.text
        for value in (expected, actual):
            if value is not None:
                assert all(line in failure.text for line in value_lines(value))
        return
    shown = f"{path}: expected {one_line(expected)}, live has {one_line(actual)} ({kind})"
    if expected is None:
        shown = f"{path}: not in the spec, live has {one_line(actual)} ({kind})"
    elif actual is None:
        shown = f"{path}: expected {one_line(expected)}, live has none ({kind})"
    assert shown in failure.text


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_change_behind_the_specs_back_shows_in_every_format(
    case: str, tmp_path: Path, s3: S3Client, transport: Transport, boto_s3: Any
) -> None:
    loaded = spec_file(tmp_path, SPEC)
    harness = Harness(s3, transport)
    harness.apply(loaded)
    clean = harness.drift(loaded)
    assert not clean.has_drift
    assert clean.summary == {
        "managed": 3,
        "in_sync": 3,
        "drifted": 0,
        "missing": 0,
        "unmanaged": 0,
        "error": 0,
    }

    CASES[case][1](boto_s3)

    report = harness.drift(loaded)
    assert report.has_drift
    assert report.summary["drifted"] == 1
    assert_shown(every_format(report, tmp_path), f"bucket.{MAIN}", *SHOWN[case])


def test_every_aspect_case_says_what_it_shows() -> None:
    assert set(SHOWN) == set(CASES)


def test_a_distribution_changed_behind_the_specs_back_shows_in_every_format(
    tmp_path: Path, s3: S3Client, transport: Transport, boto_cloudfront: Any
) -> None:
    loaded = spec_file(tmp_path, site())
    harness = Harness(s3, transport)
    harness.apply(loaded)
    assert not harness.drift(loaded).has_drift
    ident = find(boto_cloudfront, "site-cdn")

    def change(config: dict[str, Any]) -> None:
        config["Comment"] = "edited by hand"
        config["CacheBehaviors"]["Items"][0]["Compress"] = False

    edit(boto_cloudfront, ident, change)
    report = harness.drift(loaded)
    read = every_format(report, tmp_path)
    assert_shown(
        read, "distribution.site-cdn", "comment", "the site", "edited by hand", "not_equal"
    )
    assert_shown(
        read, "distribution.site-cdn", "cache_behaviors[0].compress", True, False, "not_equal"
    )
    (resource,) = [r for r in read["json"]["resources"] if r["kind"] == "distribution"]
    assert resource["id"] == ident
    assert read["junit"]["bucket.cdn-origin"].is_passed


UNRELATED = """\
version: 1
stack: drift
buckets:
  drift-kept: {tags: {env: prod}}
  drift-deleted: {}
  drift-retired: {state: absent}
"""


def test_missing_unmanaged_and_pruned_resources(
    tmp_path: Path, s3: S3Client, transport: Transport, boto_s3: Any, boto_cloudfront: Any
) -> None:
    harness = Harness(s3, transport)
    harness.apply(spec_file(tmp_path, UNRELATED + "  drift-undeclared: {}\n", name="before.yaml"))
    loaded = spec_file(tmp_path, UNRELATED)
    boto_s3.delete_bucket(Bucket="drift-deleted")
    boto_s3.create_bucket(Bucket="drift-unrelated")
    boto_s3.create_bucket(Bucket="drift-other-stack")
    boto_s3.put_bucket_tagging(
        Bucket="drift-other-stack",
        Tagging={"TagSet": [{"Key": "reconciler:stack", "Value": "someone"}]},
    )
    plain = harness.drift(loaded)
    assert [r.status for r in plain.resources].count("unmanaged") == 0
    assert not plain.include_unmanaged

    report = harness.drift(loaded, include_unmanaged=True)
    statuses = {r.address: r.status for r in report.resources}
    assert statuses == {
        "bucket.drift-kept": "in_sync",
        "bucket.drift-retired": "in_sync",  # declared absent, and absent
        "bucket.drift-deleted": "missing",
        "bucket.drift-undeclared": "drifted",  # owned by this stack, no longer declared
        "bucket.drift-unrelated": "unmanaged",
    }
    assert report.summary == {
        "managed": 4,
        "in_sync": 2,
        "drifted": 1,
        "missing": 1,
        "unmanaged": 1,
        "error": 0,
    }
    read = every_format(report, tmp_path)
    assert_shown(read, "bucket.drift-undeclared", "state", "absent", "present", "add")
    assert read["junit"]["bucket.drift-deleted"].result[0].type == "missing"
    assert read["junit"]["bucket.drift-unrelated"].is_skipped
    assert read["junit"]["bucket.drift-kept"].is_passed
    assert "drift-unrelated" in read["html"]
    assert "| ❔ unmanaged | 1 |" in read["markdown"]


def test_an_untagged_distribution_is_unmanaged(
    tmp_path: Path, s3: S3Client, transport: Transport, boto_cloudfront: Any
) -> None:
    made = made_by_hand(boto_cloudfront, reference="by-hand", comment="")
    loaded = spec_file(tmp_path, "version: 1\nstack: drift\ndistributions: {}\n")
    report = Harness(s3, transport).drift(loaded, include_unmanaged=True)
    (found,) = report.resources
    assert (found.address, found.status, found.id) == (
        f"distribution.{made['Id']}",
        "unmanaged",
        made["Id"],
    )
    assert not report.has_drift
    valid_json_report(report.dumps())


def test_the_schema_names_the_statuses_and_types_the_code_writes() -> None:
    resource = SCHEMA["$defs"]["resource"]["properties"]
    assert tuple(resource["status"]["enum"]) == STATUSES
    assert tuple(SCHEMA["$defs"]["difference"]["properties"]["type"]["enum"]) == TYPES
    assert set(SCHEMA["properties"]["summary"]["required"]) == {"managed", *STATUSES}


def test_values_cannot_break_the_markup(
    tmp_path: Path, s3: S3Client, transport: Transport, boto_s3: Any
) -> None:
    spec = """\
    version: 1
    stack: drift
    buckets:
      drift-markup:
        cors: [{allowed_methods: [GET], allowed_origins: ["https://example.com"]}]
    """
    loaded = spec_file(tmp_path, spec)
    harness = Harness(s3, transport)
    harness.apply(loaded)
    hostile = '</pre></td><script>alert(1)</script> | `x` **y** <img src="http://x/y">'
    boto_s3.put_bucket_cors(
        Bucket="drift-markup",
        CORSConfiguration={"CORSRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": [hostile]}]},
    )
    read = every_format(harness.drift(loaded), tmp_path)  # the HTML reader checks the page
    assert json.dumps(hostile) in read["html"]  # shown as text, not markup
    row = next(x for x in read["markdown"].splitlines() if "allowed_origins" in x)
    assert row.count(" | ") == 3
    assert "<script>" not in row
    assert "&lt;script&gt;" in row
    assert json.dumps(hostile) in read["junit"]["bucket.drift-markup"].result[0].text


def test_markdown_stays_under_githubs_comment_limit_and_counts_the_rest() -> None:
    many = DriftReport(
        "big",
        tuple(
            ResourceDrift(
                f"bucket.big-{i:04}",
                "bucket",
                f"big-{i:04}",
                "drifted",
                (Difference("tags.env", "prod", "dev", "not_equal"),),
            )
            for i in range(2000)
        ),
    )
    text = drift_markdown.render(many.to_json())
    assert len(text) < 65_536
    shown = text.count("<details>")
    assert 0 < shown < 2000
    assert f"*{2000 - shown} more resource(s) not shown: too long for one comment." in text
    assert "| ⚠️ drifted | 2000 |" in text
    plan = Plan(
        "big",
        "sha256:x",
        tuple(
            ResourceChange(f"bucket.big-{i:04}", "bucket", f"big-{i:04}", Action.CREATE)
            for i in range(4000)
        ),
    )
    text = plan_markdown.render(plan.to_json())
    assert len(text) < 65_536
    assert "more resource(s) not shown: too long for one comment." in text
    assert "reconciler show PLAN prints it" in text
    assert "| create | 4000 |" in text

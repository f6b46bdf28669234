"""Ownership and deletion rules, stale plans, failures mid-apply, targets and the read budget,
against the emulator."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest

from reconciler.apply.executor import Executor, stop_on_interrupt
from reconciler.aws.s3 import S3Client
from reconciler.aws.transport import Transport
from reconciler.errors import PlanError, StalePlanError, api_error
from reconciler.plan.model import Action
from reconciler.plan.plan_file import parse_plan
from reconciler.workflow import limit_plan
from tests.reconcile import Harness, spec_file


def _names(boto: Any) -> set[str]:
    return {b["Name"] for b in boto.list_buckets()["Buckets"]}


def _make(boto: Any, name: str, tags: dict[str, str] | None = None) -> None:
    boto.create_bucket(Bucket=name)
    if tags:
        boto.put_bucket_tagging(
            Bucket=name, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]}
        )


ONE = """
version: 1
stack: safety
buckets:
  safety-new: {versioning: enabled}
"""


def test_prune_deletes_only_what_this_stack_owns(
    tmp_path: Path, s3: S3Client, transport: Transport, boto_s3: Any
) -> None:
    _make(boto_s3, "safety-untagged")
    _make(boto_s3, "safety-other", {"reconciler:stack": "someone-else"})
    _make(boto_s3, "safety-old", {"reconciler:stack": "safety"})
    harness = Harness(s3, transport)

    plan = harness.plan(spec_file(tmp_path, ONE))

    actions = {c.address: c.action for c in plan.changes}
    assert actions == {"bucket.safety-new": Action.CREATE, "bucket.safety-old": Action.DELETE}
    assert plan.change("bucket.safety-old").reason == "owned by this stack, no longer declared"  # type: ignore[union-attr]
    assert harness.execute(plan).ok
    assert _names(boto_s3) == {"safety-untagged", "safety-other", "safety-new"}


def test_an_untagged_bucket_is_adopted_and_then_in_sync(
    tmp_path: Path, s3: S3Client, transport: Transport, boto_s3: Any
) -> None:
    _make(boto_s3, "safety-new", {"team": "web"})
    loaded = spec_file(tmp_path, ONE)
    harness = Harness(s3, transport)

    plan, _ = harness.apply(loaded)

    (change,) = plan.changes
    assert change.action is Action.ADOPT
    tags = {a.aspect: a for a in change.aspects}["tags"]
    assert {(d.path, d.after) for d in tags.diff} == {('["reconciler:stack"]', "safety")}
    got = boto_s3.get_bucket_tagging(Bucket="safety-new")["TagSet"]
    assert {t["Key"]: t["Value"] for t in got} == {"team": "web", "reconciler:stack": "safety"}
    assert not harness.plan(loaded).has_changes


def test_a_bucket_of_another_stack_is_an_error_naming_it(
    tmp_path: Path, s3: S3Client, transport: Transport, boto_s3: Any
) -> None:
    _make(boto_s3, "safety-new", {"reconciler:stack": "someone-else"})
    plan = Harness(s3, transport).plan(spec_file(tmp_path, ONE))
    (error,) = plan.errors
    assert error.address == "bucket.safety-new"
    assert "belongs to stack 'someone-else'" in error.summary
    assert error.position is not None
    assert error.position.endswith("reconciler.yaml:5:3")


def test_a_non_empty_bucket_survives_a_prune(
    tmp_path: Path, s3: S3Client, transport: Transport, boto_s3: Any
) -> None:
    _make(boto_s3, "safety-full", {"reconciler:stack": "safety"})
    boto_s3.put_object(Bucket="safety-full", Key="data.csv", Body=b"1,2,3")
    plan = Harness(s3, transport).plan(spec_file(tmp_path, ONE))
    assert plan.change("bucket.safety-full") is None
    (warning,) = [d for d in plan.diagnostics if d.address == "bucket.safety-full"]
    assert warning.severity == "warning"
    assert "still holds objects: it is kept" in warning.summary


ABSENT = """
version: 1
stack: safety
buckets:
  safety-full: {{state: absent{extra}}}
"""


def test_absent_without_force_destroy_refuses_a_non_empty_bucket(
    tmp_path: Path, s3: S3Client, transport: Transport, boto_s3: Any
) -> None:
    _make(boto_s3, "safety-full", {"reconciler:stack": "safety"})
    boto_s3.put_object(Bucket="safety-full", Key="k", Body=b"x")
    plan = Harness(s3, transport).plan(spec_file(tmp_path, ABSENT.format(extra="")))
    (error,) = plan.errors
    assert "add force_destroy: true" in error.summary
    assert plan.changes == ()


def test_absent_with_force_destroy_deletes_every_version_first(
    tmp_path: Path, s3: S3Client, transport: Transport, boto_s3: Any
) -> None:
    _make(boto_s3, "safety-full", {"reconciler:stack": "safety"})
    boto_s3.put_bucket_versioning(
        Bucket="safety-full", VersioningConfiguration={"Status": "Enabled"}
    )
    for body in (b"v1", b"v2"):
        boto_s3.put_object(Bucket="safety-full", Key="k", Body=body)
    boto_s3.delete_object(Bucket="safety-full", Key="k")  # leaves a delete marker
    loaded = spec_file(tmp_path, ABSENT.format(extra=", force_destroy: true"))
    harness = Harness(s3, transport)

    plan, _ = harness.apply(loaded)

    assert [(c.action, c.force_destroy) for c in plan.changes] == [(Action.DELETE, True)]
    assert "safety-full" not in _names(boto_s3)
    assert not harness.plan(loaded).has_changes


def test_an_absent_bucket_not_owned_is_never_deleted(
    tmp_path: Path, s3: S3Client, transport: Transport, boto_s3: Any
) -> None:
    _make(boto_s3, "safety-full")
    plan = Harness(s3, transport).plan(spec_file(tmp_path, ABSENT.format(extra="")))
    (error,) = plan.errors
    assert "never deletes what it does not own" in error.summary
    assert "safety-full" in _names(boto_s3)


MOVED = """
version: 1
stack: safety
buckets:
  safety-new:
    region: eu-west-1
    versioning: enabled
"""


def test_a_region_change_is_an_error_unless_replace_is_allowed(
    tmp_path: Path, s3: S3Client, transport: Transport, boto_s3: Any
) -> None:
    _make(boto_s3, "safety-new", {"reconciler:stack": "safety"})
    boto_s3.put_object(Bucket="safety-new", Key="k", Body=b"x")
    loaded = spec_file(tmp_path, MOVED)
    harness = Harness(s3, transport)

    refused = harness.plan(loaded)
    (error,) = refused.errors
    assert "--replace bucket.safety-new" in error.summary
    assert error.position is not None
    assert error.position.endswith("reconciler.yaml:6:13")

    plan, _ = harness.apply(loaded, replace=frozenset({"bucket.safety-new"}))
    (change,) = plan.changes
    assert (change.action, change.previous_region, change.region) == (
        Action.REPLACE,
        "us-east-1",
        "eu-west-1",
    )
    assert boto_s3.get_bucket_location(Bucket="safety-new")["LocationConstraint"] == "eu-west-1"
    assert not harness.plan(loaded).has_changes


TWO = """
version: 1
stack: safety
buckets:
  safety-a: {versioning: enabled, tags: {n: "1"}}
  safety-b: {versioning: enabled}
"""


def test_a_stale_saved_plan_is_refused_naming_the_resource(
    tmp_path: Path, s3: S3Client, transport: Transport, boto_s3: Any
) -> None:
    _make(boto_s3, "safety-a", {"reconciler:stack": "safety"})
    _make(boto_s3, "safety-b", {"reconciler:stack": "safety"})
    harness = Harness(s3, transport)
    loaded = spec_file(tmp_path, TWO)
    saved = parse_plan(harness.plan(loaded).dumps(), name="plan.json")
    harness.replan(saved, loaded)  # nothing changed yet: accepted

    boto_s3.put_bucket_versioning(Bucket="safety-b", VersioningConfiguration={"Status": "Enabled"})

    with pytest.raises(StalePlanError) as raised:
        harness.replan(saved, loaded)
    assert raised.value.addresses == ("bucket.safety-b",)
    assert "bucket.safety-b (versioning) changed since it was made" in str(raised.value)


CORS_AND_TAGS = """\
version: 1
stack: safety
buckets:
  safety-cors:
    tags: {team: %s}
    cors: [{allowed_methods: [GET], allowed_origins: ["*"], max_age_seconds: 300}]
"""


def test_a_saved_plan_is_refused_when_an_aspect_it_does_not_change_moved(
    tmp_path: Path, s3: S3Client, transport: Transport, boto_s3: Any
) -> None:
    """The plan changes only the tags; a CORS edit made between plan and apply still makes
    it stale, because the plan was made against every declared aspect's live value."""
    harness = Harness(s3, transport)
    harness.apply(spec_file(tmp_path, CORS_AND_TAGS % "web"))
    loaded = spec_file(tmp_path, CORS_AND_TAGS % "data")
    saved = parse_plan(harness.plan(loaded).dumps(), name="plan.json")
    assert [a.aspect for a in saved.changes[0].aspects] == ["tags"]
    harness.replan(saved, loaded)  # nothing moved yet: accepted

    boto_s3.put_bucket_cors(
        Bucket="safety-cors",
        CORSConfiguration={"CORSRules": [{"AllowedMethods": ["PUT"], "AllowedOrigins": ["*"]}]},
    )
    with pytest.raises(StalePlanError) as raised:
        harness.replan(saved, loaded)
    assert "bucket.safety-cors (cors) changed since it was made" in str(raised.value)


class FailingS3(S3Client):
    """The real client, with one operation made to fail as AWS would (access denied)."""

    fail_bucket = "safety-logs"

    def put_configuration(self, bucket: str, subresource: str, body: bytes, **kwargs: Any) -> None:
        if bucket == self.fail_bucket and subresource == "acl":
            raise api_error(code="AccessDenied", message="Access Denied", status=403, bucket=bucket)
        super().put_configuration(bucket, subresource, body, **kwargs)


INJECTED = """
version: 1
stack: safety
buckets:
  safety-logs:
    object_ownership: BucketOwnerPreferred
    acl: log-delivery-write
    versioning: enabled
  safety-site:
    logging: {target_bucket: safety-logs, target_prefix: site/}
  safety-other:
    versioning: enabled
"""


def test_a_failure_mid_apply_is_reported_truthfully_and_a_rerun_converges(
    tmp_path: Path, endpoint: str, transport: Transport, s3: S3Client
) -> None:
    loaded = spec_file(tmp_path, INJECTED)
    failing = Harness(FailingS3(transport, region="us-east-1", endpoint_url=endpoint), transport)

    report = failing.execute(failing.plan(loaded))

    status = {(r.address, r.step): (r.status, r.reason) for r in report.results}
    assert status[("bucket.safety-logs", "bucket")] == ("done", None)
    assert status[("bucket.safety-logs", "object_ownership")] == ("done", None)
    acl_status, acl_reason = status[("bucket.safety-logs", "acl")]
    assert acl_status == "failed"
    assert "AccessDenied" in (acl_reason or "")
    assert status[("bucket.safety-logs", "versioning")] == ("skipped", "acl failed before it")
    assert status[("bucket.safety-site", "bucket")] == (
        "skipped",
        "it depends on bucket.safety-logs, which failed",
    )
    assert all(r.status == "done" for r in report.results if r.address == "bucket.safety-other")

    harness = Harness(s3, transport)
    rerun = harness.plan(loaded)
    assert {c.address: c.action for c in rerun.changes} == {
        "bucket.safety-logs": Action.UPDATE,
        "bucket.safety-site": Action.CREATE,
    }
    assert harness.execute(rerun).ok
    assert not harness.plan(loaded).has_changes


class FlakyS3(S3Client):
    """Answers NoSuchBucket to the first tagging write, as S3 may right after a create."""

    failures = 2

    def put_configuration(self, bucket: str, subresource: str, body: bytes, **kwargs: Any) -> None:
        if self.failures and subresource == "tagging":
            self.failures -= 1
            raise api_error(code="NoSuchBucket", message="gone?", status=404, bucket=bucket)
        super().put_configuration(bucket, subresource, body, **kwargs)


def test_no_such_bucket_right_after_create_is_retried(
    tmp_path: Path, endpoint: str, transport: Transport
) -> None:
    flaky = FlakyS3(transport, region="us-east-1", endpoint_url=endpoint)
    _, report = Harness(flaky, transport).apply(spec_file(tmp_path, ONE))
    assert report.ok
    assert flaky.failures == 0


THREE = """
version: 1
stack: safety
buckets:
  safety-logs: {object_ownership: BucketOwnerPreferred, acl: log-delivery-write}
  safety-site: {logging: {target_bucket: safety-logs}}
  safety-other: {versioning: enabled}
"""


def test_a_target_takes_in_what_it_depends_on_and_nothing_else(
    tmp_path: Path, s3: S3Client, transport: Transport, boto_s3: Any
) -> None:
    _make(boto_s3, "safety-stray", {"reconciler:stack": "safety"})
    loaded = spec_file(tmp_path, THREE)
    plan = Harness(s3, transport).plan(loaded, targets=frozenset({"bucket.safety-site"}))
    assert [(c.address, c.depends_on) for c in plan.changes] == [
        ("bucket.safety-logs", ()),
        ("bucket.safety-site", ("bucket.safety-logs",)),
    ]
    unknown = Harness(s3, transport).plan(loaded, targets=frozenset({"bucket.nope"}))
    assert [d.summary for d in unknown.errors] == ["--target names no resource this spec declares"]


def test_a_no_change_plan_reads_k_plus_two_per_bucket_and_lists_once(
    tmp_path: Path, s3: S3Client, transport: Transport
) -> None:
    loaded = spec_file(tmp_path, THREE)
    harness = Harness(s3, transport)
    harness.apply(loaded)
    before = transport.requests_sent
    assert not harness.plan(loaded).has_changes
    # the bucket listing (no CloudFront request: the spec has no distributions); logs: head,
    # tags, ownership, acl; site: head, tags, logging; other: head, tags, versioning
    assert transport.requests_sent - before == 1 + 4 + 3 + 3


def test_a_saved_plan_limited_by_target_keeps_what_the_target_depends_on(
    tmp_path: Path, s3: S3Client, transport: Transport
) -> None:
    saved = Harness(s3, transport).plan(spec_file(tmp_path, THREE))
    limited = limit_plan(saved, ("bucket.safety-site",))
    assert [c.address for c in limited.changes] == ["bucket.safety-logs", "bucket.safety-site"]
    with pytest.raises(PlanError) as raised:
        limit_plan(saved, ("bucket.nope",))
    assert "--target names no change in the saved plan: bucket.nope" in str(raised.value)


class InterruptingS3(S3Client):
    """Presses Ctrl-C (SIGINT to this process) while the first bucket is being written."""

    def put_configuration(self, bucket: str, subresource: str, body: bytes, **kwargs: Any) -> None:
        super().put_configuration(bucket, subresource, body, **kwargs)
        if bucket == "safety-a" and subresource == "versioning":
            os.kill(os.getpid(), signal.SIGINT)


def test_an_interrupted_apply_finishes_what_is_under_way_and_reports_the_rest(
    tmp_path: Path, endpoint: str, transport: Transport, s3: S3Client
) -> None:
    loaded = spec_file(tmp_path, TWO)
    interrupting = InterruptingS3(transport, region="us-east-1", endpoint_url=endpoint)
    harness = Harness(interrupting, transport)
    plan = harness.plan(loaded)
    executor = Executor(interrupting, guard=harness.guards[id(plan)], parallelism=1)

    with stop_on_interrupt(executor):
        report = executor.apply(plan)

    assert report.interrupted
    status = {(r.address, r.step): (r.status, r.reason) for r in report.results}
    assert status[("bucket.safety-a", "versioning")] == ("done", None)
    assert status[("bucket.safety-a", "tags")] == ("done", None)
    assert status[("bucket.safety-b", "bucket")] == ("skipped", "the apply was interrupted")
    harness = Harness(s3, transport)
    rerun = harness.plan(loaded)
    assert [c.address for c in rerun.changes] == ["bucket.safety-b"]
    assert harness.execute(rerun).ok
    assert not harness.plan(loaded).has_changes

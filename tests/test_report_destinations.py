"""A report destination (inventory, analytics export) that the spec declares without ``policy``
leaves its policy unmanaged: it is not refused offline, its live policy is read when planning
and checked as an undeclared destination's is (an error when it does not let S3 write
reports). A spec that import writes for a bucket with an inventory configuration validates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reconciler import importer
from reconciler.aspects import registry as aspects
from reconciler.errors import ConfigError
from reconciler.live.model import STACK_TAG, LiveBucket, LiveState
from reconciler.plan.planner import PlanOptions, plan
from reconciler.spec.loader import load_spec
from reconciler.spec.model import Spec
from reconciler.workflow import read_request

SPEC = """\
version: 1
stack: reports
buckets:
  reports-site:
    inventory:
      - id: weekly
        destination: {bucket: reports-store, format: CSV}
        schedule: Weekly
        included_versions: Current
    analytics:
      - {id: all, export: {bucket: reports-store}}
  reports-store: {versioning: enabled}
"""

ALLOWS_S3 = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": "arn:aws:s3:::reports-store/*",
        }
    ],
}


def load(tmp_path: Path, text: str = SPEC) -> Spec:
    path = tmp_path / "reconciler.yaml"
    path.write_text(text)
    return load_spec([str(path)], cli_vars={}, env={}).spec


def live(spec: Spec, store_policy: Any, *, store_exists: bool = True) -> LiveState:
    tags = {STACK_TAG: "reports"}
    site = spec.buckets["reports-site"]
    return LiveState(
        buckets={
            "reports-site": LiveBucket(
                name="reports-site",
                exists=True,
                region="us-east-1",
                tags=tags,
                aspects={"inventory": site.inventory, "analytics": site.analytics},
            ),
            "reports-store": LiveBucket(
                name="reports-store",
                exists=store_exists,
                region="us-east-1" if store_exists else None,
                tags=tags if store_exists else {},
                aspects={"versioning": "enabled", "policy": store_policy} if store_exists else {},
            ),
        }
    )


def errors(spec: Spec, state: LiveState) -> list[tuple[str, str]]:
    found = plan(spec, state, PlanOptions(default_region="us-east-1"))
    return [(d.address, d.summary) for d in found.errors]


def test_a_destination_declared_without_policy_is_checked_when_planning(tmp_path: Path) -> None:
    spec = load(tmp_path)  # not refused offline: its policy is unmanaged
    request = read_request(spec, frozenset())
    assert request.declared["reports-store"] == {"versioning", "policy"}  # read to check it
    assert request.declared["reports-site"] == {"inventory", "analytics"}

    assert errors(spec, live(spec, ALLOWS_S3)) == []
    refused = errors(spec, live(spec, None))
    assert refused == [
        (
            "bucket.reports-site",
            "inventory destination bucket 'reports-store' does not let S3 write reports: give it "
            "a policy statement that allows the service principal s3.amazonaws.com to "
            "s3:PutObject",
        ),
        (
            "bucket.reports-site",
            "analytics export bucket 'reports-store' does not let S3 write reports: give it a "
            "policy statement that allows the service principal s3.amazonaws.com to s3:PutObject",
        ),
    ]
    # A destination still to be created has no policy: it could take no report either.
    assert len(errors(spec, live(spec, None, store_exists=False))) == 2


def test_a_declared_policy_is_what_is_checked(tmp_path: Path) -> None:
    text = SPEC.replace(
        "reports-store: {versioning: enabled}",
        "reports-store: {versioning: enabled, policy: false}",
    )
    with pytest.raises(ConfigError) as refused:
        load(tmp_path, text)  # declared: no policy at all, refused offline as before
    assert "inventory destination bucket 'reports-store' does not let S3 write reports" in str(
        refused.value
    )
    allowing = (
        '{Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: '
        's3.amazonaws.com}, Action: "s3:PutObject", Resource: "arn:aws:s3:::reports-store/*"}]}'
    )
    spec = load(tmp_path, SPEC.replace("{versioning: enabled}", f"{{policy: {allowing}}}"))
    # The spec's policy is what the bucket will have: the live one (none yet) does not matter.
    assert errors(spec, live(spec, None)) == []


def test_an_imported_inventory_configuration_validates(tmp_path: Path) -> None:
    declared = load(tmp_path)
    values: dict[str, Any] = dict.fromkeys(aspects.DECLARABLE)
    state = LiveState(
        buckets={
            name: LiveBucket(
                name=name,
                exists=True,
                region="us-east-1",
                aspects=values | dict(extra),
            )
            for name, extra in (
                (
                    "reports-site",
                    {"inventory": declared.buckets["reports-site"].inventory},
                ),
                ("reports-store", {"versioning": "enabled"}),
            )
        }
    )
    imported = importer.render(
        state, importer.ImportRequest(stack="reports", buckets=("reports-site", "reports-store"))
    )
    path = tmp_path / "imported.yaml"
    path.write_text(imported.text)
    spec = load_spec([str(path)], cli_vars={}, env={}).spec
    assert spec.buckets["reports-store"].policy is None
    assert spec.buckets["reports-site"].inventory

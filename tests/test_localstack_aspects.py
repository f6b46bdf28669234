"""The aspects moto lacks or answers unlike AWS, against LocalStack's own S3 over HTTP: each
round-trips through its unit (boto3 reads back what was written), a spec with all of them
applies and re-plans clean, a change behind the spec's back is found with its path and fixed,
and a bucket configured by hand with all of them imports into a spec that only adopts it."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

from reconciler import importer
from reconciler.aws.s3 import S3Client
from reconciler.aws.transport import Transport
from reconciler.kinds.bucket.aspects import registry as aspects
from reconciler.live.model import STACK_TAG
from reconciler.plan.model import Action
from reconciler.spec.loader import load_spec
from tests import aspect_samples
from tests.localstack import localstack_s3
from tests.reconcile import Harness, spec_file

# The first test in a fresh checkout builds LocalStack's environment (a minute or two).
pytestmark = pytest.mark.timeout(1200)

REPORTS = "reports"  # the suffix of each test's report and replica bucket


@pytest.fixture(scope="module")
def localstack() -> Iterator[str]:
    with localstack_s3() as url:
        yield url


@pytest.fixture
def ls3(localstack: str, transport: Transport) -> S3Client:
    return S3Client(transport, region="us-east-1", endpoint_url=localstack)


@pytest.fixture
def boto_ls(localstack: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=localstack,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


@pytest.fixture
def names() -> tuple[str, str]:
    """A bucket and its report/replica bucket, new for each test (LocalStack keeps state)."""
    base = f"ls-{uuid.uuid4().hex[:10]}"
    return base, f"{base}-{REPORTS}"


def samples(reports: str) -> dict[str, tuple[Any, Callable[[Any, str], object]]]:
    """Per aspect: a value, and what boto3's read of it must contain."""
    return {
        "request_payer": (
            "Requester",
            lambda b, n: b.get_bucket_request_payment(Bucket=n)["Payer"] == "Requester",
        ),
        "intelligent_tiering": (
            [
                {
                    "id": "archive-old",
                    "filter": {"prefix": "old/", "tags": {"tier": "cold"}},
                    "archive_access_days": 90,
                    "deep_archive_access_days": 180,
                }
            ],
            lambda b, n: (
                b.get_bucket_intelligent_tiering_configuration(Bucket=n, Id="archive-old")[
                    "IntelligentTieringConfiguration"
                ]["Tierings"][0]["Days"]
                in (90, 180)
            ),
        ),
        "inventory": (
            [
                {
                    "id": "weekly",
                    "destination": {"bucket": reports, "prefix": "inv/", "format": "CSV"},
                    "schedule": "Weekly",
                    "included_versions": "Current",
                    "optional_fields": ["Size", "LastModifiedDate", "StorageClass"],
                }
            ],
            lambda b, n: (
                b.get_bucket_inventory_configuration(Bucket=n, Id="weekly")[
                    "InventoryConfiguration"
                ]["OptionalFields"]
                == ["Size", "LastModifiedDate", "StorageClass"]
            ),
        ),
        "metrics": (
            [{"id": "whole-bucket"}, {"id": "logs-only", "filter": {"prefix": "logs/"}}],
            lambda b, n: (
                b.get_bucket_metrics_configuration(Bucket=n, Id="logs-only")[
                    "MetricsConfiguration"
                ]["Filter"]
                == {"Prefix": "logs/"}
            ),
        ),
        "analytics": (
            [
                {
                    "id": "ia-candidates",
                    "filter": {"prefix": "data/"},
                    "export": {"bucket": reports, "prefix": "analytics/"},
                }
            ],
            lambda b, n: (
                b.get_bucket_analytics_configuration(Bucket=n, Id="ia-candidates")[
                    "AnalyticsConfiguration"
                ]["Filter"]
                == {"Prefix": "data/"}
            ),
        ),
        "replication": (
            {
                "role": "arn:aws:iam::123456789012:role/s3-replication",
                "rules": [
                    {
                        "id": "to-dr",
                        "priority": 1,
                        "filter": {"prefix": "logs/"},
                        "delete_marker_replication": True,
                        "destination": {"bucket": reports, "storage_class": "STANDARD_IA"},
                    }
                ],
            },
            lambda b, n: (
                b.get_bucket_replication(Bucket=n)["ReplicationConfiguration"]["Rules"][0][
                    "DeleteMarkerReplication"
                ]
                == {"Status": "Enabled"}
            ),
        ),
        "notifications": (
            {
                "eventbridge": True,
                "queues": [
                    {
                        "id": "new-objects",
                        "arn": "arn:aws:sqs:us-east-1:000000000000:ingest",
                        "events": ["s3:ObjectCreated:*"],
                        "filter": {"prefix": "in/", "suffix": ".csv"},
                    }
                ],
            },
            lambda b, n: (
                "EventBridgeConfiguration" in b.get_bucket_notification_configuration(Bucket=n)
            ),
        ),
    }


#: What moto gets wrong about each, and so why it is checked here.
assert set(aspect_samples.MOTO_LACKS) <= set(samples(""))


def _buckets(s3: S3Client, *names: str) -> None:
    for name in names:
        s3.create_bucket(name, region="us-east-1")
        aspect_samples.put(s3, name, "versioning", "enabled")


@pytest.mark.parametrize("key", sorted(samples("")))
def test_each_aspect_round_trips(
    key: str, ls3: S3Client, boto_ls: Any, names: tuple[str, str]
) -> None:
    bucket, reports = names
    _buckets(ls3, bucket, reports)
    unit = aspects.get(key)
    value, boto_reads = samples(reports)[key]
    assert unit.never_configured(aspect_samples.get(ls3, bucket, key), None)
    aspect_samples.put(ls3, bucket, key, value)
    assert aspect_samples.same(key, aspect_samples.get(ls3, bucket, key), value)
    assert boto_reads(boto_ls, bucket)
    if aspect_samples.removable(key):
        aspect_samples.remove(ls3, bucket, key)
        assert unit.never_configured(aspect_samples.get(ls3, bucket, key), None)


def _spec(bucket: str, reports: str) -> str:
    values = {key: value for key, (value, _) in samples(reports).items()}
    doc = {
        "version": 1,
        "stack": "localstack",
        "buckets": {
            bucket: {
                "versioning": "enabled",
                "accelerate": "enabled",
                "object_lock": {"mode": "GOVERNANCE", "days": 30},
                **values,
            },
            reports: {
                "versioning": "enabled",
                "policy": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "Reports",
                            "Effect": "Allow",
                            "Principal": {"Service": "s3.amazonaws.com"},
                            "Action": "s3:PutObject",
                            "Resource": f"arn:aws:s3:::{reports}/*",
                        }
                    ],
                },
            },
        },
    }
    return yaml.safe_dump(doc, sort_keys=False)


def test_every_new_aspect_applies_replans_clean_and_drift_is_fixed(
    tmp_path: Path, ls3: S3Client, transport: Transport, boto_ls: Any, names: tuple[str, str]
) -> None:
    bucket, reports = names
    loaded = spec_file(tmp_path, _spec(bucket, reports))
    harness = Harness(ls3, transport)
    first = harness.plan(loaded)
    assert [c.address for c in first.changes] == [f"bucket.{reports}", f"bucket.{bucket}"]
    assert harness.execute(first).ok
    assert harness.plan(loaded).changes == ()

    boto_ls.put_bucket_metrics_configuration(
        Bucket=bucket,
        Id="logs-only",
        MetricsConfiguration={"Id": "logs-only", "Filter": {"Prefix": "log/"}},
    )
    boto_ls.delete_bucket_intelligent_tiering_configuration(Bucket=bucket, Id="archive-old")
    drifted = harness.plan(loaded)
    (change,) = drifted.changes
    paths = {a.aspect: {d.path for d in a.diff} for a in change.aspects}
    assert paths == {
        "intelligent_tiering": {"[archive-old]"},
        "metrics": {"[logs-only].filter.prefix"},
    }
    assert harness.execute(drifted).ok
    assert harness.plan(loaded).changes == ()


def test_a_bucket_with_every_new_aspect_imports_and_only_adopts(
    tmp_path: Path, ls3: S3Client, transport: Transport, names: tuple[str, str]
) -> None:
    bucket, reports = names
    _buckets(ls3, bucket, reports)
    for key, (value, _) in samples(reports).items():
        aspect_samples.put(ls3, bucket, key, value)
    aspect_samples.put(ls3, bucket, "accelerate", "enabled")
    aspect_samples.put(ls3, bucket, "object_lock", {"mode": "COMPLIANCE", "years": 1})
    harness = Harness(ls3, transport)
    request = importer.ImportRequest("imported", names={"bucket": (bucket,)})
    imported = importer.render(importer.read(harness.reader(), request), request)
    declared = yaml.safe_load(imported.text)["buckets"][bucket]
    assert set(samples(reports)) | {"accelerate", "object_lock", "versioning"} <= set(declared)
    path = tmp_path / "imported.yaml"
    path.write_text(imported.text, encoding="utf-8")
    plan = harness.plan(load_spec([str(path)], cli_vars={}, env={}))
    assert [(c.address, c.action) for c in plan.changes] == [(f"bucket.{bucket}", Action.ADOPT)]
    (tagging,) = plan.changes[0].aspects
    assert {d.path for d in tagging.diff} == {f'["{STACK_TAG}"]'}

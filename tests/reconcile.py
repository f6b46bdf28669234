"""Planning and applying specs against the emulator, as the commands do, for tests."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconciler.apply.executor import ApplyReport, Backoff, Executor
from reconciler.aws.cloudfront import CloudFrontClient
from reconciler.aws.cloudfront_waiters import Waiter, WaitSettings
from reconciler.aws.s3 import S3Client
from reconciler.aws.transport import Transport
from reconciler.drift import DriftReport, drift_report
from reconciler.live.reader import LiveReader
from reconciler.plan.model import Plan
from reconciler.spec.loader import LoadedSpec, load_spec
from reconciler.workflow import make_plan


def spec_file(tmp_path: Path, text: str, name: str = "reconciler.yaml") -> LoadedSpec:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_spec([str(path)], cli_vars={}, env={})


@dataclass
class Harness:
    """Plans and applies through the S3 client given and a CloudFront client on the same
    transport and endpoint; CloudFront waits poll every few milliseconds."""

    s3: S3Client
    transport: Transport
    waits: list[tuple[str, str]] = field(default_factory=list)

    @property
    def cloudfront(self) -> CloudFrontClient:
        return CloudFrontClient(self.transport, endpoint_url=self.s3.endpoint_url)

    def waiter(self) -> Waiter:
        return Waiter(
            self.cloudfront,
            WaitSettings(interval=0.001, timeout=5.0),
            progress=lambda address, status, _: self.waits.append((address, status)),
        )

    def reader(self) -> LiveReader:
        return LiveReader(self.s3, cloudfront=self.cloudfront, parallelism=8)

    def plan(
        self,
        loaded: LoadedSpec,
        *,
        targets: frozenset[str] = frozenset(),
        replace: frozenset[str] = frozenset(),
    ) -> Plan:
        plan, _ = make_plan(
            loaded,
            self.reader(),
            default_region=self.s3.region,
            targets=targets,
            replace=replace,
        )
        return plan

    def drift(self, loaded: LoadedSpec, *, include_unmanaged: bool = False) -> DriftReport:
        """The drift report, as ``reconciler drift`` makes it."""
        plan, live = make_plan(loaded, self.reader(), default_region=self.s3.region)
        assert not plan.errors, [str(d) for d in plan.errors]
        return drift_report(loaded.spec, plan, live, include_unmanaged=include_unmanaged)

    def execute(self, plan: Plan) -> ApplyReport:
        assert not plan.errors, [str(d) for d in plan.errors]
        executor = Executor(
            self.s3,
            cloudfront=self.cloudfront,
            waiter=self.waiter(),
            parallelism=8,
            backoff=Backoff(attempts=3, base=0.0),
            sleep=lambda _: None,
        )
        return executor.apply(plan)

    def apply(self, loaded: LoadedSpec, **kwargs: frozenset[str]) -> tuple[Plan, ApplyReport]:
        plan = self.plan(loaded, **kwargs)
        report = self.execute(plan)
        assert report.ok, [r for r in report.results if r.status != "done"]
        return plan, report


def made_by_hand(boto_cloudfront: Any, *, reference: str, comment: str) -> dict[str, Any]:
    """A distribution made with boto3 alone: no tags, no alias, one custom origin."""
    made: dict[str, Any] = boto_cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": reference,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "web",
                        "DomainName": "example.org",
                        "CustomOriginConfig": {
                            "HTTPPort": 80,
                            "HTTPSPort": 443,
                            "OriginProtocolPolicy": "https-only",
                            "OriginSslProtocols": {"Quantity": 1, "Items": ["TLSv1.2"]},
                        },
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "web",
                "ViewerProtocolPolicy": "allow-all",
                "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
            },
            "Comment": comment,
            "Enabled": True,
        }
    )["Distribution"]
    return made

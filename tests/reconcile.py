"""Planning and applying specs against the emulator, as the commands do, for tests."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconciler.apply.executor import ApplyReport, Executor
from reconciler.apply.guard import Guard
from reconciler.aws.cloudfront import CloudFrontClient
from reconciler.aws.cloudfront_waiters import Waiter, WaitSettings
from reconciler.aws.s3 import S3Client
from reconciler.aws.transport import Transport
from reconciler.drift import DriftReport, drift_report
from reconciler.live.reader import LiveReader
from reconciler.plan.model import Plan
from reconciler.retries import Backoff
from reconciler.spec.loader import LoadedSpec, load_spec
from reconciler.workflow import guard_for, make_plan, replan_saved


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
    #: The executor's safety rules for each plan this harness made (by the plan's identity).
    guards: dict[int, Guard] = field(default_factory=dict)

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
        self.guards[id(plan)] = guard_for(loaded, default_region=self.s3.region, replace=replace)
        return plan

    def replan(self, saved: Plan, loaded: LoadedSpec) -> Plan:
        """``saved`` made again from ``loaded`` as ``reconciler apply PLAN`` does (raising
        when it is stale or differs); the fresh plan, ready for `execute`."""
        fresh = replan_saved(saved, loaded, self.reader(), default_region=self.s3.region)
        self.guards[id(fresh)] = guard_for(
            loaded, default_region=self.s3.region, replace=frozenset(saved.replace)
        )
        return fresh

    def drift(self, loaded: LoadedSpec, *, include_unmanaged: bool = False) -> DriftReport:
        """The drift report, as ``reconciler drift`` makes it."""
        plan, live = make_plan(loaded, self.reader(), default_region=self.s3.region)
        assert not plan.errors, [str(d) for d in plan.errors]
        return drift_report(loaded.spec, plan, live, include_unmanaged=include_unmanaged)

    def execute(self, plan: Plan, *, guard: Guard | None = None) -> ApplyReport:
        """Applies ``plan`` under the safety rules of the spec it was made from (``guard``,
        or the rules of the spec this harness planned it from)."""
        assert not plan.errors, [str(d) for d in plan.errors]
        executor = Executor(
            self.s3,
            guard=guard or self.guards[id(plan)],
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

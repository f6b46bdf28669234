"""Planning and applying specs against the emulator, as the commands do, for tests."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

from reconciler.apply.executor import ApplyReport, Backoff, Executor
from reconciler.aws.s3 import S3Client
from reconciler.aws.transport import Transport
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
    s3: S3Client
    transport: Transport

    def plan(
        self,
        loaded: LoadedSpec,
        *,
        targets: frozenset[str] = frozenset(),
        replace: frozenset[str] = frozenset(),
    ) -> Plan:
        plan, _ = make_plan(
            loaded,
            LiveReader(self.s3, parallelism=8),
            default_region=self.s3.region,
            targets=targets,
            replace=replace,
        )
        return plan

    def execute(self, plan: Plan) -> ApplyReport:
        assert not plan.errors, [str(d) for d in plan.errors]
        executor = Executor(
            self.s3, parallelism=8, backoff=Backoff(attempts=3, base=0.0), sleep=lambda _: None
        )
        return executor.apply(plan)

    def apply(self, loaded: LoadedSpec, **kwargs: frozenset[str]) -> tuple[Plan, ApplyReport]:
        plan = self.plan(loaded, **kwargs)
        report = self.execute(plan)
        assert report.ok, [r for r in report.results if r.status != "done"]
        return plan, report

"""What each command does on one target, through the same entry points as a single run: the
workflow's `make_plan` and `guard_for`, the `Executor`, `drift_report`, the importer. Each
returns the target's outcome, its report (kept in the result file) and what a person reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler import importer
from reconciler.apply.executor import Executor
from reconciler.aws.cloudfront_waiters import Waiter
from reconciler.aws.session import Session
from reconciler.drift import drift_report, unreadable
from reconciler.errors import PlanError
from reconciler.fleet.failures import kind_of_text
from reconciler.fleet.runner import Done
from reconciler.fleet.targets import Target
from reconciler.live.reader import LiveReader
from reconciler.plan.model import Plan
from reconciler.report import apply_text, drift_text, plan_text
from reconciler.spec.loader import LoadedSpec
from reconciler.terminal import count
from reconciler.workflow import guard_for, make_plan


def _reader(session: Session) -> LiveReader:
    return LiveReader(
        session.s3, cloudfront=session.cloudfront, parallelism=session.config.parallelism
    )


def plan_report(plan: Plan) -> dict[str, Any]:
    """A plan as a target's report: its counts, each change (address, action, the aspects it
    changes) and its diagnostics."""
    return {
        "summary": plan.summary,
        "changes": [
            {
                "address": c.address,
                "action": c.action.value,
                "aspects": [a.aspect for a in c.aspects],
            }
            for c in plan.changes
        ],
        "diagnostics": [d.to_json() for d in plan.diagnostics],
    }


def _refused(plan: Plan, text: str, what: str) -> Done:
    errors = [str(d) for d in plan.errors]
    joined = "; ".join(errors[:5]) + (f" (and {len(errors) - 5} more)" if len(errors) > 5 else "")
    return Done(
        "failed",
        reason=f"{what} has {len(errors)} error(s); nothing was changed: {joined}",
        error_kind=kind_of_text(joined, default="invalid"),
        report=plan_report(plan),
        text=text,
    )


@dataclass(frozen=True)
class PlanWork:
    """``plan --targets``: changes pending are ``drifted``, none ``in_sync``."""

    addresses: frozenset[str] = frozenset()
    replace: frozenset[str] = frozenset()
    destroy: bool = False

    def plan(self, loaded: LoadedSpec, session: Session) -> tuple[Plan, str]:
        made, _ = make_plan(
            loaded,
            _reader(session),
            default_region=session.config.region,
            targets=self.addresses,
            replace=self.replace,
            destroy=self.destroy,
        )
        return made, plan_text.render(made.to_json())

    def __call__(self, target: Target, loaded: LoadedSpec | None, session: Session) -> Done:
        assert loaded is not None
        made, text = self.plan(loaded, session)
        if made.errors:
            return _refused(made, text, "the plan")
        summary = plan_text.summary_line(made.summary)
        return Done(
            "drifted" if made.has_changes else "in_sync",
            reason=summary if made.has_changes else None,
            report=plan_report(made),
            text=text,
        )


@dataclass(frozen=True)
class ApplyWork(PlanWork):
    """``apply --targets``: plan, then apply the changes (confirmed by ``--auto-approve``)."""

    def __call__(self, target: Target, loaded: LoadedSpec | None, session: Session) -> Done:
        assert loaded is not None
        made, text = self.plan(loaded, session)
        if made.errors:
            return _refused(made, text, "the plan")
        if not made.has_changes:
            return Done("succeeded", reason="nothing to apply", report=plan_report(made), text=text)
        guard = guard_for(
            loaded, default_region=session.config.region, replace=self.replace, destroy=self.destroy
        )
        executor = Executor(
            session.s3,
            guard=guard,
            cloudfront=session.cloudfront,
            waiter=Waiter(session.cloudfront),
            parallelism=session.config.parallelism,
        )
        applied = executor.apply(made)
        steps = [r.to_json() for r in applied.results]
        text += apply_text.render(steps)
        report = {**plan_report(made), "steps": steps}
        if applied.ok:
            return Done(
                "succeeded", reason=f"applied {count(len(steps), 'step')}", report=report, text=text
            )
        failed = [s for s in steps if s["status"] == "failed"]
        first = (
            f"{failed[0]['address']}.{failed[0]['step']}: {failed[0]['reason']}" if failed else ""
        )
        return Done(
            "failed",
            reason=f"{count(len(failed), 'step')} of {len(steps)} failed; first: {first}",
            error_kind=kind_of_text(first),
            report=report,
            text=text,
        )


@dataclass(frozen=True)
class DriftWork:
    """``drift --targets``: the target's drift report; any resource not in sync is drift."""

    include_unmanaged: bool = False
    every_aspect: bool = False

    def __call__(self, target: Target, loaded: LoadedSpec | None, session: Session) -> Done:
        assert loaded is not None
        made, live = make_plan(
            loaded, _reader(session), default_region=session.config.region,
            every_aspect=self.every_aspect,
        )  # fmt: skip
        failed = unreadable(live)
        others = [d for d in made.errors if d.address not in failed]
        if others:
            return _refused(
                made, plan_text.render(made.to_json()), "the plan behind the drift check"
            )
        report = drift_report(
            loaded.spec, made, live,
            include_unmanaged=self.include_unmanaged, every_aspect=self.every_aspect,
        )  # fmt: skip
        data = report.to_json()
        text = drift_text.render(data)
        if report.has_errors:
            reasons = "; ".join(failed.values())
            return Done(
                "failed",
                reason=f"{len(failed)} resource(s) could not be read: {reasons}",
                error_kind=kind_of_text(reasons),
                report=data,
                text=text,
            )
        return Done(
            "drifted" if report.has_drift else "in_sync",
            reason=drift_text.summary_line(data) if report.has_drift else None,
            report=data,
            text=text,
        )


def output_for(template: str | None, target: Target) -> str | None:
    """Where ``import --targets -o TEMPLATE`` writes a target's spec: ``{account}``,
    ``{region}`` and ``{account_name}`` replaced."""
    if template is None:
        return None
    return (
        template.replace("{account}", target.account)
        .replace("{region}", target.region)
        .replace("{account_name}", target.account_name or target.account)
    )


@dataclass(frozen=True)
class ImportWork:
    """``import --targets``: a spec for each target's resources."""

    request: importer.ImportRequest
    output: str | None = None
    force: bool = False

    def __call__(self, target: Target, loaded: LoadedSpec | None, session: Session) -> Done:
        imported = importer.render(importer.read(_reader(session), self.request), self.request)
        path = output_for(self.output, target)
        text = "".join(f"{note}\n" for note in imported.notes)
        if path is None:
            text += imported.text
        else:
            file = Path(path)
            try:
                file.parent.mkdir(parents=True, exist_ok=True)
                with file.open("w" if self.force else "x", encoding="utf-8") as handle:
                    handle.write(imported.text)
            except FileExistsError as exc:
                raise PlanError(
                    f"{path} exists: import never replaces a file; pass --force"
                ) from exc
            except OSError as exc:
                raise PlanError(f"{path}: cannot write the spec: {exc.strerror}") from exc
        where = f" to {path}" if path else ""
        return Done(
            "succeeded",
            reason=f"imported {count(len(imported.declared), 'resource')}{where}",
            report={"declared": imported.declared, "output": path},
            text=text,
        )

"""The commands that check, plan, apply and destroy a spec, and show a saved plan."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from reconciler.cli.base import (
    Run,
    aws_options,
    cli,
    load,
    open_session,
    open_terminal,
    plan_format,
    refuse_errors,
    spec_options,
    target_options,
    write_file,
)
from reconciler.cli.fleet_run import over_fleet
from reconciler.errors import PlanError
from reconciler.terminal import count

if TYPE_CHECKING:
    from reconciler.apply.executor import StepResult
    from reconciler.apply.guard import Guard
    from reconciler.plan.model import Plan
    from reconciler.spec.loader import LoadedSpec


@cli.command()
@spec_options
@over_fleet("validate")
def validate(files: tuple[str, ...], variables: tuple[str, ...]) -> None:
    """Check the spec offline: schema, cross-references and AWS rules. No API call."""
    from reconciler.kinds.registry import declarations  # noqa: PLC0415

    loaded = load(files, variables)
    spec = loaded.spec
    counts = ", ".join(f"{len(d.resources(spec))} {d.noun}(s)" for d in declarations())
    click.echo(
        f"The spec is valid: stack {spec.stack!r}, {counts} from {len(loaded.files)} file(s)."
    )


@cli.command()
@spec_options
@over_fleet("plan")
@target_options
@click.option("--out", "out", type=click.Path(dir_okay=False), help="Save the plan to this file.")
@plan_format
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 2 when there are changes, 0 when there are none (1 on error).",
)
@click.option(
    "--destroy",
    "destroying",
    is_flag=True,
    help="Plan the deletion of everything the stack owns (what reconciler destroy does).",
)
@aws_options
def plan(
    *,
    files: tuple[str, ...],
    variables: tuple[str, ...],
    targets: tuple[str, ...],
    replace: tuple[str, ...],
    out: str | None,
    fmt: str,
    detailed_exitcode: bool,
    destroying: bool,
    **aws: Any,
) -> None:
    """Read the live state, compare it with the spec and show the ordered changes."""
    from reconciler.report import plan_markdown, plan_text  # noqa: PLC0415
    from reconciler.workflow import check_targets  # noqa: PLC0415

    terminal = open_terminal()
    loaded = load(files, variables)
    check_targets(frozenset(targets))  # before any credential or API call
    with open_session(aws) as session:
        run = Run(session, terminal)
        result, _ = run.plan(loaded, targets, replace, destroy=destroying)
        if fmt == "json":
            terminal.out(result.dumps())
        elif fmt == "markdown":
            terminal.out(plan_markdown.render(result.to_json()))
        else:
            terminal.out(plan_text.render(result.to_json(), style=terminal.style))
        terminal.note(run.closing())
        refuse_errors(result, terminal, shown=True)
        if out:
            write_file(out, result.dumps(), "the plan")
            terminal.note(f"Plan saved to {out}; apply it exactly with: reconciler apply {out}")
    if detailed_exitcode and result.has_changes:
        sys.exit(2)


def _read_plan_file(path: str) -> Plan:
    from reconciler.saved_plans import read_plan_file  # noqa: PLC0415

    return read_plan_file(path)


def _load_saved(
    saved: Plan, plan_file: str, files: tuple[str, ...], variables: tuple[str, ...]
) -> LoadedSpec:
    """The spec ``saved`` was made from, loaded again from the working directory: refused when
    a file is missing, changed or added, or when the variables differ."""
    from reconciler.saved_plans import check_files, check_loaded, relative  # noqa: PLC0415

    cwd = Path.cwd()
    sources = check_files(saved, plan_file, cwd)
    if files and tuple(relative(f, cwd) for f in files) != sources.given:
        raise PlanError(
            f"{plan_file}: the plan was made from -f {' '.join(sources.given)}; a saved plan "
            "loads its own spec files, so leave -f out"
        )
    loaded = load(sources.given, variables)
    check_loaded(saved, loaded, plan_file, cwd)
    return loaded


def _consented(saved: Plan, plan_file: str, *, destroying: bool, replace: tuple[str, ...]) -> None:
    """What deletes data or everything is applied from a file only when the command line says
    so too: a plan file is data from outside."""
    if saved.mode == "destroy" and not destroying:
        raise PlanError(
            f"{plan_file}: this is a destroy plan (plan --destroy): it deletes everything the "
            f"stack owns; apply it with: reconciler apply --destroy {plan_file}"
        )
    if saved.mode != "destroy" and destroying:
        raise PlanError(f"{plan_file}: --destroy is given, but this is not a destroy plan")
    missing = sorted(set(saved.replace) - set(replace))
    if missing:
        raise PlanError(
            f"{plan_file}: the plan replaces {', '.join(missing)} (deleting every object and "
            "creating it again); apply it with " + " ".join(f"--replace {a}" for a in missing)
        )


@cli.command()
@spec_options
@over_fleet("apply")
@target_options
@click.argument("plan_file", required=False, metavar="[PLAN]")
@click.option("--auto-approve", is_flag=True, help="Apply without asking for confirmation.")
@click.option(
    "--destroy",
    "destroying",
    is_flag=True,
    help="Apply a saved destroy plan (plan --destroy --out FILE).",
)
@aws_options
def apply(
    *,
    files: tuple[str, ...],
    variables: tuple[str, ...],
    targets: tuple[str, ...],
    replace: tuple[str, ...],
    plan_file: str | None,
    auto_approve: bool,
    destroying: bool,
    **aws: Any,
) -> None:
    """Plan and apply the changes, or apply a saved plan exactly: its spec files are read
    again, the plan is made again, and only if it is the same is it applied."""
    from reconciler.report import plan_text  # noqa: PLC0415
    from reconciler.workflow import check_targets, limit_plan, replan_saved  # noqa: PLC0415

    terminal = open_terminal()
    saved = _read_plan_file(plan_file) if plan_file else None
    check_targets(frozenset(targets))
    if saved is not None:
        assert plan_file is not None
        refuse_errors(saved, terminal, shown=False)
        _consented(saved, plan_file, destroying=destroying, replace=replace)
        limit_plan(saved, targets)  # a --target the saved plan does not hold: refused now
        loaded = _load_saved(saved, plan_file, files, variables)
    elif destroying:
        raise PlanError("--destroy applies a saved destroy plan; to destroy the stack, run destroy")
    else:
        loaded = load(files, variables)
    if saved is None and not auto_approve and not terminal.interactive:
        raise PlanError(
            "apply needs confirmation and there is no terminal to ask on: pass --auto-approve, "
            "or apply a saved plan (plan --out FILE, then apply FILE)"
        )
    with open_session(aws) as session:
        run = Run(session, terminal)
        if saved is not None:
            fresh = replan_saved(saved, loaded, run.reader, default_region=session.config.region)
            terminal.clear_progress()
            refuse_errors(fresh, terminal, shown=False)
            result = limit_plan(fresh, targets)
            guard = run.guard(loaded, replace=saved.replace, destroy=saved.mode == "destroy")
        else:
            result, _ = run.plan(loaded, targets, replace)
            guard = run.guard(loaded, replace=replace)
            terminal.out(plan_text.render(result.to_json(), style=terminal.style))
            if result.errors:
                terminal.note(run.closing())  # "0 writes": nothing was changed
            refuse_errors(result, terminal, shown=True)
        if not result.has_changes:
            terminal.note(f"Nothing to apply. {run.closing()}")
            return
        confirmed = saved is not None or auto_approve
        if not confirmed and not terminal.confirm("\nApply these changes? Only 'yes' is accepted"):
            raise PlanError("apply cancelled; nothing was changed")

        _execute(run, result, guard)


def _execute(run: Run, plan: Plan, guard: Guard) -> None:
    """Carry out ``plan`` (checked, confirmed): each finished step shown once on a terminal,
    the outcome after; a first Ctrl-C stops after the requests under way."""
    from reconciler.apply.executor import Executor, stop_on_interrupt  # noqa: PLC0415
    from reconciler.aws.cloudfront_waiters import Waiter  # noqa: PLC0415
    from reconciler.kinds.base import StepStatus  # noqa: PLC0415
    from reconciler.report import apply_text  # noqa: PLC0415

    terminal, session = run.terminal, run.session
    finished = {"done": 0, "failed": 0}

    def step(result: StepResult) -> None:
        if not terminal.interactive:
            return
        # Each finished step once, as it finishes, under a live line of how far along.
        if result.status in finished:
            finished[result.status] += 1
            terminal.note(apply_text.step_line(result.to_json(), style=terminal.style))
        terminal.status(
            f"applying: {count(finished['done'], 'step')} done"
            + (f", {finished['failed']} failed" if finished["failed"] else "")
        )

    executor = Executor(
        session.s3,
        guard=guard,
        cloudfront=session.cloudfront,
        waiter=Waiter(session.cloudfront, progress=terminal.waiting),
        parallelism=session.config.parallelism,
        on_step=step,
    )
    with stop_on_interrupt(executor, notify=terminal.note):
        report = executor.apply(plan)
    steps = [r.to_json() for r in report.results]
    terminal.out(
        apply_text.render(
            steps, style=terminal.style, interrupted=report.interrupted, shown=terminal.interactive
        )
    )
    terminal.note(run.closing())
    if report.interrupted:
        raise PlanError("the apply was interrupted; run apply again to continue")
    if not report.ok:
        raise PlanError(f"{report.count(StepStatus.FAILED)} step(s) failed")


@cli.command()
@spec_options
@click.option(
    "--auto-approve",
    is_flag=True,
    help="Destroy without asking for the stack's name (CI, preview stacks).",
)
@aws_options
def destroy(
    *, files: tuple[str, ...], variables: tuple[str, ...], auto_approve: bool, **aws: Any
) -> None:
    """Delete everything the stack owns, with the safety rules of every plan: never what it
    does not own, never a bucket holding objects without force_destroy, never with
    prevent_destroy. On a terminal it asks for the stack's name first."""
    from reconciler.report import plan_text  # noqa: PLC0415

    terminal = open_terminal()
    loaded = load(files, variables)
    stack = loaded.spec.stack
    if not auto_approve and not terminal.interactive:
        raise PlanError(
            "destroy needs confirmation and there is no terminal to ask on: pass --auto-approve"
        )
    with open_session(aws) as session:
        run = Run(session, terminal)
        result, _ = run.plan(loaded, destroy=True)
        terminal.out(plan_text.render(result.to_json(), style=terminal.style))
        if result.errors:
            terminal.note(run.closing())
        refuse_errors(result, terminal, shown=True, outcome="nothing was deleted")
        if not result.has_changes:
            terminal.note(f"Nothing to destroy: stack {stack} owns nothing. {run.closing()}")
            return
        if not auto_approve:
            answer = terminal.ask(
                f"\nThis deletes everything above. Type the stack's name ({stack}) to go on"
            )
            if answer.strip() != stack:
                raise PlanError("destroy cancelled; nothing was deleted")
        _execute(run, result, run.guard(loaded, destroy=True))


@cli.command()
@click.argument("plan_file", metavar="PLAN")
@plan_format
def show(plan_file: str, fmt: str) -> None:
    """Show a saved plan exactly as apply would carry it out. No API call."""
    from reconciler.report import plan_markdown, plan_text  # noqa: PLC0415

    terminal = open_terminal()
    saved = _read_plan_file(plan_file)
    if fmt == "json":
        terminal.out(saved.dumps())
    elif fmt == "markdown":
        terminal.out(plan_markdown.render(saved.to_json()))
    else:
        terminal.out(plan_text.render(saved.to_json(), style=terminal.style))

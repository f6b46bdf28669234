"""The command line: parses options, wires the pieces, and is the one place that turns errors
into messages and exit codes (0 ok, 1 error)."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import shlex
import signal
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import click

from reconciler import __version__
from reconciler.errors import ConfigError, PlanError, ReconcilerError
from reconciler.terminal import Terminal, count

# Each command imports what it needs when it runs, so that `reconciler --help` (and a command
# that needs little) does not pay for the client, the planner and the renderers.
if TYPE_CHECKING:
    from reconciler.apply.executor import StepResult
    from reconciler.aws.session import Session
    from reconciler.live.model import LiveState
    from reconciler.plan.model import Plan
    from reconciler.spec.loader import LoadedSpec

#: The drift report formats (reconciler.report.drift_formats.FORMATS; a test keeps them equal).
DRIFT_FORMATS = ("text", "json", "markdown", "html", "junit")

LOG_LEVELS = ("error", "warning", "info", "debug")


def _configure_logging(level: str) -> None:
    # The chosen level applies to the reconciler's own loggers; libraries (and the embedded
    # emulator) keep to warnings, so debug output is one line per API request and no noise.
    logging.basicConfig(
        level=logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("reconciler").setLevel(getattr(logging, level.upper()))


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Keeps a common option given before the command or after it (after wins)."""
    if value is None or value is False or value == ():
        return value
    ctx.find_root().meta.setdefault("reconciler.options", {})[param.name] = value
    if param.name == "log_level":
        _configure_logging(str(value))
    return value


def _common(name: str) -> Any:
    """The value of a common option, wherever on the command line it was given."""
    found = click.get_current_context().find_root().meta.get("reconciler.options", {})
    return found.get(name)


#: Options every command takes, before or after its name.
_COMMON = [
    click.option(
        "--log-level",
        type=click.Choice(LOG_LEVELS, case_sensitive=False),
        envvar="RECONCILER_LOG_LEVEL",
        callback=_remember,
        expose_value=False,
        is_eager=True,
        help="Log to stderr at this level (default warning; also RECONCILER_LOG_LEVEL); debug "
        "logs one line per API request, no secrets.",
    ),
    click.option(
        "--no-color",
        is_flag=True,
        default=False,
        callback=_remember,
        expose_value=False,
        help="No colour (also NO_COLOR).",
    ),
    click.option(
        "--endpoint-url",
        metavar="URL",
        callback=_remember,
        expose_value=False,
        help="Send every service's requests here (also AWS_ENDPOINT_URL[_S3|_CLOUDFRONT]).",
    ),
    click.option(
        "--region",
        callback=_remember,
        expose_value=False,
        help="Default region (also AWS_REGION, the profile's region).",
    ),
    click.option(
        "--profile",
        callback=_remember,
        expose_value=False,
        help="Profile in the shared AWS files (also AWS_PROFILE).",
    ),
]


def _common_options(command: Any) -> Any:
    for option in reversed(_COMMON):
        command = option(command)
    return command


class _Group(click.Group):
    """Every command takes the common options, before or after its name."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        _common_options(cmd)
        super().add_command(cmd, name)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reconciler")
@_common_options
def cli() -> None:
    """Declarative reconciler for Amazon S3 buckets and CloudFront distributions."""
    if _common("log_level") is None:
        _configure_logging("warning")


def _spec_options(command: Any) -> Any:
    command = click.option(
        "-f",
        "--file",
        "files",
        multiple=True,
        metavar="PATH",
        help="Spec file or directory (every *.yaml/*.yml below it). Default: reconciler.yaml.",
    )(command)
    command = click.option(
        "--var-file",
        "var_files",
        multiple=True,
        metavar="FILE",
        callback=_remember,
        expose_value=False,
        help="A YAML or JSON map of variables; repeatable, applied in order, before --var.",
    )(command)
    return click.option(
        "--var",
        "variables",
        multiple=True,
        metavar="NAME=VALUE",
        help="Set or override a variable used as ${var.NAME}.",
    )(command)


def _load(files: tuple[str, ...], variables: tuple[str, ...]) -> LoadedSpec:
    from reconciler.spec.loader import load_spec  # noqa: PLC0415
    from reconciler.spec.variables import parse_cli_vars, parse_var_file  # noqa: PLC0415

    given: dict[str, Any] = {}
    problems = []
    for path in _common("var_files") or ():
        found, wrong = parse_var_file(path)
        given.update(found)
        problems += wrong
    cli_vars, wrong = parse_cli_vars(list(variables))
    problems += wrong
    if problems:
        raise ConfigError("invalid --var or --var-file option", issues=problems)
    loaded = load_spec(files, cli_vars={**given, **cli_vars}, env=os.environ)
    for warning in loaded.warnings:
        click.echo(str(warning), err=True)
    return loaded


@cli.command()
@_spec_options
def validate(files: tuple[str, ...], variables: tuple[str, ...]) -> None:
    """Check the spec offline: schema, cross-references and AWS rules. No API call."""
    loaded = _load(files, variables)
    spec = loaded.spec
    click.echo(
        f"The spec is valid: stack {spec.stack!r}, {len(spec.buckets)} bucket(s), "
        f"{len(spec.distributions)} distribution(s) from {len(loaded.files)} file(s)."
    )


def _aws_options(command: Any) -> Any:
    """The options of commands that talk to AWS (beside the common ones); a command takes them
    as ``**aws`` and passes them on whole."""
    return click.option(
        "--parallelism",
        type=int,
        default=16,
        show_default=True,
        help="Concurrent API requests at most.",
    )(command)


#: How a plan is shown (``plan`` and ``show``).
_plan_format = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="Human text, the plan's JSON document, or Markdown for a pull-request comment.",
)


def _target_options(command: Any) -> Any:
    command = click.option(
        "--target",
        "targets",
        multiple=True,
        metavar="ADDR",
        help="Limit to this resource (bucket.NAME) and what it depends on; repeatable.",
    )(command)
    return click.option(
        "--replace",
        "replace",
        multiple=True,
        metavar="ADDR",
        help="Allow this bucket to be deleted with its objects and created again (a region "
        "change); repeatable.",
    )(command)


class _Run:
    """A plan or apply run: the terminal, the session, and the count of requests and time."""

    def __init__(self, session: Session, terminal: Terminal) -> None:
        from reconciler.live.reader import LiveReader  # noqa: PLC0415

        self.session = session
        self.terminal = terminal
        self.started = time.monotonic()
        self.reader = LiveReader(
            session.s3,
            cloudfront=session.cloudfront,
            parallelism=session.config.parallelism,
            progress=terminal.progress,
        )

    def closing(self) -> str:
        elapsed = time.monotonic() - self.started
        transport = self.session.transport
        return (
            f"{count(transport.requests_sent, 'API request')} "
            f"({count(transport.writes_sent, 'write')}) in {elapsed:.1f} s."
        )

    def plan(
        self,
        loaded: LoadedSpec,
        targets: tuple[str, ...] = (),
        replace: tuple[str, ...] = (),
        *,
        destroy: bool = False,
        every_aspect: bool = False,
    ) -> tuple[Plan, LiveState]:
        """The plan, and the live state it was made against."""
        from reconciler.workflow import make_plan  # noqa: PLC0415

        found = make_plan(
            loaded,
            self.reader,
            default_region=self.session.config.region,
            targets=frozenset(targets),
            replace=frozenset(replace),
            destroy=destroy,
            every_aspect=every_aspect,
        )
        self.terminal.clear_progress()
        return found


def _terminal(no_color: bool = False) -> Terminal:
    return Terminal(no_color=no_color or bool(_common("no_color")), env=os.environ)


def _session(aws: dict[str, Any]) -> Any:
    """The client session from the common AWS options (see `_aws_options`)."""
    from reconciler.aws.config import resolve_client_config  # noqa: PLC0415
    from reconciler.aws.session import open_session  # noqa: PLC0415

    config = resolve_client_config(
        env=os.environ,
        cli_endpoint_url=_common("endpoint_url"),
        cli_region=_common("region"),
        profile=_common("profile"),
        parallelism=aws["parallelism"],
    )
    # An MFA code for an assume-role profile is asked for on a terminal, never without one.
    prompt = _ask if sys.stdin.isatty() and sys.stderr.isatty() else None
    return open_session(config, env=os.environ, profile=_common("profile"), prompt=prompt)


def _ask(question: str) -> str:
    return str(click.prompt(question, hide_input=True, err=True))


def _write(path: str, text: str, what: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise PlanError(f"{path}: cannot write {what}: {exc.strerror}") from exc


def _refuse_errors(
    plan: Plan,
    terminal: Terminal,
    *,
    shown: bool,
    what: str = "the plan",
    outcome: str = "nothing was changed",
) -> None:
    """A plan with errors is never applied, saved or reported on; the errors are listed once."""
    errors = plan.errors
    if errors:
        if not shown:
            for diag in plan.diagnostics:
                terminal.note(str(diag))
        raise PlanError(f"{what} has {len(errors)} error(s); {outcome}")


@cli.command()
@_spec_options
@_target_options
@click.option("--out", "out", type=click.Path(dir_okay=False), help="Save the plan to this file.")
@_plan_format
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
@_aws_options
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

    terminal = _terminal()
    loaded = _load(files, variables)
    check_targets(frozenset(targets))  # before any credential or API call
    with _session(aws) as session:
        run = _Run(session, terminal)
        result, _ = run.plan(loaded, targets, replace, destroy=destroying)
        if fmt == "json":
            terminal.out(result.dumps())
        elif fmt == "markdown":
            terminal.out(plan_markdown.render(result.to_json()))
        else:
            terminal.out(plan_text.render(result.to_json(), style=terminal.style))
        terminal.note(run.closing())
        _refuse_errors(result, terminal, shown=True)
        if out:
            _write(out, result.dumps(), "the plan")
            terminal.note(f"Plan saved to {out}; apply it exactly with: reconciler apply {out}")
    if detailed_exitcode and result.has_changes:
        sys.exit(2)


def _read_plan_file(path: str) -> Plan:
    from reconciler.plan.model import plan_from_json  # noqa: PLC0415

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise PlanError(f"{path}: cannot read the plan file: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise PlanError(f"{path}: not a reconciler plan file (not UTF-8 text)") from exc
    try:
        return plan_from_json(json.loads(text))
    except (ValueError, KeyError, TypeError) as exc:
        if path.endswith((".yaml", ".yml")) or text.lstrip().startswith(("version:", "#")):
            raise PlanError(
                f"{path}: this looks like a spec, not a saved plan; a spec is given with -f: "
                f"reconciler apply -f {path}"
            ) from exc
        raise PlanError(
            f"{path}: not a reconciler plan file ({exc}); save one with: reconciler plan --out FILE"
        ) from exc


@cli.command()
@_spec_options
@_target_options
@click.argument("plan_file", required=False, metavar="[PLAN]")
@click.option("--auto-approve", is_flag=True, help="Apply without asking for confirmation.")
@_aws_options
def apply(
    *,
    files: tuple[str, ...],
    variables: tuple[str, ...],
    targets: tuple[str, ...],
    replace: tuple[str, ...],
    plan_file: str | None,
    auto_approve: bool,
    **aws: Any,
) -> None:
    """Plan and apply the changes, or apply a saved plan exactly."""
    from reconciler.report import plan_text  # noqa: PLC0415
    from reconciler.workflow import check_targets, limit_plan, require_fresh  # noqa: PLC0415

    terminal = _terminal()
    saved = limit_plan(_read_plan_file(plan_file), targets) if plan_file else None
    loaded = None if saved else _load(files, variables)
    check_targets(frozenset(targets))
    if saved is None and not auto_approve and not terminal.interactive:
        raise PlanError(
            "apply needs confirmation and there is no terminal to ask on: pass --auto-approve, "
            "or apply a saved plan (plan --out FILE, then apply FILE)"
        )
    with _session(aws) as session:
        run = _Run(session, terminal)
        if saved is not None:
            _refuse_errors(saved, terminal, shown=False)
            require_fresh(saved, run.reader)
            terminal.clear_progress()
            result = saved
        else:
            assert loaded is not None
            result, _ = run.plan(loaded, targets, replace)
            terminal.out(plan_text.render(result.to_json(), style=terminal.style))
            if result.errors:
                terminal.note(run.closing())  # "0 writes": nothing was changed
            _refuse_errors(result, terminal, shown=True)
        if not result.has_changes:
            terminal.note(f"Nothing to apply. {run.closing()}")
            return
        confirmed = saved is not None or auto_approve
        if not confirmed and not terminal.confirm("\nApply these changes? Only 'yes' is accepted"):
            raise PlanError("apply cancelled; nothing was changed")

        _execute(run, result)


def _execute(run: _Run, plan: Plan) -> None:
    """Carry out ``plan`` (checked, confirmed): each finished step shown once on a terminal,
    the outcome after; a first Ctrl-C stops after the requests under way."""
    from reconciler.apply.executor import Executor, stop_on_interrupt  # noqa: PLC0415
    from reconciler.aws.cloudfront_waiters import Waiter  # noqa: PLC0415
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
        raise PlanError(f"{report.count('failed')} step(s) failed")


@cli.command()
@_spec_options
@click.option(
    "--auto-approve",
    is_flag=True,
    help="Destroy without asking for the stack's name (CI, preview stacks).",
)
@_aws_options
def destroy(
    *, files: tuple[str, ...], variables: tuple[str, ...], auto_approve: bool, **aws: Any
) -> None:
    """Delete everything the stack owns, with the safety rules of every plan: never what it
    does not own, never a bucket holding objects without force_destroy, never with
    prevent_destroy. On a terminal it asks for the stack's name first."""
    from reconciler.report import plan_text  # noqa: PLC0415

    terminal = _terminal()
    loaded = _load(files, variables)
    stack = loaded.spec.stack
    if not auto_approve and not terminal.interactive:
        raise PlanError(
            "destroy needs confirmation and there is no terminal to ask on: pass --auto-approve"
        )
    with _session(aws) as session:
        run = _Run(session, terminal)
        result, _ = run.plan(loaded, destroy=True)
        terminal.out(plan_text.render(result.to_json(), style=terminal.style))
        if result.errors:
            terminal.note(run.closing())
        _refuse_errors(result, terminal, shown=True, outcome="nothing was deleted")
        if not result.has_changes:
            terminal.note(f"Nothing to destroy: stack {stack} owns nothing. {run.closing()}")
            return
        if not auto_approve:
            answer = terminal.ask(
                f"\nThis deletes everything above. Type the stack's name ({stack}) to go on"
            )
            if answer.strip() != stack:
                raise PlanError("destroy cancelled; nothing was deleted")
        _execute(run, result)


@cli.command()
@_spec_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(DRIFT_FORMATS),
    default="text",
    show_default=True,
    help="Human text, JSON, Markdown (CI summaries), a self-contained HTML page, or JUnit XML.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write the report to this file instead of stdout (the exit code still tells drift).",
)
@click.option(
    "--include-unmanaged",
    is_flag=True,
    help="Also list buckets and distributions that the spec does not declare and no stack owns.",
)
@click.option(
    "--all-aspects",
    "every_aspect",
    is_flag=True,
    help="Also read the aspects each bucket's spec leaves out and report those that are set "
    "(a policy added by hand) as unmanaged_aspect: 11 reads per bucket instead of one per "
    "declared aspect, plus two.",
)
@_aws_options
def drift(
    *,
    files: tuple[str, ...],
    variables: tuple[str, ...],
    fmt: str,
    output: str | None,
    include_unmanaged: bool,
    every_aspect: bool,
    **aws: Any,
) -> None:
    """Compare the live state with the spec, read-only: exit 0 in sync, 2 drift, 1 error."""
    from reconciler.drift import RunContext, account_of, drift_report, unreadable  # noqa: PLC0415
    from reconciler.report import drift_formats, drift_text, plan_text  # noqa: PLC0415

    terminal = _terminal()
    loaded = _load(files, variables)
    with _session(aws) as session:
        run = _Run(session, terminal)
        result, live = run.plan(loaded, every_aspect=every_aspect)
        # A resource that could not be read is reported as such; any other error (the spec's
        # safety rules) leaves no report.
        failed = unreadable(live)
        _refuse_errors(
            dataclasses.replace(
                result, diagnostics=tuple(d for d in result.diagnostics if d.address not in failed)
            ),
            terminal,
            shown=False,
            what="the plan behind the drift check",
            outcome="no report was written",
        )
        report = drift_report(
            loaded.spec,
            result,
            live,
            include_unmanaged=include_unmanaged,
            every_aspect=every_aspect,
        )
        style = plan_text.plain if output else terminal.style
        context = RunContext(
            generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            version=__version__,
            region=session.config.region,
            endpoint=urlsplit(session.config.endpoint("s3") or "").netloc or "AWS",
            account=account_of(live),
            fix="reconciler apply" + "".join(f" -f {shlex.quote(f)}" for f in files),
        )
        document = drift_formats.render(report, fmt, style=style, context=context)
        if output:
            _write(output, document, "the report")
            terminal.note(f"{drift_text.summary_line(report.to_json())} Report: {output}")
        else:
            terminal.out(document)
        terminal.note(run.closing())
    if report.has_errors:
        raise PlanError(
            "the live state of some resources could not be read (status error in the report)"
        )
    if report.has_drift:
        sys.exit(2)


@cli.command()
@click.argument("plan_file", metavar="PLAN")
@_plan_format
def show(plan_file: str, fmt: str) -> None:
    """Show a saved plan exactly as apply would carry it out. No API call."""
    from reconciler.report import plan_markdown, plan_text  # noqa: PLC0415

    terminal = _terminal()
    saved = _read_plan_file(plan_file)
    if fmt == "json":
        terminal.out(saved.dumps())
    elif fmt == "markdown":
        terminal.out(plan_markdown.render(saved.to_json()))
    else:
        terminal.out(plan_text.render(saved.to_json(), style=terminal.style))


@cli.command()
@_spec_options
@click.argument("name")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--wait", is_flag=True, help="Wait until CloudFront has completed it.")
@_aws_options
def invalidate(
    *,
    files: tuple[str, ...],
    variables: tuple[str, ...],
    name: str,
    paths: tuple[str, ...],
    wait: bool,
    **aws: Any,
) -> None:
    """Invalidate PATHs (such as /index.html or /img/*) of the distribution declared as NAME."""
    from reconciler.invalidate import check_paths, find_distribution  # noqa: PLC0415
    from reconciler.invalidate import invalidate as invalidate_paths  # noqa: PLC0415

    terminal = _terminal()
    loaded = _load(files, variables)
    if name not in loaded.spec.distributions:
        raise PlanError(f"distribution.{name}: not declared in the spec")
    check_paths(name, list(paths))  # before any credential or API call
    address = f"distribution.{name}"
    with _session(aws) as session:
        run = _Run(session, terminal)
        found = find_distribution(session.cloudfront, stack=loaded.spec.stack, name=name)
        made = invalidate_paths(
            session.cloudfront,
            found,
            list(paths),
            address=address,
            wait=wait,
            sleep=time.sleep,
            progress=terminal.note if terminal.interactive else None,
        )
        terminal.out(f"{address} ({found}): invalidation {made.id} {made.status}\n")
        terminal.note(run.closing())


@cli.command(name="import")
@click.option("--bucket", "buckets", multiple=True, metavar="NAME", help="A bucket; repeatable.")
@click.option(
    "--distribution",
    "distributions",
    multiple=True,
    metavar="ID",
    help="A distribution's CloudFront id; repeatable.",
)
@click.option(
    "--all-unmanaged",
    is_flag=True,
    help="Every bucket and distribution of the account that no stack owns.",
)
@click.option(
    "--buckets-only",
    is_flag=True,
    help="With --all-unmanaged: buckets alone, no CloudFront request (S3-only roles, "
    "S3-compatible stores).",
)
@click.option(
    "--stack",
    default="imported",
    show_default=True,
    help="The stack the spec declares (the ownership scope the plan adopts them into).",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the spec here.")
@_aws_options
def import_(
    *,
    buckets: tuple[str, ...],
    distributions: tuple[str, ...],
    all_unmanaged: bool,
    buckets_only: bool,
    stack: str,
    output: str | None,
    **aws: Any,
) -> None:
    """Write a spec (YAML) describing existing buckets and distributions. Read-only."""
    from reconciler import importer  # noqa: PLC0415

    terminal = _terminal()
    if not (buckets or distributions or all_unmanaged):
        raise PlanError("name what to import: --bucket NAME, --distribution ID or --all-unmanaged")
    if buckets_only and distributions:
        raise PlanError("--buckets-only imports no distribution: leave out --distribution")
    request = importer.ImportRequest(stack, buckets, distributions, all_unmanaged, buckets_only)
    with _session(aws) as session:
        run = _Run(session, terminal)
        imported = importer.render(importer.read(run.reader, request), request)
        terminal.clear_progress()
        for note in imported.notes:
            terminal.note(note)
        if output:
            _write(output, imported.text, "the spec")
        else:
            terminal.out(imported.text)
        where = f" to {output}" if output else ""
        terminal.note(
            f"Imported {len(imported.declared)} resource(s) for stack {stack}{where}; "
            f"{run.closing()}"
        )


@cli.command()
@_spec_options
@click.option(
    "--for",
    "command",
    type=click.Choice(["plan", "apply", "drift", "import"]),
    default="apply",
    show_default=True,
    help="The command the policy is for.",
)
def permissions(files: tuple[str, ...], variables: tuple[str, ...], command: str) -> None:
    """Print the least-privilege IAM policy (JSON) a command needs for this spec. No API call."""
    from reconciler.permissions import policy_text  # noqa: PLC0415 - only this command needs it

    loaded = _load(files, variables)
    click.echo(policy_text(loaded.spec, command), nl=False)  # type: ignore[arg-type]


@cli.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "markdown"]),
    default="json",
    show_default=True,
    help="The JSON Schema (editors), or the field reference as Markdown (docs/reference.md).",
)
def schema(output: str | None, fmt: str) -> None:
    """Print the spec's JSON Schema (for editor completion and checks), or its field reference."""
    from reconciler.spec.schema import spec_schema_text  # noqa: PLC0415

    if fmt == "markdown":
        from reconciler.spec.reference import reference_text  # noqa: PLC0415

        text = reference_text()
    else:
        text = spec_schema_text()
    if output:
        _write(output, text, "the schema")
    else:
        click.echo(text, nl=False)


@cli.command()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default="a free port",
    help="The loopback port to listen on.",
)
def emulator(port: int) -> None:
    """Run the embedded S3 + CloudFront emulator on loopback until Ctrl-C, to try every command
    safely. It prints the export lines that point the reconciler (and the AWS CLI) at it."""
    from reconciler.emulator import embedded_emulator, export_lines  # noqa: PLC0415 - optional

    with embedded_emulator(port) as endpoint:
        click.echo(
            f"S3 + CloudFront emulator on {endpoint} (nothing leaves this machine; its state "
            "is gone when it stops). In another terminal, run:",
            err=True,
        )
        for line in export_lines(endpoint):
            click.echo(line)
        sys.stdout.flush()
        click.echo("Ctrl-C stops it.", err=True)
        stopped = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopped.set())
        with contextlib.suppress(KeyboardInterrupt):
            stopped.wait()
    click.echo("Emulator stopped.", err=True)


@cli.command()
def demo() -> None:
    """The whole story on an embedded S3 + CloudFront emulator: plan, apply, drift, converge."""
    from reconciler.demo import run_demo  # noqa: PLC0415 - needs the optional emulator

    terminal = _terminal()
    run_demo(click.echo, style=terminal.style)


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(1)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except ConfigError as exc:
        for issue in exc.issues:
            click.echo(str(issue), err=True)
        click.echo(f"Error: {ReconcilerError.__str__(exc)}", err=True)
        sys.exit(1)
    except PlanError as exc:
        for detail in exc.details:
            click.echo(detail, err=True)
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    except ReconcilerError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)

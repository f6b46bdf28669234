"""The commands around a spec: drift reports, invalidations, import, permissions, the schema,
the emulator and the demo."""

from __future__ import annotations

import contextlib
import dataclasses
import shlex
import signal
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from reconciler import __version__
from reconciler.cli.base import (
    DRIFT_FORMATS,
    Run,
    aws_options,
    cli,
    import_request,
    load,
    open_session,
    open_terminal,
    refuse_errors,
    spec_options,
    write_file,
)
from reconciler.cli.fleet_run import over_fleet
from reconciler.errors import PlanError


@cli.command()
@spec_options
@over_fleet("drift")
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
    help="Also read the parts each resource's spec leaves out (a bucket's aspects) and report "
    "those that are set (a policy added by hand) as unmanaged_aspect: a read of every aspect "
    "of each bucket, not only of those it declares.",
)
@click.option(
    "--fail-on-unmanaged-aspects",
    "fail_on_aspects",
    is_flag=True,
    help="With --all-aspects (implied): exit 2 when a bucket has an aspect set that its spec "
    "leaves out, as on drift (a policy added by hand, for a security review in CI).",
)
@aws_options
def drift(
    *,
    files: tuple[str, ...],
    variables: tuple[str, ...],
    fmt: str,
    output: str | None,
    include_unmanaged: bool,
    every_aspect: bool,
    fail_on_aspects: bool,
    **aws: Any,
) -> None:
    """Compare the live state with the spec, read-only: exit 0 in sync, 2 drift, 1 error."""
    every_aspect = every_aspect or fail_on_aspects
    from reconciler.drift import RunContext, account_of, drift_report, unreadable  # noqa: PLC0415
    from reconciler.report import drift_formats, drift_text, plan_text  # noqa: PLC0415

    terminal = open_terminal()
    loaded = load(files, variables)
    with open_session(aws) as session:
        run = Run(session, terminal)
        result, live = run.plan(loaded, every_aspect=every_aspect)
        # A resource that could not be read is reported as such; any other error (the spec's
        # safety rules) leaves no report.
        failed = unreadable(live)
        refuse_errors(
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
            write_file(output, document, "the report")
            terminal.note(f"{drift_text.summary_line(report.to_json())} Report: {output}")
        else:
            terminal.out(document)
        terminal.note(run.closing())
    if report.has_errors:
        raise PlanError(
            "the live state of some resources could not be read (status error in the report)"
        )
    if report.has_drift or (fail_on_aspects and report.unmanaged_aspects):
        sys.exit(2)


def _import_options(command: Any) -> Any:
    """Each kind's way of naming what to import (``--bucket NAME``, ...), and its flag that,
    with ``--all-unmanaged``, imports that kind alone."""
    from reconciler.kinds.registry import import_options  # noqa: PLC0415 - no model imported

    for option in reversed(import_options()):
        if option.alone:
            command = click.option(
                option.alone, option.alone_dest, is_flag=True, help=option.alone_help
            )(command)
        command = click.option(
            option.flag, option.dest, multiple=True, metavar=option.metavar, help=option.help
        )(command)
    return command


@cli.command(name="import")
@over_fleet("import")
@_import_options
@click.option(
    "--all-unmanaged",
    is_flag=True,
    help="Every resource of the account that no stack owns.",
)
@click.option(
    "--stack",
    default="imported",
    show_default=True,
    help="The stack the spec declares (the ownership scope the plan adopts them into).",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the spec here.")
@click.option(
    "--force", is_flag=True, help="With -o: replace an existing file (or a symlink's target)."
)
@aws_options
def import_(
    *,
    all_unmanaged: bool,
    stack: str,
    output: str | None,
    force: bool,
    parallelism: int,
    **given: Any,
) -> None:
    """Write a spec (YAML) describing existing resources. Read-only."""
    from reconciler import importer  # noqa: PLC0415

    terminal = open_terminal()
    if output and not force and (Path(output).exists() or Path(output).is_symlink()):
        what = "is a symbolic link" if Path(output).is_symlink() else "exists"
        raise PlanError(f"{output} {what}: import never replaces a file; pass --force to do so")
    request = import_request(stack, all_unmanaged, output, given)
    with open_session({"parallelism": parallelism}) as session:
        run = Run(session, terminal)
        imported = importer.render(importer.read(run.reader, request), request)
        terminal.clear_progress()
        for note in imported.notes:
            terminal.note(note)
        if output:
            write_file(output, imported.text, "the spec", exclusive=not force)
        else:
            terminal.out(imported.text)
        where = f" to {output}" if output else ""
        terminal.note(
            f"Imported {len(imported.declared)} resource(s) for stack {stack}{where}; "
            f"{run.closing()}"
        )


@cli.command()
@spec_options
@click.option(
    "--for",
    "command",
    type=click.Choice(["plan", "apply", "drift", "import", "destroy"]),
    default="apply",
    show_default=True,
    help="The command the policy is for.",
)
def permissions(files: tuple[str, ...], variables: tuple[str, ...], command: str) -> None:
    """Print the least-privilege IAM policy (JSON) a command needs for this spec. No API call."""
    from reconciler.permissions import policy_text  # noqa: PLC0415 - only this command needs it

    loaded = load(files, variables)
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
        write_file(output, text, "the schema")
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

    terminal = open_terminal()
    run_demo(click.echo, style=terminal.style)

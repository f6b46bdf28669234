"""The command line: parses options, wires the pieces, and is the one place that turns errors
into messages and exit codes (0 ok, 1 error)."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

import click

from reconciler import __version__
from reconciler.errors import ConfigError, ReconcilerError
from reconciler.spec.loader import LoadedSpec, load_spec
from reconciler.spec.schema import spec_schema_text
from reconciler.spec.variables import parse_cli_vars

LOG_LEVELS = ("error", "warning", "info", "debug")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reconciler")
@click.option(
    "--log-level",
    type=click.Choice(LOG_LEVELS, case_sensitive=False),
    default="warning",
    show_default=True,
    help="Log to stderr at this level; debug logs one line per API request (no secrets).",
)
def cli(log_level: str) -> None:
    """Declarative reconciler for Amazon S3 buckets and CloudFront distributions."""
    # The chosen level applies to the reconciler's own loggers; libraries (and the embedded
    # emulator) keep to warnings, so debug output is one line per API request and no noise.
    logging.basicConfig(
        level=logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("reconciler").setLevel(getattr(logging, log_level.upper()))


def _spec_options(command: Any) -> Any:
    command = click.option(
        "-f",
        "--file",
        "files",
        multiple=True,
        metavar="PATH",
        help="Spec file or directory (every *.yaml/*.yml below it). Default: reconciler.yaml.",
    )(command)
    return click.option(
        "--var",
        "variables",
        multiple=True,
        metavar="NAME=VALUE",
        help="Set or override a variable used as ${var.NAME}.",
    )(command)


def _load(files: tuple[str, ...], variables: tuple[str, ...]) -> LoadedSpec:
    cli_vars, problems = parse_cli_vars(list(variables))
    if problems:
        raise ConfigError("invalid --var option", issues=problems)
    loaded = load_spec(files, cli_vars=cli_vars, env=os.environ)
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


@cli.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file.")
def schema(output: str | None) -> None:
    """Print the spec's JSON Schema (for editor completion and checks)."""
    text = spec_schema_text()
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@cli.command()
def demo() -> None:
    """Run the client against an embedded S3 emulator on loopback."""
    from reconciler.demo import run_demo  # noqa: PLC0415 - needs the optional emulator

    run_demo(click.echo)


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
    except ReconcilerError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)

"""The command line: parses options, wires the pieces, and is the one place that turns errors
into messages and exit codes (0 ok, 1 error)."""

from __future__ import annotations

import logging
import sys

import click

from reconciler import __version__
from reconciler.errors import ReconcilerError

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
    except ReconcilerError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)

"""The command line: parses options, wires the pieces, and is the one place that turns errors
into messages and exit codes (0 ok, 1 error). `base` holds the group and the options commands
share; each command module registers its commands on the group when imported."""

from __future__ import annotations

import gc
import sys

# A command is a short process that builds many objects that live until it ends (modules, the
# spec, the live state) and few reference cycles: the cyclic collector runs far less often
# than its default (every 700 allocations), which cost a tenth of a 1,000-bucket plan's CPU
# time (`bench/bench_plan_latency.py`). `base.load` also freezes what the spec load built.
gc.set_threshold(20_000, 10, 10)

import click  # noqa: E402

from reconciler.cli import (  # noqa: E402
    fleet_commands,
    invalidate_command,
    other_commands,
    plan_commands,
)
from reconciler.cli.base import DRIFT_FORMATS, cli  # noqa: E402
from reconciler.errors import ConfigError, PlanError, ReconcilerError  # noqa: E402
from reconciler.terminal import printable  # noqa: E402

__all__ = [
    "DRIFT_FORMATS",
    "cli",
    "fleet_commands",
    "invalidate_command",
    "main",
    "other_commands",
    "plan_commands",
]


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
            click.echo(printable(str(issue)), err=True)
        click.echo(printable(f"Error: {ReconcilerError.__str__(exc)}"), err=True)
        sys.exit(1)
    except PlanError as exc:
        for detail in exc.details:
            click.echo(printable(detail), err=True)
        click.echo(printable(f"Error: {exc}"), err=True)
        sys.exit(1)
    except ReconcilerError as exc:
        click.echo(printable(f"Error: {exc}"), err=True)
        sys.exit(1)

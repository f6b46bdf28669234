"""``reconciler invalidate``: a command of CloudFront distributions themselves (the
distribution kind's `reconciler.kinds.distribution.invalidate` does the work)."""

from __future__ import annotations

import time
from typing import Any

import click

from reconciler.cli.base import (
    Run,
    aws_options,
    cli,
    load,
    open_session,
    open_terminal,
    spec_options,
)
from reconciler.errors import PlanError


@cli.command()
@spec_options
@click.argument("name")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--wait", is_flag=True, help="Wait until CloudFront has completed it.")
@aws_options
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
    from reconciler.kinds.distribution.declared import distributions  # noqa: PLC0415
    from reconciler.kinds.distribution.invalidate import (  # noqa: PLC0415
        check_paths,
        find_distribution,
    )
    from reconciler.kinds.distribution.invalidate import (  # noqa: PLC0415
        invalidate as invalidate_paths,
    )

    terminal = open_terminal()
    loaded = load(files, variables)
    address = f"distribution.{name}"
    if name not in distributions(loaded.spec):
        raise PlanError(f"{address}: not declared in the spec")
    check_paths(name, list(paths))  # before any credential or API call
    with open_session(aws) as session:
        run = Run(session, terminal)
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

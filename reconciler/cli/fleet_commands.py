"""The fleet's own commands: ``targets`` (list, as CI matrices, ``check``) and ``merge``."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from reconciler.cli.base import aws_options, cli, open_session, open_terminal, write_file
from reconciler.errors import PlanError

if TYPE_CHECKING:
    from reconciler.aws.session import Session
    from reconciler.fleet.targets import LoadedTargets, Target


def targets_file_option(command: Any) -> Any:
    return click.option(
        "--targets",
        "targets_file",
        metavar="FILE",
        help="The fleet's targets file (targets.yaml for the targets command).",
    )(command)


def shard_options(command: Any) -> Any:
    command = click.option(
        "--shard",
        "shard",
        metavar="K/N",
        envvar="RECONCILER_SHARD",
        help="Run the K-th of N shards of the fleet (also RECONCILER_SHARD; without it, a "
        "Kubernetes Indexed Job's JOB_COMPLETION_INDEX or GitLab's CI_NODE_INDEX/CI_NODE_TOTAL).",
    )(command)
    return click.option(
        "--shard-total",
        "shard_total",
        type=int,
        metavar="N",
        help="The number of shards, with JOB_COMPLETION_INDEX (also RECONCILER_SHARD_TOTAL).",
    )(command)


@contextmanager
def hub_session(
    loaded: LoadedTargets, aws: dict[str, Any], *, needed: bool
) -> Iterator[Session | None]:
    """The hub's session (the credentials the command runs with), when it is needed: to select
    accounts from Organizations, or to assume the targets' roles."""
    if not (needed or loaded.needs_organizations):
        yield None
        return
    with open_session(aws) as session:
        yield session


def resolve(
    loaded: LoadedTargets, hub: Session | None, shard: str | None, total: int | None
) -> tuple[list[Target], list[Target], Any]:
    """All the targets, this shard's, and the shard (``None``: the whole fleet)."""
    from reconciler.fleet.organizations import fleet_targets  # noqa: PLC0415
    from reconciler.fleet.shards import in_shard, shard_from  # noqa: PLC0415

    chosen = shard_from(shard, total=total, env=os.environ)
    every = fleet_targets(loaded, hub)
    return every, in_shard(every, chosen), chosen


def load_targets_file(path: str | None) -> LoadedTargets:
    from reconciler.fleet.targets import load_targets  # noqa: PLC0415

    return load_targets(path, env=os.environ)


@cli.group(cls=type(cli), invoke_without_command=True)
@targets_file_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github-matrix", "gitlab-matrix"]),
    default="text",
    show_default=True,
    help="A list to read, JSON, a GitHub Actions matrix (one job per shard), or a GitLab child "
    "pipeline running one job per shard (parallel:matrix).",
)
@click.option(
    "--shards",
    type=click.IntRange(1, 10_000),
    help="Split the fleet into N shards (matrices: default one per account, at most 256 on "
    "GitHub and 200 on GitLab).",
)
@click.option(
    "--gitlab-extends",
    default=".reconciler-shard",
    show_default=True,
    metavar="JOB",
    help="gitlab-matrix: the hidden job (holding the script) each shard's job extends.",
)
@click.option(
    "--gitlab-include",
    metavar="FILE",
    help="gitlab-matrix: the repository file that defines that job (include: local).",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file.")
@aws_options
@click.pass_context
def targets(
    ctx: click.Context,
    /,
    *,
    targets_file: str | None,
    fmt: str,
    shards: int | None,
    gitlab_extends: str,
    gitlab_include: str | None,
    output: str | None,
    **aws: Any,
) -> None:
    """List the fleet's targets (accounts x regions), or write them as a CI matrix. Accounts
    selected from AWS Organizations are read with the credentials the command runs with."""
    if ctx.invoked_subcommand is not None:
        ctx.ensure_object(dict)["targets_file"] = targets_file
        return
    from reconciler.fleet import listing  # noqa: PLC0415

    loaded = load_targets_file(targets_file)
    with hub_session(loaded, aws, needed=False) as hub:
        every, _, _ = resolve(loaded, hub, None, None)
    if fmt in listing.MATRIX_LIMITS:
        count = listing.shard_count(every, fmt, shards)
        limit = listing.MATRIX_LIMITS[fmt]
        if count > limit:
            raise PlanError(f"--shards {count}: a {fmt} runs at most {limit} jobs")
        if fmt == "github-matrix":
            text = listing.github_matrix(every, count)
        else:
            text = listing.gitlab_matrix(
                every, count, job="reconciler-shard", extends=gitlab_extends, include=gitlab_include
            )
    elif fmt == "json":
        text = listing.document(every, shards)
    else:
        text = listing.text(every, shards)
    if output:
        write_file(output, text, "the targets")
    else:
        click.echo(text, nl=False)


@targets.command()
@targets_file_option
@shard_options
@aws_options
@click.pass_context
def check(
    ctx: click.Context,
    /,
    *,
    targets_file: str | None,
    shard: str | None,
    shard_total: int | None,
    **aws: Any,
) -> None:
    """Assume each target's role (directly from the credentials the command runs with) and
    say which can be and which cannot, and why: exit 0 when every one can, 1 otherwise."""
    from reconciler.fleet.check import check_roles  # noqa: PLC0415

    terminal = open_terminal()
    loaded = load_targets_file(targets_file or (ctx.obj or {}).get("targets_file"))
    with hub_session(loaded, aws, needed=True) as hub:
        assert hub is not None
        _, mine, _ = resolve(loaded, hub, shard, shard_total)
        results = check_roles(hub, mine, env=os.environ)
    for line in results.lines(style=terminal.style):
        terminal.out(line + "\n")
    terminal.note(results.summary())
    if not results.ok:
        sys.exit(1)


@cli.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown", "html", "junit"]),
    default="text",
    show_default=True,
    help="Human text, the fleet report's JSON, Markdown (a CI job summary), a self-contained "
    "HTML page, or JUnit XML (a test suite per target).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write the report to this file instead of stdout (the exit code still tells).",
)
@click.option(
    "--failure-tolerance",
    metavar="N|P%",
    help="Judge the fleet as a whole: PARTIAL_SUCCESS while at most N targets (or P%%) "
    "failed. Default: the tolerance each shard ran with.",
)
def merge(
    files: tuple[str, ...], fmt: str, output: str | None, failure_tolerance: str | None
) -> None:
    """Merge the shards' result files (FILE: a file, or a directory of *.json) into one fleet
    report: exit 0 when every target succeeded and is in sync, 2 on drift or changes, 1 when
    any target failed or did not start, or a shard is missing."""
    from reconciler.fleet import merge as merging  # noqa: PLC0415
    from reconciler.fleet import render  # noqa: PLC0415
    from reconciler.fleet.results import ResultFile, read_document  # noqa: PLC0415
    from reconciler.fleet.rollout import Amount  # noqa: PLC0415
    from reconciler.report.plan_text import plain  # noqa: PLC0415

    terminal = open_terminal()
    paths = []
    for given in files:
        if os.path.isdir(given):
            found = sorted(str(p) for p in Path(given).rglob("*.json") if p.is_file())
            if not found:
                raise PlanError(f"{given}: no result files (*.json) in this directory")
            paths += found
        else:
            paths.append(given)
    results = []
    for path in paths:
        document = read_document(path)
        if not isinstance(document, ResultFile):
            raise PlanError(
                f"{path}: a fleet report, not a shard's result file: merge the result files"
            )
        results.append(document)
    tolerance = (
        Amount.parse(failure_tolerance, "--failure-tolerance") if failure_tolerance else None
    )
    report = merging.merge(results, sources=paths, tolerance=tolerance)
    text = render.render(report, fmt, style=terminal.style if not output else plain)
    if output:
        write_file(output, text, "the fleet report")
    else:
        terminal.out(text)
    if output or fmt != "text":
        terminal.note(render.summary_line(report.model_dump(mode="json")))
    counts = report.counts
    if counts.failed or counts.not_started or report.problems:
        sys.exit(1)
    if counts.drifted:
        sys.exit(2)

"""``plan``, ``apply``, ``drift`` and ``import`` over a fleet: ``--targets FILE`` (and
``--shard K/N``) turns a command into its run over each of the shard's targets, each with its
own session, under the rollout controls, with one result file for the shard.

`over_fleet` adds the fleet's options to a command and, when ``--targets`` is given, runs the
fleet instead of the command's single run; without it the command runs as before.
"""

from __future__ import annotations

import functools
import os
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource

from reconciler.cli.base import import_request, load, open_terminal, write_file
from reconciler.cli.fleet_commands import (
    hub_session,
    load_targets_file,
    resolve,
    shard_options,
    targets_file_option,
)
from reconciler.errors import ConfigError, PlanError
from reconciler.terminal import Terminal

if TYPE_CHECKING:
    from reconciler.fleet.results import ResultFile, TargetResult
    from reconciler.fleet.rollout import Controls
    from reconciler.fleet.runner import Work
    from reconciler.fleet.targets import Target
    from reconciler.spec.loader import LoadedSpec

#: The options `over_fleet` adds, by command; each is the callback's keyword of that name.
COMMON = ("targets_file", "shard", "shard_total", "result", "max_concurrent", "retry_failed")
APPLY_ONLY = ("failure_tolerance", "region_order", "strict")


def _fleet_options(command: Any, name: str) -> Any:
    command = targets_file_option(command)
    command = shard_options(command)
    command = click.option(
        "--result",
        metavar="PATH",
        help="With --targets: write the shard's result file here (a directory: "
        "COMMAND-K-of-N.json in it; {command}, {index}, {total} are replaced). "
        "reconciler merge makes one fleet report of every shard's.",
    )(command)
    command = click.option(
        "--max-concurrent",
        metavar="N|P%",
        help="With --targets: run at most N targets at once, or P%% of them (default 4); one "
        "account's targets never run at once.",
    )(command)
    command = click.option(
        "--retry-failed",
        metavar="REPORT",
        type=click.Path(dir_okay=False),
        help="With --targets: run only the targets that failed in REPORT (a fleet report of "
        "reconciler merge --format json, or a result file).",
    )(command)
    if name != "apply":
        return command
    command = click.option(
        "--failure-tolerance",
        metavar="N|P%",
        help="With --targets: once more than N targets (or P%%) failed, start no new one; the "
        "rest are reported not_started. Default: no limit.",
    )(command)
    command = click.option(
        "--region-order",
        metavar="R1,R2,...",
        help="With --targets: region by region in this order (then the others), each finished "
        "before the next starts.",
    )(command)
    return click.option(
        "--strict",
        is_flag=True,
        help="With --targets and --failure-tolerance: concurrency drops as failures arrive "
        "(at most the tolerance plus one, less each failure).",
    )(command)


def over_fleet(name: str) -> Callable[[Any], Any]:
    """Give a command the fleet's options; with ``--targets`` it runs over the fleet
    (``validate``: checks the spec for every target, offline but for Organizations)."""

    def decorate(callback: Callable[..., None]) -> Any:
        if name == "validate":
            return _validate_over_fleet(callback)
        keys = COMMON + (APPLY_ONLY if name == "apply" else ())

        @functools.wraps(callback)
        def command(**options: Any) -> None:
            fleet = {k: options.pop(k) for k in keys}
            if fleet["targets_file"] is None:
                _refuse_without_targets(fleet)
                return callback(**options)
            return run_over_fleet(name, options, fleet)

        return _fleet_options(command, name)

    return decorate


def _validate_over_fleet(callback: Callable[..., None]) -> Any:
    @functools.wraps(callback)
    def command(**options: Any) -> None:
        path = options.pop("targets_file")
        if path is None:
            return callback(**options)
        terminal = open_terminal()
        loaded = load_targets_file(path)
        with hub_session(loaded, {"parallelism": 1}, needed=False) as hub:
            every, _, _ = resolve(loaded, hub, None, None)
        found = _specs_of(every, options, quiet=True)
        failed = {t: e for t, e in found.items() if isinstance(e, ConfigError)}
        for target, error in failed.items():
            for issue in error.issues or (error,):
                terminal.note(f"{target}: {issue}")
        if failed:
            raise PlanError(f"the spec has errors for {len(failed)} of {len(every)} target(s)")
        _one_stack_per_target(every, found)
        terminal.out(f"The spec is valid for every one of the fleet's {len(every)} target(s).\n")
        return None

    return targets_file_option(command)


def _refuse_without_targets(fleet: Mapping[str, Any]) -> None:
    ctx = click.get_current_context()
    given = [
        k
        for k, v in fleet.items()
        if v not in (None, False)
        and ctx.get_parameter_source(k)
        not in (ParameterSource.ENVIRONMENT, ParameterSource.DEFAULT)
    ]
    if given:
        options = ", ".join("--" + k.replace("_", "-") for k in given)
        raise PlanError(
            f"{options}: for a run over a fleet; give its targets file with --targets FILE"
        )


# -- the run ---------------------------------------------------------------------------------


def _controls(name: str, fleet: Mapping[str, Any]) -> Controls:
    from reconciler.fleet.rollout import DEFAULT_MAX_CONCURRENT, Amount, Controls  # noqa: PLC0415

    given = fleet.get("max_concurrent")
    tolerance = fleet.get("failure_tolerance")
    order = fleet.get("region_order") or ""
    if fleet.get("strict") and tolerance is None:
        raise PlanError(
            "--strict lowers concurrency as failures near the tolerance: give --failure-tolerance"
        )
    return Controls(
        max_concurrent=Amount.parse(given, "--max-concurrent")
        if given
        else Amount(DEFAULT_MAX_CONCURRENT),
        failure_tolerance=Amount.parse(tolerance, "--failure-tolerance") if tolerance else None,
        region_order=tuple(r.strip() for r in order.split(",") if r.strip()),
        strict=bool(fleet.get("strict")),
    )


def _retry_set(path: str, mine: list[Target], every: list[Target]) -> list[Target]:
    from reconciler.fleet.results import read_document  # noqa: PLC0415

    failed = {r.target for r in read_document(path).targets if r.outcome == "failed"}
    unknown = sorted(failed - {t.id for t in every})
    if unknown:
        raise PlanError(
            f"--retry-failed {path}: the fleet has no target "
            + ", ".join(unknown)
            + " any more; the targets file changed since"
        )
    return [t for t in mine if t.id in failed]


def result_path(given: str, command: str, shard: tuple[int, int], *, retry: bool) -> str:
    index, total = shard
    if given.endswith("/") or Path(given).is_dir():
        name = f"{command}-{index}-of-{total}{'-retry' if retry else ''}.json"
        return str(Path(given) / name)
    return (
        given.replace("{command}", command)
        .replace("{index}", str(index))
        .replace("{total}", str(total))
    )


def _specs_of(
    mine: list[Target], options: Mapping[str, Any], *, quiet: bool = False
) -> dict[str, LoadedSpec | ConfigError | None]:
    found: dict[str, LoadedSpec | ConfigError | None] = {}
    for index, target in enumerate(mine):
        try:
            found[target.id] = load(
                options["files"], options["variables"], target=target.spec_values(),
                warn=index == 0 and not quiet,
            )  # fmt: skip
        except ConfigError as exc:
            found[target.id] = exc
    return found


def _specs(
    mine: list[Target], options: dict[str, Any], name: str
) -> dict[str, LoadedSpec | ConfigError | None]:
    """Each target's spec, loaded before any of the run's API calls. When it fails for every
    target, the errors are the command's: reported at once, and nothing is run."""
    if name == "import":
        return dict.fromkeys((t.id for t in mine), None)
    found = _specs_of(mine, options)
    errors = [v for v in found.values() if isinstance(v, ConfigError)]
    if mine and len(errors) == len(mine):
        raise errors[0]
    _one_stack_per_target(mine, found)
    return found


def _one_stack_per_target(mine: list[Target], found: Mapping[str, Any]) -> None:
    """Two targets of one account never share a stack: the buckets of an account are listed
    from every region, and a stack owns (and prunes) what carries its tag, so each would
    delete the other's. Refused before any API call."""
    owners: dict[tuple[str, str], str] = {}
    clashes = []
    for target in mine:
        loaded = found.get(target.id)
        if loaded is None or isinstance(loaded, ConfigError):
            continue
        key = (target.account, loaded.spec.stack)
        if key in owners:
            clashes.append(f"{owners[key]} and {target.id} (stack {loaded.spec.stack!r})")
        owners.setdefault(key, target.id)
    if clashes:
        raise ConfigError(
            "targets of one account share a stack, and so would prune each other's "
            "resources: " + "; ".join(clashes) + ". Give each region its own stack, such as "
            "stack: NAME-${target.region}"
        )


def _work(name: str, options: Mapping[str, Any]) -> Work:
    from reconciler.fleet import work  # noqa: PLC0415

    if name in ("plan", "apply"):
        cls = work.ApplyWork if name == "apply" else work.PlanWork
        return cls(
            addresses=frozenset(options["targets"]),
            replace=frozenset(options["replace"]),
            destroy=bool(options.get("destroying")),
        )
    if name == "drift":
        return work.DriftWork(
            include_unmanaged=options["include_unmanaged"], every_aspect=options["every_aspect"]
        )
    request = import_request(options["stack"], options["all_unmanaged"], None, options)
    return work.ImportWork(request, output=options.get("output"), force=options["force"])


def _refuse_single_run_options(name: str, options: Mapping[str, Any], mine: list[Target]) -> None:
    if name == "plan" and options.get("out"):
        raise PlanError("--out saves one plan; over a fleet, each target is planned again at apply")
    if name == "apply":
        if options.get("plan_file"):
            raise PlanError(
                "a saved plan is one target's: over a fleet, apply plans each target again"
            )
        if options.get("destroying"):
            raise PlanError("--destroy applies a saved destroy plan; it is not run over a fleet")
        if not options.get("auto_approve"):
            raise PlanError("an apply over a fleet asks no question: pass --auto-approve")
    if name == "import":
        from reconciler.fleet.work import output_for  # noqa: PLC0415

        template = options.get("output")
        if template and len({output_for(template, t) for t in mine}) < len(mine):
            raise PlanError(
                f"-o {template}: every target needs a file of its own; put {{account}} and "
                "{region} in the name"
            )


def _show(terminal: Terminal, name: str, text_out: bool) -> Callable[[TargetResult, str], None]:
    from reconciler.fleet.render import target_line  # noqa: PLC0415

    def show(result: TargetResult, text: str) -> None:
        line = target_line(result.model_dump(mode="json"), command=name, style=terminal.style)
        if text_out:
            terminal.out(
                f"\n{line}\n" + "".join(f"    {t}\n" if t else "\n" for t in text.splitlines())
            )
        else:
            terminal.note(line)

    return show


def run_over_fleet(name: str, options: dict[str, Any], fleet: Mapping[str, Any]) -> None:
    from reconciler.fleet.runner import Settings, run_fleet  # noqa: PLC0415

    terminal = open_terminal()
    controls = _controls(name, fleet)
    loaded = load_targets_file(fleet["targets_file"])
    aws = {"parallelism": options.pop("parallelism")}
    fmt = options.get("fmt", "text")
    to_file = options.get("output") if name == "drift" else None
    with hub_session(loaded, aws, needed=True) as hub:
        assert hub is not None
        every, mine, shard = resolve(loaded, hub, fleet["shard"], fleet["shard_total"])
        if fleet["retry_failed"]:
            mine = _retry_set(fleet["retry_failed"], mine, every)
        _refuse_single_run_options(name, options, mine)
        specs = _specs(mine, options, name)
        stacks = {s.spec.stack for s in specs.values() if not isinstance(s, ConfigError | None)}
        stack = stacks.pop() if len(stacks) == 1 else None  # the run's one stack, or none
        stack = stack or (options.get("stack") if name == "import" else None)
        settings = Settings(
            name, every, shard, controls, retry=bool(fleet["retry_failed"]), stack=stack
        )
        stop = threading.Event()
        result = run_fleet(
            settings, mine, specs, _work(name, options), hub=hub, env=os.environ,
            show=_show(terminal, name, fmt == "text" and not to_file), stop=stop,
        )  # fmt: skip
    _finish(name, result, fleet, options, terminal, to_file=to_file)


def _finish(
    name: str,
    result: ResultFile,
    fleet: Mapping[str, Any],
    options: Mapping[str, Any],
    terminal: Terminal,
    *,
    to_file: str | None,
) -> None:
    from reconciler.fleet import merge, render  # noqa: PLC0415
    from reconciler.fleet.results import dumps  # noqa: PLC0415

    if fleet["result"]:
        path = result_path(
            fleet["result"], name, (result.shard.index, result.shard.total), retry=result.retry
        )
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        write_file(path, dumps(result), "the result file")
        terminal.note(f"Result file: {path}")
    report = merge.merge([result], sources=["this run"], partial=True)
    fmt = options.get("fmt", "text")
    if fmt != "text" or to_file:
        document = render.render(report, fmt)
        if to_file:
            write_file(to_file, document, "the report")
        else:
            terminal.out(document)
    terminal.note(render.summary_line(report.model_dump(mode="json")))
    counts = report.counts
    if counts.failed or counts.not_started:
        raise PlanError(f"{counts.failed} target(s) failed, {counts.not_started} not started")
    if counts.drifted and (name == "drift" or options.get("detailed_exitcode")):
        sys.exit(2)

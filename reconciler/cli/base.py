"""The command line: parses options, wires the pieces, and is the one place that turns errors
into messages and exit codes (0 ok, 1 error)."""

from __future__ import annotations

import gc
import logging
import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from reconciler import __version__
from reconciler.defaults import DEFAULT_PARALLELISM
from reconciler.errors import ConfigError, PlanError
from reconciler.terminal import Terminal, count

# Each command imports what it needs when it runs, so that `reconciler --help` (and a command
# that needs little) does not pay for the client, the planner and the renderers.
if TYPE_CHECKING:
    from reconciler.apply.guard import Guard
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


def common_options(command: Any) -> Any:
    for option in reversed(_COMMON):
        command = option(command)
    return command


class _Group(click.Group):
    """Every command takes the common options, before or after its name."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        common_options(cmd)
        super().add_command(cmd, name)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reconciler")
@common_options
def cli() -> None:
    """Declarative reconciler for Amazon S3 buckets and CloudFront distributions."""
    if _common("log_level") is None:
        _configure_logging("warning")


def spec_options(command: Any) -> Any:
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


def load(
    files: tuple[str, ...],
    variables: tuple[str, ...],
    *,
    target: Mapping[str, Any] | None = None,
    warn: bool = True,
) -> LoadedSpec:
    """The spec, with ``--var-file`` and ``--var``; ``target`` holds a fleet target's values
    (``${target.NAME}``); ``warn`` shows the spec's warnings."""
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
    loaded = load_spec(
        files,
        cli_vars={**given, **cli_vars},
        env=os.environ,
        checked_vars=cli_vars,
        target=target,
    )
    # The modules and the spec live for the whole run: the cyclic collector need not scan them
    # again at every collection the reads trigger (a tenth of a 1,000-bucket plan's CPU time).
    gc.freeze()
    for warning in loaded.warnings if warn else ():
        click.echo(str(warning), err=True)
    return loaded


def aws_options(command: Any) -> Any:
    """The options of commands that talk to AWS (beside the common ones); a command takes them
    as ``**aws`` and passes them on whole."""
    return click.option(
        "--parallelism",
        type=int,
        default=DEFAULT_PARALLELISM,
        show_default=True,
        help="Concurrent API requests at most (fewer while an endpoint throttles).",
    )(command)


#: How a plan is shown (``plan`` and ``show``).
plan_format = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="Human text, the plan's JSON document, or Markdown for a pull-request comment.",
)


def target_options(command: Any) -> Any:
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


class Run:
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

    def guard(
        self, loaded: LoadedSpec, *, replace: tuple[str, ...] = (), destroy: bool = False
    ) -> Guard:
        """The executor's safety rules for a plan of ``loaded`` made this way."""
        from reconciler.workflow import guard_for  # noqa: PLC0415

        return guard_for(
            loaded,
            default_region=self.session.config.region,
            replace=frozenset(replace),
            destroy=destroy,
        )


def open_terminal(no_color: bool = False) -> Terminal:
    return Terminal(no_color=no_color or bool(_common("no_color")), env=os.environ)


def open_session(aws: dict[str, Any]) -> Any:
    """The client session from the common AWS options (see `aws_options`)."""
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
    prompt = ask if sys.stdin.isatty() and sys.stderr.isatty() else None
    return open_session(config, env=os.environ, profile=_common("profile"), prompt=prompt)


def ask(question: str) -> str:
    return str(click.prompt(question, hide_input=True, err=True))


def write_file(path: str, text: str, what: str, *, exclusive: bool = False) -> None:
    """Writes ``text`` to ``path``; with ``exclusive``, only as a new file (never through a
    symbolic link, never over a file that appeared meanwhile)."""
    try:
        with Path(path).open("x" if exclusive else "w", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError as exc:
        raise PlanError(f"{path}: exists: {what} is not written over it") from exc
    except OSError as exc:
        raise PlanError(f"{path}: cannot write {what}: {exc.strerror}") from exc


def refuse_errors(
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


def import_request(
    stack: str, all_unmanaged: bool, output: str | None, given: Mapping[str, Any]
) -> Any:
    """What the import options ask for; refused when they ask for nothing, or contradict."""
    from reconciler import importer  # noqa: PLC0415
    from reconciler.kinds.registry import import_options  # noqa: PLC0415

    options = import_options()
    names = {o.kind: tuple(given.get(o.dest) or ()) for o in options}
    alone = [o for o in options if o.alone and given.get(o.alone_dest)]
    if not (any(names.values()) or all_unmanaged):
        flags = [f"{o.flag} {o.metavar}" for o in options]
        raise PlanError(f"name what to import: {', '.join(flags)} or --all-unmanaged")
    for option in alone:
        others = [o for o in options if o.kind != option.kind and names[o.kind]]
        if others:
            raise PlanError(
                f"{option.alone} imports no {others[0].kind}: leave out {others[0].flag}"
            )
    return importer.ImportRequest(
        stack,
        names=names,
        all_unmanaged=all_unmanaged,
        alone=frozenset(o.kind for o in alone),
        output=output,
    )

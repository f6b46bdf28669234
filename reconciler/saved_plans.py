"""Saved plans bound to the spec they were made from.

``plan --out FILE`` records, beside the changes, the spec files the plan was made from (paths
relative to the working directory, the SHA-256 of each file's bytes), the ``-f`` paths as given
and a digest of the variables' values. ``apply FILE`` reads the file as untrusted input
(`reconciler.plan.plan_file`), finds those spec files again, refuses when one is missing, changed
or added, or when the variables differ, loads the spec, plans again and applies only what both
plans say (`reconciler.plan.compare`; `reconciler.workflow.replan_saved`). A plan that was edited,
made from another branch, or made before someone changed the spec is never applied.

The trade: applying a saved plan reads the live state again, as the plan did.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePath

from reconciler.errors import PlanError
from reconciler.plan.model import Plan, SpecFile, SpecSources
from reconciler.plan.plan_file import parse_plan
from reconciler.spec.loader import LoadedSpec, file_digest

#: A plan file larger than this is refused unread (a plan of 100,000 changed buckets is a few
#: hundred megabytes).
MAX_PLAN_BYTES = 1 << 30


def read_plan_file(path: str) -> Plan:
    """The saved plan in file ``path``, checked (see `parse_plan`)."""
    try:
        with Path(path).open("rb") as handle:
            content = handle.read(MAX_PLAN_BYTES + 1)
    except OSError as exc:
        raise PlanError(f"{path}: cannot read the plan file: {exc.strerror}") from exc
    if len(content) > MAX_PLAN_BYTES:
        raise PlanError(
            f"{path}: not a plan file this reconciler reads: over {MAX_PLAN_BYTES >> 20} MiB"
        )
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PlanError(f"{path}: not a reconciler plan file (not UTF-8 text)") from exc
    return parse_plan(text, name=path)


def relative(path: str, cwd: Path) -> str:
    """``path`` relative to ``cwd``, as a plan records it (``/`` between parts)."""
    return PurePath(os.path.relpath(Path(path).absolute(), cwd)).as_posix()


def sources_of(loaded: LoadedSpec, cwd: Path) -> SpecSources:
    """What a plan of ``loaded`` records it was made from."""
    return SpecSources(
        given=tuple(relative(given, cwd) for given in loaded.given),
        files=tuple(
            SpecFile(relative(name, cwd), digest)
            for name, digest in zip(loaded.files, loaded.file_digests, strict=True)
        ),
        variables_digest=loaded.variables_digest,
    )


def recorded_sources(saved: Plan, name: str) -> SpecSources:
    """The spec files ``saved`` was made from; refused when it records none."""
    sources = saved.sources
    if sources is None:
        raise PlanError(
            f"{name}: the plan does not record the spec files it was made from (an older "
            "reconciler made it); make it again with: reconciler plan --out FILE"
        )
    absolute = [f.path for f in sources.files if PurePath(f.path).is_absolute()]
    absolute += [g for g in sources.given if PurePath(g).is_absolute()]
    if absolute:
        raise PlanError(
            f"{name}: not a plan this reconciler can apply: spec paths are recorded relative to "
            f"the working directory, not as {absolute[0]}"
        )
    return sources


def check_files(saved: Plan, name: str, cwd: Path) -> SpecSources:
    """Every spec file ``saved`` was made from, found again under ``cwd`` with the same bytes;
    `PlanError` naming each one missing or changed otherwise."""
    sources = recorded_sources(saved, name)
    problems = []
    for recorded in sources.files:
        try:
            content = (cwd / recorded.path).read_bytes()
        except FileNotFoundError:
            problems.append(f"{recorded.path} is missing")
            continue
        except OSError as exc:
            problems.append(f"{recorded.path} cannot be read ({exc.strerror})")
            continue
        if file_digest(content) != recorded.digest:
            problems.append(f"{recorded.path} changed")
    if problems:
        raise PlanError(_different(name, problems, cwd))
    return sources


def check_loaded(saved: Plan, loaded: LoadedSpec, name: str, cwd: Path) -> None:
    """The spec loaded again for ``saved`` is the one it was made from: the same files, the
    same variables, the same resolved values."""
    sources = recorded_sources(saved, name)
    recorded = {f.path for f in sources.files}
    found = {f.path for f in sources_of(loaded, cwd).files}
    problems = [f"{path} was added" for path in sorted(found - recorded)]
    problems += [f"{path} is no longer found from -f" for path in sorted(recorded - found)]
    if problems:
        raise PlanError(_different(name, problems, cwd))
    if loaded.variables_digest != sources.variables_digest:
        raise PlanError(
            f"{name}: the plan was made with other variables: give apply the same --var and "
            "--var-file options as plan had"
        )
    if loaded.spec.stack != saved.stack:
        raise PlanError(
            f"{name}: the plan is for stack {saved.stack!r}, the spec declares "
            f"{loaded.spec.stack!r}"
        )
    if loaded.digest != saved.spec_digest:
        raise PlanError(
            f"{name}: the spec's files are the same, but they resolve to other values than when "
            "the plan was made (an ${env.NAME} they read differs); run plan again"
        )


def _different(name: str, problems: list[str], cwd: Path) -> str:
    return (
        f"{name}: the plan was made from a different spec: {', '.join(problems)} (spec paths "
        f"are relative to the directory plan ran in; here: {cwd}); run plan again"
    )

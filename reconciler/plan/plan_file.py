"""Reading a saved plan back: a file from outside, so checked whole before anything trusts it.

A plan file is the JSON document ``plan --out`` writes (`reconciler.plan.model.Plan.to_json`).
What comes back may have been edited, truncated, made by another version or be something else
altogether; each of those is one line naming the file and what is wrong, never a traceback.
Being well-formed proves nothing about what it asks for: ``apply`` makes the plan again from
the spec and requires the same changes (`reconciler.plan.compare`), and the executor re-checks
ownership before every destructive step (`reconciler.apply.guard`).
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reconciler.errors import PlanError, Severity
from reconciler.kinds.registry import kind_names
from reconciler.plan.model import (
    FORMAT_VERSION,
    Action,
    AspectChange,
    Diagnostic,
    DiffEntry,
    Plan,
    ResourceChange,
    SpecFile,
    SpecSources,
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Diff(_Strict):
    path: str
    before: Any
    after: Any


class _Aspect(_Strict):
    aspect: str
    action: Action
    before: Any
    after: Any
    diff: list[_Diff]


class _Change(_Strict):
    address: str
    kind: str
    name: str = Field(min_length=1)
    action: Action
    region: str | None
    aspects: list[_Aspect]
    depends_on: list[str]
    live_fingerprint: str
    live_fingerprints: dict[str, str] = {}
    previous_region: str | None = None
    force_destroy: bool = False
    reason: str | None = None
    id: str | None = None
    wait_for_deployment: bool = True
    positions: dict[str, str] = {}


class _Diagnostic(_Strict):
    severity: Literal["error", "warning"]
    address: str
    summary: str
    position: str | None = None


class _SpecFile(_Strict):
    path: str = Field(min_length=1)
    digest: str


class _Sources(_Strict):
    given: list[str]
    files: list[_SpecFile] = Field(min_length=1)
    variables_digest: str


class _Plan(_Strict):
    format_version: str
    stack: str
    mode: Literal["plan", "destroy"]
    spec_digest: str
    summary: dict[Literal["create", "update", "delete", "replace", "adopt", "no_op"], int]
    changes: list[_Change]
    diagnostics: list[_Diagnostic]
    targets: list[str] = []
    replace: list[str] = []
    spec: _Sources | None = None


_JSON_TYPES = {
    list: "an array",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "true or false",
    type(None): "null",
}


def _where(error: Any) -> str:
    return ".".join(str(part) for part in error["loc"]) or "the document"


def _problem(data: Any) -> str | None:
    """What makes ``data`` (parsed JSON) not a plan this version can read, said plainly."""
    if not isinstance(data, dict):
        return f"a plan file holds a JSON object, not {_JSON_TYPES.get(type(data), 'that')}"
    version = data.get("format_version")
    if version != FORMAT_VERSION:
        if isinstance(version, str) and version.isdigit() and int(version) > int(FORMAT_VERSION):
            return (
                f"format_version {version} was written by a newer reconciler; this one reads "
                f"format_version {FORMAT_VERSION}"
            )
        return f"format_version {version!r} is not one this reconciler reads ({FORMAT_VERSION})"
    return None


def _consistency(plan: _Plan) -> str | None:
    seen: set[str] = set()
    known = kind_names()
    for index, change in enumerate(plan.changes):
        if change.kind not in known:
            return f"changes.{index}.kind: {change.kind!r} is not one of {', '.join(known)}"
        if change.address != f"{change.kind}.{change.name}":
            return (
                f"changes.{index}: the address {change.address!r} is not "
                f"{change.kind}.{change.name}"
            )
        if change.address in seen:
            return f"changes.{index}: {change.address} has two changes"
        seen.add(change.address)
    return None


def _plan(plan: _Plan) -> Plan:
    return Plan(
        stack=plan.stack,
        spec_digest=plan.spec_digest,
        changes=tuple(
            ResourceChange(
                address=c.address,
                kind=c.kind,
                name=c.name,
                action=c.action,
                region=c.region,
                aspects=tuple(
                    AspectChange(
                        aspect=a.aspect,
                        action=a.action,
                        before=a.before,
                        after=a.after,
                        diff=tuple(DiffEntry(d.path, d.before, d.after) for d in a.diff),
                    )
                    for a in c.aspects
                ),
                depends_on=tuple(c.depends_on),
                live_fingerprint=c.live_fingerprint,
                previous_region=c.previous_region,
                force_destroy=c.force_destroy,
                reason=c.reason,
                id=c.id,
                wait_for_deployment=c.wait_for_deployment,
                positions=tuple(sorted(c.positions.items())),
                fingerprints=tuple(sorted(c.live_fingerprints.items())),
            )
            for c in plan.changes
        ),
        diagnostics=tuple(
            Diagnostic(Severity(d.severity), d.address, d.summary, d.position)
            for d in plan.diagnostics
        ),
        unchanged=plan.summary.get("no_op", 0),
        targets=tuple(plan.targets),
        mode=plan.mode,
        replace=tuple(plan.replace),
        sources=None
        if plan.spec is None
        else SpecSources(
            given=tuple(plan.spec.given),
            files=tuple(SpecFile(f.path, f.digest) for f in plan.spec.files),
            variables_digest=plan.spec.variables_digest,
        ),
    )


def parse_plan(text: str, *, name: str) -> Plan:
    """The plan in ``text`` (the file ``name``); `PlanError` naming the file and the first
    thing wrong otherwise."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        looks_like_spec = name.endswith((".yaml", ".yml")) or text.lstrip().startswith(
            ("version:", "#", "stack:")
        )
        if looks_like_spec:
            raise PlanError(
                f"{name}: this looks like a spec, not a saved plan; a spec is given with -f: "
                f"reconciler apply -f {name}"
            ) from exc
        where = (
            f" (line {exc.lineno}, column {exc.colno})"
            if isinstance(exc, json.JSONDecodeError)
            else ""
        )
        raise PlanError(
            f"{name}: not a reconciler plan file: not JSON{where}; save one with: "
            "reconciler plan --out FILE"
        ) from exc
    problem = _problem(data)
    if problem is None:
        try:
            checked = _Plan.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            more = exc.error_count() - 1
            problem = f"{_where(first)}: {first['msg']}" + (
                f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
            )
        else:
            problem = _consistency(checked)
            if problem is None:
                return _plan(checked)
    raise PlanError(f"{name}: not a plan this reconciler can apply: {problem}")

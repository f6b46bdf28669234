"""From ``-f`` paths to a validated `Spec`, or a `ConfigError` holding every issue at once.

The steps: find the files (a directory means every ``*.yaml``/``*.yml`` below it that is a
spec, sorted: `reconciler.spec.files`); parse each to YAML events
(syntax errors noted); gather ``vars`` (overridden by ``--var``, which must name a variable
the spec declares or uses); build each
file's data with variables resolved and positions recorded; merge the files (``version`` and
``stack`` must agree, a resource or default declared twice is named in both places); put the
defaults under each resource; validate the shapes (pydantic); check the offline AWS rules.
Nothing here touches the network, and a spec with any error is never returned.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import Any, get_args, get_origin

from pydantic import TypeAdapter, ValidationError

from reconciler.errors import ConfigError, Severity, SourcePosition, SpecIssue
from reconciler.kinds.declaration import Declaration
from reconciler.kinds.registry import declarations
from reconciler.spec import rules
from reconciler.spec.common import SpecModel
from reconciler.spec.files import DEFAULT_FILE, find_files, not_a_spec, nothing_found
from reconciler.spec.model import Spec
from reconciler.spec.source import Builder, Document, Path, SourceMap, format_path, parse, position
from reconciler.spec.validation import issues_from
from reconciler.spec.variables import (
    Variables,
    gather_variables,
    interpolate,
    unknown_variables,
    used_names,
)
from reconciler.spec.yaml_events import MappingStart


def _sections() -> dict[str, Declaration]:
    """Each kind's section of the spec (``buckets``, ...), with the kind's declaration."""
    return {d.section: d for d in declarations()}


@dataclass(frozen=True)
class LoadedSpec:
    """A valid spec, where each of its values came from, and the warnings found."""

    spec: Spec
    source: SourceMap
    files: tuple[str, ...]
    warnings: tuple[SpecIssue, ...] = ()
    digest: str = ""
    #: The ``-f`` paths as given (files or directories), which ``files`` were found from.
    given: tuple[str, ...] = ()
    #: The SHA-256 of each of ``files``' bytes, in the same order (``sha256:...``).
    file_digests: tuple[str, ...] = ()
    #: The digest of the variables' resolved values (``vars``, ``--var``, ``--var-file``).
    variables_digest: str = ""


@dataclass
class _File:
    name: str
    doc: Document
    digest: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    source: SourceMap = field(default_factory=SourceMap)
    #: The variables its text refers to (``${var.NAME}``).
    used: frozenset[str] = frozenset()


def file_digest(content: bytes) -> str:
    """How a spec file is recorded in a saved plan: the SHA-256 of its bytes."""
    return "sha256:" + hashlib.sha256(content).hexdigest()


def _read(name: str, issues: list[SpecIssue], *, walked: bool = False) -> _File | None:
    """The file parsed (``walked``: found below a directory, so skipped if it is no spec)."""
    try:
        content = FilePath(name).read_bytes()
        text = content.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        issues.append(SpecIssue(f"{name}: cannot be read ({exc.__class__.__name__})"))
        return None
    before = len(issues)
    doc = parse(text, name, issues)
    skipped = not_a_spec(doc) if doc is not None and walked else None
    if skipped is not None:
        issues.append(skipped)
        return None
    if doc is None:
        if len(issues) == before:
            issues.append(
                SpecIssue(
                    "the file is empty: a spec holds at least version and stack",
                    "",
                    SourcePosition(name, 1, 1),
                )
            )
        return None
    if not isinstance(doc.root_event, MappingStart):
        issues.append(
            SpecIssue(
                "a spec file must be a mapping (version, stack, buckets, ...)",
                "",
                position(name, doc.root_event.start_mark),
            )
        )
        return None
    return _File(name, doc, file_digest(content), used=used_names(text))


def _local_paths(file: _File) -> None:
    """Each kind's fields naming a local path (`Declaration.local_paths`), written relative to
    ``file``, made relative to the working directory (an absolute one stays as it is)."""
    base = os.path.dirname(file.name)
    defaults = file.data.get("defaults")
    for declaration in declarations():
        if not declaration.local_paths:
            continue
        bodies = file.data.get(declaration.section)
        found = list(bodies.values()) if isinstance(bodies, dict) else []
        if isinstance(defaults, dict):
            found.append(defaults.get(declaration.kind))
        for body in found:
            if not isinstance(body, dict):
                continue
            for key in declaration.local_paths:
                value = body.get(key)
                if isinstance(value, str) and value and not os.path.isabs(value):
                    body[key] = os.path.normpath(os.path.join(base, value))


def _declared_vars(file: _File) -> list[str]:
    declared = file.data.get("vars")
    return [k for k in declared if isinstance(k, str)] if isinstance(declared, dict) else []


def _build(file: _File, variables: Variables, issues: list[SpecIssue]) -> None:
    def resolve(text: str, at: SourcePosition, node: Any, path: str) -> Any:
        if path == "vars" or path.startswith("vars."):
            return text  # resolved (and reported) when the variables were gathered
        return interpolate(text, variables=variables, at=at, path=path, issues=issues, node=node)

    data = Builder(file.doc, file.source, issues, resolve).build(file.doc.root, ())
    file.doc.events = []  # never read again: the rest of the load runs without them in memory
    file.data = data if isinstance(data, dict) else {}
    _local_paths(file)
    declared = file.data.get("vars")
    if isinstance(declared, dict):
        file.data["vars"] = {k: variables.values.get(k, v) for k, v in declared.items()}


def _merge(files: list[_File], issues: list[SpecIssue]) -> tuple[dict[str, Any], SourceMap]:
    merged: dict[str, Any] = {}
    source = SourceMap()
    for file in files:
        for key in ("version", "stack"):
            if key not in file.data:
                issues.append(
                    SpecIssue(f"missing required field {key!r}", "", file.source.values.get(()))
                )
            elif key in merged and merged[key] != file.data[key]:
                issues.append(
                    SpecIssue(
                        f"{key} {file.data[key]!r} differs from {merged[key]!r} at "
                        f"{source.values.get((key,))}",
                        key,
                        file.source.values.get((key,)),
                    )
                )
        again: set[Path] = set()
        sections = _sections()
        for key, value in file.data.items():
            if (key in sections or key == "defaults") and isinstance(value, dict):
                target = merged.setdefault(key, {})
                if not isinstance(target, dict):
                    continue
                for name, body in value.items():
                    if name in target:
                        label = sections[key].noun if key in sections else "default"
                        issues.append(
                            SpecIssue(
                                f"{label} {name!r} is declared twice; "
                                f"first at {source.key_at((key, name))}",
                                key,
                                file.source.key_at((key, name)),
                            )
                        )
                        again.add((key, name))
                        continue
                    target[name] = body
            elif key == "vars" and isinstance(value, dict):
                merged.setdefault("vars", {}).update(value)
            else:
                merged.setdefault(key, value)
        source.absorb(file.source, skip=again)
    return merged, source


def _apply_defaults(data: dict[str, Any], source: SourceMap) -> None:
    defaults = data.get("defaults")
    if not isinstance(defaults, dict):
        return
    for declaration in declarations():
        kind = declaration.section
        base = defaults.get(declaration.kind)
        resources = data.get(kind)
        if not isinstance(base, dict) or not isinstance(resources, dict):
            continue
        origin: Path = ("defaults", declaration.kind)
        entries = source.entries_under(origin)
        for name, body in resources.items():
            if not isinstance(body, dict):
                continue
            combined = dict(base)
            for key, value in body.items():
                inherited = base.get(key)
                merges = key in declaration.merged
                if merges and isinstance(value, dict) and isinstance(inherited, dict):
                    combined[key] = {**inherited, **value}
                    for item in inherited:
                        if item not in value:
                            source.graft(entries, (*origin, key, item), (kind, name, key, item))
                else:
                    combined[key] = value
            for key in base:
                if key not in body:
                    source.graft(entries, (*origin, key), (kind, name, key))
            resources[name] = combined


def _salvage(declaration: Declaration, field: str, value: Any) -> list[Any] | None:
    """The elements of a broken list field that are valid on their own, ``None`` for the rest
    (so that rule findings keep the element's index and a shape error in one lifecycle rule
    does not hide the rule errors of its siblings): for the fields whose rules check each
    element on its own (`Declaration.salvaged`)."""
    if field not in declaration.salvaged or not isinstance(value, list):
        return None
    model = declaration.model
    annotation = model.model_fields[field].annotation
    element = next(
        (get_args(arm)[0] for arm in get_args(annotation) if get_origin(arm) is list), None
    )
    if element is None:
        return None
    adapter: TypeAdapter[Any] = TypeAdapter(element)
    found: list[Any] = []
    for item in value:
        try:
            found.append(adapter.validate_python(item))
        except ValidationError:
            found.append(None)
    return found


def _without_broken_fields(
    declaration: Declaration, body: Any, error: ValidationError
) -> SpecModel | None:
    """The resource without the fields that failed, so the rules can check the rest; a list
    of elements checked one by one keeps its valid elements (see `_salvage`)."""
    if not isinstance(body, dict):
        return None
    broken = {str(e["loc"][0]) for e in error.errors() if e["loc"]}
    try:
        partial = declaration.model.model_validate(
            {k: v for k, v in body.items() if k not in broken}
        )
    except ValidationError:
        return None
    kept = {
        f: found for f in broken if (found := _salvage(declaration, f, body.get(f))) is not None
    }
    # Only the rules see this partial resource (a spec with errors is never planned), and they
    # skip the ``None`` elements.
    return partial.model_copy(update=kept) if kept else partial


def _validate(
    data: dict[str, Any], source: SourceMap, issues: list[SpecIssue]
) -> tuple[Spec, dict[str, frozenset[str]]]:
    """Validate the top level, then each resource on its own, so one broken resource does not
    hide the others' problems: the rules still run on every resource that has a valid shape.
    Returns the spec of valid resources and, per section, the names of all declared
    resources."""
    sections = _sections()
    resources = {kind: data.get(kind) for kind in sections}
    top = {k: v for k, v in data.items() if k not in sections}
    for kind, value in resources.items():
        if value is not None and not isinstance(value, dict):
            top[kind] = value  # let the top level report the wrong shape
    valid: dict[str, dict[str, Any]] = {kind: {} for kind in sections}
    try:
        Spec.model_validate({**top, **{k: {} for k in sections if k not in top}})
    except ValidationError as exc:
        issues.extend(issues_from(exc, root=Spec, source=source))
    for kind, declaration in sections.items():
        bodies = resources[kind]
        if not isinstance(bodies, dict):
            continue
        model = declaration.model
        for name, body in bodies.items():
            try:
                valid[kind][name] = model.model_validate(body if body is not None else {})
            except ValidationError as exc:
                issues.extend(
                    issues_from(exc, root=Spec, source=source, prefix=(kind, name), base=model)
                )
                partial = _without_broken_fields(declaration, body, exc)
                if partial is not None:
                    valid[kind][name] = partial
    declared = {
        kind: frozenset(bodies) if isinstance(bodies, dict) else frozenset()
        for kind, bodies in resources.items()
    }
    variables: dict[str, Any] = top["vars"] if isinstance(top.get("vars"), dict) else {}
    # A section left out (or empty in YAML, which reads as null) is unmanaged unless its kind
    # is always managed; the fields set tell `Spec.manages` so.
    given = {"version", "stack", "vars", "defaults", "region_check"}
    given |= {
        kind
        for kind, declaration in sections.items()
        if declaration.always_managed or isinstance(resources[kind], dict)
    }
    spec = Spec.model_construct(
        given,
        version=1,
        stack=data["stack"] if isinstance(data.get("stack"), str) else "",
        vars=variables,
        defaults=top.get("defaults"),
        region_check=top.get("region_check") is not False,
        **valid,
    )
    return spec, declared


def _dedupe(issues: list[SpecIssue]) -> list[SpecIssue]:
    seen: set[tuple[Any, ...]] = set()
    unique = []
    for issue in issues:
        key = (issue.position, issue.message, issue.severity)
        if issue.position is not None and key in seen:
            continue
        seen.add(key)
        unique.append(issue)
    return unique


def _order(issue: SpecIssue) -> tuple[Any, ...]:
    where = issue.position
    return (
        where is not None,
        where.file if where else "",
        where.line if where else 0,
        where.column if where else 0,
    )


def _fail(issues: list[SpecIssue]) -> ConfigError:
    errors = sorted(_dedupe([i for i in issues if i.severity is Severity.ERROR]), key=_order)
    count = len(errors)
    return ConfigError(f"the spec has {count} error{'s' if count != 1 else ''}", issues=errors)


def _digest_json(value: Any) -> str:
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def _digest(spec: Spec) -> str:
    return _digest_json(spec.model_dump(mode="json"))


def load_spec(
    paths: Sequence[str] = (),
    *,
    cli_vars: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    checked_vars: Collection[str] | None = None,
    target: Mapping[str, Any] | None = None,
) -> LoadedSpec:
    """Load, merge and check the spec files; raise `ConfigError` with every issue found.
    ``checked_vars``: the names of ``cli_vars`` that must be variables the spec declares or
    uses (``--var``; default: all of them). ``target`` holds a fleet target's values for
    ``${target.NAME}``."""
    # Loading builds many small objects and no reference cycles; the cyclic collector would
    # otherwise rescan the growing heap again and again (most of the time of a large spec).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _load(paths, cli_vars=cli_vars, env=env, checked_vars=checked_vars, target=target)
    finally:
        if collecting:
            gc.enable()


def _load(
    paths: Sequence[str],
    *,
    cli_vars: Mapping[str, Any] | None,
    env: Mapping[str, str] | None,
    checked_vars: Collection[str] | None,
    target: Mapping[str, Any] | None = None,
) -> LoadedSpec:
    issues: list[SpecIssue] = []
    found = find_files(paths)
    issues.extend(found.issues)
    read = (_read(name, issues, walked=name in found.walked) for name in found.names)
    files = [f for f in read if f is not None]
    variables = gather_variables(
        [f.doc for f in files], cli_vars or {}, env or {}, issues, target=target
    )
    for file in files:
        _build(file, variables, issues)
    known = {n for f in files for n in (*f.used, *_declared_vars(f))}
    issues += unknown_variables(cli_vars or {} if checked_vars is None else checked_vars, known)
    if not files:
        if not any(i.severity is Severity.ERROR for i in issues) and found.names:
            issues.append(nothing_found(issues))
        raise _fail(issues or [SpecIssue("no spec files were given")])
    data, source = _merge(files, issues)
    _apply_defaults(data, source)
    spec, declared = _validate(data, source, issues)
    stack_given = isinstance(data.get("stack"), str)
    for finding in rules.check(spec, declared=declared, check_stack=stack_given):
        if finding.path in source.unreadable:
            continue  # already reported where it was read
        where = source.key_at(finding.path) if finding.at_key else source.at(finding.path)
        named = format_path(source.origin_of(finding.path))
        issues.append(SpecIssue(finding.message, named, where, finding.severity))
    if any(issue.severity is Severity.ERROR for issue in issues):
        raise _fail(issues)
    warnings = tuple(sorted(_dedupe(issues), key=_order))
    # Every part was validated above; the resources are reused, not validated again.
    # (a section only when given, or always managed: left out, the stack does not manage it.)
    kinds = [d.section for d in declarations() if spec.manages(d.section, always=d.always_managed)]
    full = Spec.model_validate({**data, **{kind: getattr(spec, kind) for kind in kinds}})
    return LoadedSpec(
        full,
        source,
        tuple(f.name for f in files),
        warnings,
        _digest(full),
        given=tuple(paths) or (DEFAULT_FILE,),
        file_digests=tuple(f.digest for f in files),
        variables_digest=_digest_json(dict(variables.values)),
    )

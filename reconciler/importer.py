"""Import: a spec (YAML) that describes existing buckets and distributions, so that planning it
right after changes nothing but ownership (the ``reconciler:stack`` tag an adoption adds).

Resources are read by the same `LiveReader` as a plan, every aspect of a bucket and every
configuration field of a distribution; each resource is checked against the spec's own models
before it is written. What is written:

- a bucket: its region, its tags (not the reconciler's own, nor AWS's ``aws:`` ones) and every
  aspect that is configured; an aspect that reads as it does on a bucket nobody configured
  (no versioning, the private ACL, no public access block, ...) is left out (unmanaged);
- a distribution: under its ``reconciler:name`` when it has one, else a name made from its first
  alias or its id, with ``id:`` when it is not tagged (so the plan adopts it even without an
  alias); every field that differs from CloudFront's default;
- ``${`` in any value is written ``$${`` (IAM policy variables stay literal); an origin's custom
  header values, which often hold a shared secret, are written as ``${env.NAME}`` references,
  never as values.

The order is stable: buckets and distributions by name, aspects in the spec's order.
"""

from __future__ import annotations

import copy
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from reconciler.aspects import registry as aspects
from reconciler.errors import PlanError
from reconciler.live.model import NAME_TAG, STACK_TAG, LiveDistribution, LiveState
from reconciler.live.reader import LiveReader, ReadRequest
from reconciler.spec import canonical_distribution as canon
from reconciler.spec import rules
from reconciler.spec.bucket import Bucket
from reconciler.spec.common import is_union_tag, spec_json
from reconciler.spec.distribution import Distribution
from reconciler.spec.model import Spec
from reconciler.spec.source import format_path

#: Where a project keeps the schema editors read (``reconciler schema -o
#: schemas/reconciler.schema.json`` writes it); the modeline points there when it is found.
SCHEMA_FILE = Path("schemas") / "reconciler.schema.json"
NO_SCHEMA = (
    "# For completion in an editor: reconciler schema -o schemas/reconciler.schema.json, then\n"
    "# a first line of: # yaml-language-server: $schema=<that file, relative to this one>"
)
_NOT_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class ImportRequest:
    stack: str
    buckets: tuple[str, ...] = ()
    distribution_ids: tuple[str, ...] = ()
    all_unmanaged: bool = False
    #: With ``all_unmanaged``: buckets only, no CloudFront request (S3-only roles and stores).
    buckets_only: bool = False
    #: The file the spec is written to (``None``: printed, as if written in this directory).
    output: str | None = None


@dataclass
class Imported:
    """The spec's text, the addresses it declares, and notes for the person running the import
    (environment variables to set)."""

    text: str
    declared: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read(reader: LiveReader, request: ImportRequest) -> LiveState:
    """The live state of the requested resources (with ``all_unmanaged``, of every bucket and
    distribution that no stack owns, too)."""
    buckets = set(request.buckets)
    ids = set(request.distribution_ids)
    if request.all_unmanaged:
        found = reader.read(
            ReadRequest(
                stack=request.stack,
                declared={},
                prune=True,
                distributions=not request.buckets_only,
            )
        )
        buckets |= set(found.unowned)
        ids |= {d.id for d in found.distributions or () if d.stack is None}
    return reader.read(
        ReadRequest(
            stack=request.stack,
            declared={name: frozenset(aspects.DECLARABLE) for name in sorted(buckets)},
            optional={name: frozenset(aspects.DECLARABLE) for name in sorted(buckets)},
            prune=False,
            distributions=bool(ids),
            distribution_ids=frozenset(ids),
        )
    )


def _own_tags(tags: dict[str, str]) -> dict[str, str]:
    return {
        k: v
        for k, v in sorted(tags.items())
        if k not in (STACK_TAG, NAME_TAG) and not k.startswith("aws:")
    }


def _refuse(address: str, owner: str | None, stack: str) -> None:
    if owner is not None and owner != stack:
        raise PlanError(
            f"tagged {STACK_TAG}={owner}; import it with --stack {owner}, or remove "
            "the tag first: two stacks never manage one resource",
            address=address,
        )


def _checked(model: type[Bucket] | type[Distribution], address: str, value: dict[str, Any]) -> Any:
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        problems = "; ".join(
            f"{format_path(tuple(p for p in e['loc'] if not is_union_tag(p)))}: {e['msg']}"
            for e in exc.errors()
        )
        raise PlanError(
            f"its live configuration cannot be written as a spec ({problems})",
            address=address,
        ) from exc


def bucket_document(name: str, live: LiveState, stack: str) -> dict[str, Any]:
    found = live.buckets[name]
    address = f"bucket.{name}"
    if not found.exists:
        raise PlanError("no such bucket", address=address)
    if found.foreign:
        raise PlanError("the name belongs to another AWS account", address=address)
    _refuse(address, found.stack, stack)
    if found.failures:
        # Leaving out what could not be read would write a spec that says less than the bucket
        # has: the import stops, naming what failed.
        raise PlanError(
            "its live configuration could not be read: " + "; ".join(found.failures),
            address=address,
        )
    doc: dict[str, Any] = {"region": found.region} if found.region else {}
    tags = _own_tags(found.tags)
    if tags:
        doc["tags"] = tags
    for key in aspects.DECLARABLE:
        value = found.aspects.get(key)
        if not aspects.never_configured(key, value, found.owner_id):
            doc[key] = value
    for unit in aspects.ASPECTS:
        if unit.import_hint is not None:
            unit.import_hint(doc, found.aspects)
    order = ["region", *aspects.ORDER]
    doc = dict(sorted(doc.items(), key=lambda item: order.index(item[0])))
    model = _checked(Bucket, address, doc)
    return {k: spec_json(getattr(model, k)) for k in doc}


def _name(dist: LiveDistribution, taken: set[str]) -> str:
    if dist.name:
        return dist.name
    base = (
        _NOT_NAME.sub("-", dist.aliases[0]) if dist.aliases else f"distribution-{dist.id.lower()}"
    )
    name, n = base[:120], 2
    while name in taken:
        name, n = f"{base[:120]}-{n}", n + 1
    return name


def _env_name(origin: str, header: str) -> str:
    return "RECONCILER_" + re.sub(r"[^A-Z0-9]+", "_", f"{origin}_{header}".upper()).strip("_")


def _errors(doc: dict[str, Any]) -> int:
    """How many offline rules a distribution declared as ``doc`` breaks (invalid: very many)."""
    try:
        spec = Spec.model_validate({"version": 1, "stack": "import", "distributions": {"d": doc}})
    except ValidationError:
        return 1_000_000
    return sum(1 for f in rules.check(spec, check_stack=False) if f.severity == "error")


def minimal(doc: dict[str, Any]) -> dict[str, Any]:
    """A distribution's fields without what compares equal to leaving it out (CloudFront's
    defaults, legacy TTLs beside a cache policy, ...): inside each field, a key is dropped when
    every field's canonical form stays the same without it and no more offline rules break than
    before (the live configuration itself may break some), so what is written plans clean."""
    fields = [f for f in canon.CONFIG_FIELDS if f in doc]
    target = [canon.canonical(f, doc[f]) for f in fields]
    worst = [_errors(doc)]  # never more errors than so far (moto's answers may start with some)

    def acceptable() -> bool:
        try:
            same = [canon.canonical(f, doc[f]) for f in fields] == target
        except (KeyError, TypeError, ValueError, AttributeError):
            return False
        errors = _errors(doc) if same else worst[0] + 1
        if errors > worst[0]:
            return False
        worst[0] = errors
        return True

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        if not isinstance(node, dict):
            return
        for key in list(node):
            kept = node.pop(key)
            if not acceptable():
                node[key] = kept
                walk(kept)

    for name in fields:
        walk(doc[name])
    return doc


def distribution_document(
    dist: LiveDistribution, stack: str, notes: list[str], address: str
) -> dict[str, Any]:
    _refuse(address, dist.stack, stack)
    fields = dist.fields or {}
    doc: dict[str, Any] = {}
    if dist.stack is None:
        doc["id"] = dist.id
    for name in canon.CONFIG_FIELDS:
        value = fields.get(name)
        if canon.canonical(name, value) != canon.canonical(name, None):
            doc[name] = copy.deepcopy(value)
    for origin in doc.get("origins") or []:
        for header in sorted(origin.get("custom_headers") or {}):
            variable = _env_name(origin["id"], header)
            origin["custom_headers"][header] = "${env.%s}" % variable  # noqa: UP031 - literal ${
            notes.append(
                f"{address}: origin {origin['id']}'s header {header} is written as "
                f"${{env.{variable}}}; set {variable} to its value before planning"
            )
    minimal(doc)
    tags = _own_tags(dist.tags)
    if tags:
        doc["tags"] = tags
    model = _checked(Distribution, address, doc)
    dumped = model.model_dump(mode="json", exclude_defaults=True)
    return {k: dumped[k] for k in doc if k in dumped}


def _escaped(value: Any, *, keep: frozenset[str] = frozenset()) -> Any:
    """``${`` written as ``$${`` everywhere but in the env references import made itself."""
    if isinstance(value, dict):
        return {_escaped(k): _escaped(v, keep=keep) for k, v in value.items()}
    if isinstance(value, list):
        return [_escaped(v, keep=keep) for v in value]
    if isinstance(value, str) and value not in keep:
        return value.replace("${", "$${")
    return value


class _Dumper(yaml.SafeDumper):
    """Safe YAML with list items indented under their key, as people write specs."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def modeline(output: str | None) -> str:
    """The editor's schema line for a spec written to ``output``: the ``schemas/`` file found
    in its directory or the nearest parent holding one, by a relative path; when there is
    none, how to make one."""
    here = Path(output).resolve().parent if output else Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / SCHEMA_FILE).is_file():
            relative = os.path.relpath(folder / SCHEMA_FILE, here)
            return f"# yaml-language-server: $schema={Path(relative).as_posix()}"
    return NO_SCHEMA


def render(live: LiveState, request: ImportRequest) -> Imported:
    notes: list[str] = []
    declared: list[str] = []
    buckets = {}
    for name in sorted(live.buckets):
        buckets[name] = bucket_document(name, live, request.stack)
        declared.append(f"bucket.{name}")
        notes += [
            f"bucket.{name}: left out: {why}" for why in live.buckets[name].unsupported.values()
        ]
    wanted = set(request.distribution_ids)
    found = {d.id: d for d in live.distributions or () if d.fields is not None}
    missing = sorted(wanted - set(found))
    if missing:
        raise PlanError(f"distribution {', '.join(missing)}: no such distribution")
    distributions: dict[str, Any] = {}
    taken: set[str] = set()
    for dist in sorted(found.values(), key=lambda d: (d.name or "", d.aliases, d.id)):
        name = _name(dist, taken)
        taken.add(name)
        address = f"distribution.{name}"
        distributions[name] = distribution_document(dist, request.stack, notes, address)
        declared.append(address)
    refs = frozenset(
        v
        for d in distributions.values()
        for o in d.get("origins") or []
        for v in (o.get("custom_headers") or {}).values()
    )
    doc: dict[str, Any] = {"version": 1, "stack": request.stack}
    if buckets:
        doc["buckets"] = buckets
    if distributions:
        doc["distributions"] = dict(sorted(distributions.items()))
    body = yaml.dump(
        _escaped(doc, keep=refs),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )
    header = (
        f"{modeline(request.output)}\n#\n# Written by `reconciler import`: "
        f"{len(buckets)} bucket(s), {len(distributions)} distribution(s).\n"
        f"# Planning it adopts what stack {request.stack} does not own yet "
        f"(adds the {STACK_TAG} tag)\n# and changes nothing else.\n"
    )
    return Imported(header + body, declared, notes)

"""Importing distributions: a document per distribution, under its ``reconciler:name`` when it
has one, else a name made from its first alias or its id, with ``id:`` when it is not tagged
(so the plan adopts it even without an alias), holding every field that differs from
CloudFront's default. An origin's custom header values, which often hold a shared secret, are
written as ``${env.NAME}`` references, never as values."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from reconciler.errors import PlanError, Severity
from reconciler.importing import Documents, checked, own_tags, refuse_foreign
from reconciler.kinds.base import Clients, Runner
from reconciler.kinds.distribution import canonical as canon
from reconciler.kinds.distribution.declaration import DECLARATION
from reconciler.kinds.distribution.live import NAME_TAG, LiveDistribution, distributions_live
from reconciler.kinds.distribution.model import Distribution
from reconciler.kinds.distribution.read import read_distributions
from reconciler.kinds.distribution.rules import check
from reconciler.live.model import STACK_TAG, LiveState
from reconciler.spec.findings import RuleContext
from reconciler.spec.model import Spec

_NOT_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def unmanaged(clients: Clients, run: Runner, *, stack: str, parallelism: int) -> list[str]:
    """The ids of the account's distributions that no stack owns."""
    if clients.cloudfront is None:
        return []
    found = read_distributions(clients.cloudfront, run, stack=stack, aliases=frozenset())
    return [d.id for d in found if d.stack is None]


def read(
    clients: Clients, run: Runner, names: Iterable[str], *, stack: str, parallelism: int
) -> tuple[LiveDistribution, ...] | None:
    """The account's distributions, with the configuration of those whose ids are named."""
    ids = frozenset(names)
    if not ids or clients.cloudfront is None:
        return None
    return read_distributions(clients.cloudfront, run, stack=stack, aliases=frozenset(), ids=ids)


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
        spec = Spec.model_validate(
            {"version": 1, "stack": "import", DECLARATION.section: {"d": doc}}
        )
    except ValidationError:
        return 1_000_000
    return sum(1 for f in check(RuleContext(spec)) if f.severity is Severity.ERROR)


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


def document(dist: LiveDistribution, stack: str, notes: list[str], address: str) -> dict[str, Any]:
    refuse_foreign(address, dist.stack, stack)
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
    tags = own_tags(dist.tags, ours=(STACK_TAG, NAME_TAG))
    if tags:
        doc["tags"] = tags
    model = checked(Distribution, address, doc)
    dumped = model.model_dump(mode="json", exclude_defaults=True)
    return {k: dumped[k] for k in doc if k in dumped}


def documents(live: LiveState, stack: str, wanted: Iterable[str]) -> Documents:
    """A document per distribution named in ``wanted`` (by id)."""
    ids = set(wanted)
    found = {d.id: d for d in distributions_live(live) or () if d.fields is not None}
    missing = sorted(ids - set(found))
    if missing:
        raise PlanError(f"distribution {', '.join(missing)}: no such distribution")
    out = Documents()
    taken: set[str] = set()
    for dist in sorted(found.values(), key=lambda d: (d.name or "", d.aliases, d.id)):
        name = _name(dist, taken)
        taken.add(name)
        out.documents[name] = document(dist, stack, out.notes, str(DECLARATION.address(name)))
    out.documents = dict(sorted(out.documents.items()))
    out.references = frozenset(
        v
        for d in out.documents.values()
        for o in d.get("origins") or []
        for v in (o.get("custom_headers") or {}).values()
    )
    return out

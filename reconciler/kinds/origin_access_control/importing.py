"""Importing origin access controls: a document per one named by its id, under the logical
name its mark gives (or a name made from its own), holding what differs from the defaults."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from reconciler.errors import PlanError
from reconciler.importing import Documents, checked, refuse_foreign
from reconciler.kinds.base import Clients, Runner
from reconciler.kinds.origin_access_control.declaration import DECLARATION
from reconciler.kinds.origin_access_control.live import LiveOriginAccessControl, controls_live
from reconciler.kinds.origin_access_control.model import OriginAccessControl
from reconciler.kinds.origin_access_control.read import read_controls
from reconciler.live.model import LiveState

_NOT_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_DEFAULTS = {"origin_type": "s3", "signing_behavior": "always", "signing_protocol": "sigv4"}


def unmanaged(clients: Clients, run: Runner, *, stack: str, parallelism: int) -> list[str]:
    """The ids of the account's origin access controls that no stack owns."""
    if clients.cloudfront is None:
        return []
    return [c.id for c in read_controls(clients.cloudfront, run) if c.stack is None]


def read(
    clients: Clients, run: Runner, names: Iterable[str], *, stack: str, parallelism: int
) -> tuple[LiveOriginAccessControl, ...] | None:
    if clients.cloudfront is None:
        return None
    return read_controls(clients.cloudfront, run)


def _logical(control: LiveOriginAccessControl, taken: set[str]) -> str:
    base = control.logical or _NOT_NAME.sub("-", control.name).strip("-.")[:64] or control.id
    logical, n = base, 2
    while logical in taken:
        logical, n = f"{base[:60]}-{n}", n + 1
    return logical


def document(control: LiveOriginAccessControl, logical: str, stack: str) -> dict[str, Any]:
    address = str(DECLARATION.address(logical))
    refuse_foreign(address, control.stack, stack)
    doc: dict[str, Any] = {}
    if control.name != logical:
        doc["name"] = control.name
    if control.description:
        doc["description"] = control.description
    for key, default in _DEFAULTS.items():
        value = control.fields[key]
        if value != default:
            doc[key] = value
    checked(OriginAccessControl, address, doc)
    return doc


def documents(live: LiveState, stack: str, wanted: Iterable[str]) -> Documents:
    ids = set(wanted)
    found = {c.id: c for c in controls_live(live) or () if c.id in ids}
    missing = sorted(ids - set(found))
    if missing:
        raise PlanError(
            f"origin access control {', '.join(missing)}: no such origin access control"
        )
    out = Documents()
    taken: set[str] = set()
    for control in sorted(found.values(), key=lambda c: (c.logical or c.name, c.id)):
        logical = _logical(control, taken)
        taken.add(logical)
        out.documents[logical] = document(control, logical, stack)
    out.documents = dict(sorted(out.documents.items()))
    return out

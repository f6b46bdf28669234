"""The plan: a frozen value that says what will change, in what order, and why.

Apply executes it without re-diffing; renderers draw from its JSON form, which is also the plan
file. Per action, ``before`` and ``after`` of an aspect mean:

=========  ==================================  ===========================================
action     before                              after
=========  ==================================  ===========================================
create     null (the aspect is not set)        the spec's value
update     the live value, in spec vocabulary  the spec's value
delete     the live value                      the spec's "absent" value (false / [] / {})
=========  ==================================  ===========================================

A resource's ``action`` is ``create``, ``update``, ``delete``, ``replace`` (delete, then create:
data is lost), ``adopt`` (an existing untagged resource takes this stack's tag) or ``no_op``.
``live_fingerprint`` digests what was read for the resource, so a saved plan can be refused when
the resource changed since. A plan also records what it was made from (``spec``: the spec files
and their digests, the variables' digest) and how (``mode``, ``targets``, ``replace``), so that
applying a saved plan can make it again and apply it only if nothing differs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from reconciler.errors import Severity

FORMAT_VERSION = "1"


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    REPLACE = "replace"
    ADOPT = "adopt"
    NO_OP = "no_op"


SUMMARY_KEYS = ("create", "update", "delete", "replace", "adopt", "no_op")


class ActionReason(StrEnum):
    """Why a change's action is what it is, in the words a plan shows (for the reader, never
    acted upon, as Terraform's ActionReason). An adoption says which resource and why in words
    its kind makes."""

    REGION_CHANGES = "the region changes"
    NO_LONGER_DECLARED = "owned by this stack, no longer declared"


def digest(state: Any) -> str:
    """A ``live_fingerprint``: the SHA-256 of a JSON value in its sorted-key form."""
    text = json.dumps(state, sort_keys=True, default=str)
    return f"sha256:{hashlib.sha256(text.encode()).hexdigest()}"


@dataclass(frozen=True)
class DiffEntry:
    path: str
    before: Any
    after: Any

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "before": self.before, "after": self.after}


@dataclass(frozen=True)
class AspectChange:
    aspect: str
    action: Action
    before: Any
    after: Any
    diff: tuple[DiffEntry, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "aspect": self.aspect,
            "action": self.action.value,
            "before": self.before,
            "after": self.after,
            "diff": [d.to_json() for d in self.diff],
        }


@dataclass(frozen=True)
class ResourceChange:
    """One resource's change. ``region`` is where the bucket is (or will be); for a replace,
    ``previous_region`` is where it is now. ``force_destroy`` lets a delete empty the bucket.
    A distribution's change names its CloudFront ``id`` when it exists, whether apply waits for
    the deployment (``wait_for_deployment``), and ``positions``: where in the spec each aspect
    is declared, so a failure AWS reports can point there."""

    address: str
    kind: str
    name: str
    action: Action
    region: str | None = None
    aspects: tuple[AspectChange, ...] = ()
    depends_on: tuple[str, ...] = ()
    live_fingerprint: str = ""
    previous_region: str | None = None
    force_destroy: bool = False
    reason: str | None = None
    id: str | None = None
    wait_for_deployment: bool = True
    positions: tuple[tuple[str, str], ...] = ()
    #: A digest per part of the live state the plan was made against: ``existence`` (and the
    #: region), ``emptiness``, ``tags`` and every declared aspect that was read, whether the
    #: plan changes it or not. A saved plan is refused when any of them moved, naming it.
    fingerprints: tuple[tuple[str, str], ...] = ()

    def position(self, aspect: str) -> str | None:
        return dict(self.positions).get(aspect)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "address": self.address,
            "kind": self.kind,
            "name": self.name,
            "action": self.action.value,
            "region": self.region,
            "aspects": [a.to_json() for a in self.aspects],
            "depends_on": list(self.depends_on),
            "live_fingerprint": self.live_fingerprint,
        }
        if self.fingerprints:
            out["live_fingerprints"] = dict(self.fingerprints)
        if self.previous_region is not None:
            out["previous_region"] = self.previous_region
        if self.force_destroy:
            out["force_destroy"] = True
        if self.reason:
            out["reason"] = self.reason
        if self.id:
            out["id"] = self.id
        if not self.wait_for_deployment:
            out["wait_for_deployment"] = False
        if self.positions:
            out["positions"] = dict(self.positions)
        return out


@dataclass(frozen=True)
class Diagnostic:
    """A finding about one resource. ``position`` is ``FILE:LINE:COL`` of the spec value it is
    about, when there is one."""

    severity: Severity
    address: str
    summary: str
    position: str | None = None

    def to_json(self) -> dict[str, Any]:
        out = {"severity": str(self.severity), "address": self.address, "summary": self.summary}
        if self.position:
            out["position"] = self.position
        return out

    def __str__(self) -> str:
        where = f"{self.position}: " if self.position else ""
        return f"{where}{self.severity}: {self.address}: {self.summary}"


def fingerprinted(parts: dict[str, Any]) -> dict[str, Any]:
    """The ``live_fingerprint`` (one digest) and ``fingerprints`` (one per part) of a change,
    from the parts of the live state it was made against."""
    each = {name: digest(value) for name, value in sorted(parts.items())}
    return {"live_fingerprint": digest(each), "fingerprints": tuple(each.items())}


def moved(
    change: ResourceChange, now: dict[str, Any], *, unread: frozenset[str] = frozenset()
) -> list[str]:
    """The parts whose digests differ between ``change``'s fingerprints and ``now`` (a
    `fingerprinted` value), among those read both times and not ``unread`` now: a part read
    only once means the plans were made differently, which comparing the changes reports."""
    if now["live_fingerprint"] == change.live_fingerprint:
        return []
    before, after = dict(change.fingerprints), dict(now["fingerprints"])
    both = (before.keys() & after.keys()) - unread
    return sorted(k for k in both if before[k] != after[k])


@dataclass(frozen=True)
class SpecFile:
    """One spec file a plan was made from: its path relative to the working directory, and
    the SHA-256 of its bytes."""

    path: str
    digest: str

    def to_json(self) -> dict[str, str]:
        return {"path": self.path, "digest": self.digest}


@dataclass(frozen=True)
class SpecSources:
    """What a plan was made from: the ``-f`` paths as given, the spec files found from them,
    and the digest of the variables' values (never the values: they may come from the
    environment)."""

    given: tuple[str, ...]
    files: tuple[SpecFile, ...]
    variables_digest: str

    def to_json(self) -> dict[str, Any]:
        return {
            "given": list(self.given),
            "files": [f.to_json() for f in self.files],
            "variables_digest": self.variables_digest,
        }


#: The modes of a plan: an ordinary one, or everything the stack owns deleted (``--destroy``).
MODES = ("plan", "destroy")


@dataclass(frozen=True)
class Plan:
    stack: str
    spec_digest: str
    changes: tuple[ResourceChange, ...]
    diagnostics: tuple[Diagnostic, ...] = ()
    unchanged: int = 0
    targets: tuple[str, ...] = ()
    mode: str = "plan"
    format_version: str = FORMAT_VERSION
    #: The addresses ``--replace`` allowed to be deleted and created again.
    replace: tuple[str, ...] = ()
    sources: SpecSources | None = None

    @property
    def summary(self) -> dict[str, int]:
        counts = dict.fromkeys(SUMMARY_KEYS, 0)
        for change in self.changes:
            counts[change.action.value] += 1
        counts["no_op"] += self.unchanged
        return counts

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity is Severity.ERROR)

    def change(self, address: str) -> ResourceChange | None:
        return next((c for c in self.changes if c.address == address), None)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "format_version": self.format_version,
            "stack": self.stack,
            "mode": self.mode,
            "spec_digest": self.spec_digest,
            "summary": self.summary,
            "changes": [c.to_json() for c in self.changes],
            "diagnostics": [d.to_json() for d in self.diagnostics],
        }
        if self.targets:
            out["targets"] = list(self.targets)
        if self.replace:
            out["replace"] = list(self.replace)
        if self.sources is not None:
            out["spec"] = self.sources.to_json()
        return out

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, sort_keys=False) + "\n"

"""What a plan covers: everything, or ``--target``'s resources and, transitively, the declared
resources they refer to (a targeted distribution takes in its origin buckets, a bucket the
bucket it logs into); and the undeclared resources the covered ones refer to, which are read so
that what the offline rules cannot know is checked before any write. Pure.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field

from reconciler.address import Address
from reconciler.kinds.declaration import Declaration
from reconciler.kinds.registry import declaration, declarations, kind_names
from reconciler.spec.model import Spec


@dataclass(frozen=True)
class Scope:
    """Per kind, the names of the declared resources a plan covers; ``targeted`` false: every
    one, and the resources the stack owns and no longer declares (to prune them)."""

    targeted: bool = False
    covered: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def names(self, kind: str) -> frozenset[str] | None:
        """The covered names of ``kind``; ``None``: all of them."""
        return self.covered.get(kind, frozenset()) if self.targeted else None

    def covers(self, kind: str, name: str) -> bool:
        names = self.names(kind)
        return names is None or name in names


def check_targets(targets: frozenset[str]) -> list[str]:
    """The targets that are no resource address (``KIND.NAME`` of a known kind)."""
    known = kind_names()
    wrong = []
    for target in sorted(targets):
        try:
            address = Address.parse(target)
        except ValueError:
            wrong.append(target)
            continue
        if address.kind not in known:
            wrong.append(target)
    return wrong


def undeclared_targets(spec: Spec, targets: frozenset[str]) -> dict[str, str]:
    """The targets that name no resource the spec declares, each with why (known before any
    read: a resource the stack owns and no longer declares is targeted by declaring it
    ``state: absent``)."""
    declared = sorted(str(d.address(n)) for d in declarations() for n in d.resources(spec))
    found = {}
    for target in sorted(targets - set(declared)):
        close = difflib.get_close_matches(target, declared, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        found[target] = f"--target names no resource this spec declares{hint}"
    return found


def _declared(spec: Spec, address: Address) -> bool:
    return address.name in declaration(address.kind).resources(spec)


def scope_of(spec: Spec, targets: frozenset[str]) -> Scope:
    """What a plan of ``spec`` limited to ``targets`` covers."""
    if not targets:
        return Scope()
    covered: dict[str, set[str]] = {d.kind: set() for d in declarations()}
    pending = sorted(Address.parse(t) for t in targets)
    while pending:
        address = pending.pop()
        if address.name in covered[address.kind]:
            continue
        covered[address.kind].add(address.name)
        kind = declaration(address.kind)
        resource = kind.resources(spec).get(address.name)
        if resource is None:
            continue
        pending += sorted(
            ref.address
            for ref in kind.references(spec, address.name, resource)
            if _declared(spec, ref.address)
        )
    return Scope(True, {k: frozenset(v) for k, v in covered.items()})


def referenced(spec: Spec, scope: Scope) -> dict[str, dict[str, frozenset[str]]]:
    """Per kind, the undeclared resources the covered ones refer to, each with what checking
    the references needs read of it."""
    found: dict[str, dict[str, frozenset[str]]] = {}
    for kind in declarations():
        for name, resource in kind.resources(spec).items():
            if not scope.covers(kind.kind, name):
                continue
            for ref in kind.references(spec, name, resource):
                if not _declared(spec, ref.address):
                    into = found.setdefault(ref.address.kind, {})
                    into[ref.address.name] = into.get(ref.address.name, frozenset()) | ref.needs
    return found


def reads(spec: Spec, kind: Declaration, scope: Scope, referenced_names: bool) -> bool:
    """Whether a plan reads ``kind`` at all: the spec manages it, and the plan covers some of
    it (or other resources refer to some): a targeted bucket plan needs no CloudFront
    permission."""
    if not spec.manages(kind.section, always=kind.always_managed):
        return False
    names = scope.names(kind.kind)
    return names is None or bool(names) or referenced_names

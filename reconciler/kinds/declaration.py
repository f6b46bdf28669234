"""What the spec knows of a resource kind: how it is declared and checked offline.

Each kind's package fills in one `Declaration` (in its ``declaration`` module, which imports
nothing that talks to the network): its name (the first part of its addresses and the plan's
``kind``), its section of the spec and the model of one resource, its offline rules, what a
declared resource refers to (other resources, written before it and in a ``--target``'s
scope), how ``destroy`` reads it. The spec's model, the loader, the rules, the JSON Schema and
the field reference are made from the declarations; none of them names a kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reconciler.address import Address
from reconciler.spec.common import SpecModel
from reconciler.spec.findings import Finding, RuleContext

if TYPE_CHECKING:
    from reconciler.spec.model import Spec


@dataclass(frozen=True)
class Reference:
    """A resource a declared one refers to (``address``). When the spec does not declare it,
    ``needs`` names what is read of it so the reference can be checked when planning (a
    logging target's ACL, ...); ``ordered``: the referring resource is written after it (and,
    being deleted, before it)."""

    address: Address
    needs: frozenset[str] = frozenset()
    ordered: bool = True


def _no_rules(ctx: RuleContext) -> Iterator[Finding]:
    return iter(())


def _no_references(spec: Spec, name: str, resource: Any) -> Iterator[Reference]:
    return iter(())


@dataclass(frozen=True)
class Declaration:
    """One kind, as the spec sees it. ``kind``: its name (``bucket``: addresses
    ``bucket.NAME``, the plan's ``kind``, its key under ``defaults:``); ``section``: its key in
    the spec (``buckets``), a map of logical names to ``model``. ``always_managed``: the
    section left out still means "this stack owns none" (otherwise, as for any field, left
    out means unmanaged: never read, never pruned). ``merged``: the maps a resource merges
    with its defaults rather than replaces. ``noun`` names one in messages."""

    kind: str
    section: str
    model: type[SpecModel]
    description: str
    noun: str
    always_managed: bool = False
    merged: tuple[str, ...] = ("tags",)
    #: List fields whose rules check each element on its own: when some elements have a wrong
    #: shape, the others are still checked.
    salvaged: frozenset[str] = frozenset()
    #: The kind's offline rules, over the whole spec (every resource of the kind).
    rules: Callable[[RuleContext], Iterator[Finding]] = _no_rules
    #: What a declared resource (given the spec, its name and its model) refers to.
    references: Callable[[Spec, str, Any], Iterator[Reference]] = _no_references
    #: How ``destroy`` reads a declared resource: every resource deleted (``state: absent``).
    destroyed: Callable[[Any], Any] = lambda resource: resource
    #: Whether a change's diff paths are relative to the part that changed (``env`` in
    #: ``tags``: ``tags.env``) or already start with it.
    relative_paths: bool = True
    #: The words of a plan's line for a deletion of one (``will be deleted``).
    deleting: str = "will be deleted"
    #: Fields naming a path on this machine, written relative to the spec file that declares
    #: them: the loader makes them relative to the working directory (as a saved plan records
    #: its spec files), so the spec means the same from wherever it is loaded.
    local_paths: tuple[str, ...] = ()

    def resources(self, spec: Spec) -> Mapping[str, Any]:
        """The kind's declared resources in ``spec``, by name."""
        found: Mapping[str, Any] = getattr(spec, self.section)
        return found

    def address(self, name: str) -> Address:
        return Address(self.kind, name)

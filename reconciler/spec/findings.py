"""What an offline rule reports, and what rules may look at beyond the value they check."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reconciler.errors import Severity
from reconciler.spec.source import Path

if TYPE_CHECKING:
    from reconciler.spec.model import Spec


@dataclass(frozen=True)
class Finding:
    path: Path
    message: str
    severity: Severity = Severity.ERROR
    at_key: bool = False  # point at the key naming ``path`` rather than its value


@dataclass(frozen=True)
class RuleContext:
    """The whole spec, and per section the name of every resource the files declare
    (including those whose shape was invalid, and so are missing from ``spec``)."""

    spec: Spec
    declared: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def declares(self, section: str, name: str) -> bool:
        """Whether the files declare resource ``name`` of ``section``, valid or not."""
        return name in self.declared.get(section, ()) or name in getattr(self.spec, section)


def absent(path: Path, noun: str, *, prevent_destroy: bool) -> Iterator[Finding]:
    """A resource declared ``state: absent``: refused beside ``prevent_destroy``."""
    if prevent_destroy:
        yield Finding(
            (*path, "state"),
            f"state: absent deletes the {noun}, which prevent_destroy: true forbids",
        )

"""The live state: what was read, per kind, in the spec's vocabulary. Each kind keeps its own
part (`reconciler.kinds.base`); what is shared is how a resource says whose it is."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: The tag that says which stack owns a resource.
STACK_TAG = "reconciler:stack"


@dataclass(frozen=True)
class LiveState:
    """What was read, per kind (``parts[kind]``: that kind's own value; missing: not read)."""

    parts: Mapping[str, Any] = field(default_factory=dict)

    def of(self, kind: str) -> Any:
        return self.parts.get(kind)

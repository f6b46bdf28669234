"""What an offline rule reports, and what rules may look at beyond the value they check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from reconciler.kinds.bucket.model import Bucket
from reconciler.spec.model import Spec
from reconciler.spec.source import Path


@dataclass(frozen=True)
class Finding:
    path: Path
    message: str
    severity: Literal["error", "warning"] = "error"
    at_key: bool = False  # point at the key naming ``path`` rather than its value


@dataclass(frozen=True)
class RuleContext:
    """The whole spec, and the name of every bucket the files declare (including those whose
    shape was invalid, and so are missing from ``spec``)."""

    spec: Spec
    declared: set[str]

    def bucket(self, name: str) -> Bucket | Literal[False] | None:
        """The declared bucket; ``False`` when declared but invalid (nothing to check)."""
        if name in self.spec.buckets:
            return self.spec.buckets[name]
        return False if name in self.declared else None

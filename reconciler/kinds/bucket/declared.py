"""A bucket as the offline rules of other resources see it: declared (with its model),
declared with an invalid shape (nothing to check), or not declared at all."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from reconciler.kinds.bucket.model import Bucket
from reconciler.spec.findings import RuleContext

if TYPE_CHECKING:
    from reconciler.spec.model import Spec

#: The spec's section of buckets.
SECTION = "buckets"


def buckets(spec: Spec) -> dict[str, Bucket]:
    """The spec's buckets, by name."""
    found: dict[str, Bucket] = getattr(spec, SECTION)
    return found


def declared_bucket(ctx: RuleContext, name: str) -> Bucket | Literal[False] | None:
    """The declared bucket; ``False`` when declared but invalid (nothing to check)."""
    declared = buckets(ctx.spec)
    if name in declared:
        return declared[name]
    return False if ctx.declares(SECTION, name) else None

"""Every bucket aspect, in write order: the one list the reader, the writer, the planner, the
importer, ``reconciler permissions`` and the field reference iterate over.

The order is the units' ``follows`` constraints resolved (topologically), ties kept in the order
listed here; tags come first, since they carry ownership (docs/planning.md says why).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from reconciler.kinds.bucket.aspects import (
    accelerate,
    acl,
    analytics,
    cors,
    encryption,
    intelligent_tiering,
    inventory,
    lifecycle,
    logging,
    metrics,
    notifications,
    object_lock,
    object_ownership,
    policy,
    public_access_block,
    replication,
    request_payer,
    tags,
    versioning,
    website,
)
from reconciler.kinds.bucket.aspects.base import Aspect
from reconciler.kinds.bucket.canonical import Context, Json
from reconciler.kinds.bucket.model import Bucket
from reconciler.spec.findings import Finding, RuleContext
from reconciler.spec.source import Path

_LISTED: tuple[Aspect, ...] = (
    tags.ASPECT,
    object_ownership.ASPECT,
    public_access_block.ASPECT,
    acl.ASPECT,
    policy.ASPECT,
    encryption.ASPECT,
    versioning.ASPECT,
    lifecycle.ASPECT,
    cors.ASPECT,
    website.ASPECT,
    logging.ASPECT,
    accelerate.ASPECT,
    request_payer.ASPECT,
    object_lock.ASPECT,
    replication.ASPECT,
    notifications.ASPECT,
    intelligent_tiering.ASPECT,
    inventory.ASPECT,
    metrics.ASPECT,
    analytics.ASPECT,
)


def _ordered(units: tuple[Aspect, ...]) -> tuple[Aspect, ...]:
    """The units with each after those it follows; otherwise in the listed order."""
    by_key = {u.key: u for u in units}
    for unit in units:
        unknown = [k for k in unit.follows if k not in by_key]
        if unknown:
            raise ValueError(f"aspect {unit.key!r} follows unknown aspect(s) {unknown}")
    done: list[Aspect] = []
    placed: set[str] = set()
    while len(done) < len(units):
        ready = [u for u in units if u.key not in placed and set(u.follows) <= placed]
        if not ready:
            raise ValueError("the aspects' follows constraints form a cycle")
        done.append(ready[0])
        placed.add(ready[0].key)
    return tuple(done)


#: Every aspect, in write order.
ASPECTS: tuple[Aspect, ...] = _ordered(_LISTED)
BY_KEY: dict[str, Aspect] = {a.key: a for a in ASPECTS}
#: The keys in write order.
ORDER: tuple[str, ...] = tuple(a.key for a in ASPECTS)
#: The unit whose read also tells the bucket owner's canonical id.
OWNER_SOURCE: Aspect = next(a for a in ASPECTS if a.tells_owner)
#: Read for every bucket whatever the spec declares: they carry ownership.
TAGS: Aspect = tags.ASPECT
#: Aspects read only when the spec declares them.
DECLARABLE: tuple[str, ...] = tuple(k for k in ORDER if k != TAGS.key)


def get(key: str) -> Aspect:
    try:
        return BY_KEY[key]
    except KeyError:
        raise ValueError(f"unknown aspect {key!r}") from None


def canonical(key: str, value: Any, ctx: Context, *, desired: bool) -> Json:
    """The comparable form of one aspect's value (``None``/``False``: not configured)."""
    return get(key).comparable(value, ctx, desired=desired)


def never_configured(key: str, value: Any, owner_id: str | None) -> bool:
    return get(key).never_configured(value, owner_id)


def declared(bucket: Bucket) -> list[str]:
    """The aspects a bucket declares, in write order (tags always: they carry ownership)."""
    return [k for k in ORDER if k == TAGS.key or getattr(bucket, k) is not None]


def check(ctx: RuleContext, name: str, bucket: Bucket, path: Path) -> Iterator[Finding]:
    """Every aspect's offline rules, for one present bucket."""
    for unit in ASPECTS:
        yield from unit.rules(ctx, name, bucket, path)

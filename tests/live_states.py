"""Live states written by hand for the planner's tests: the bucket kind's part (its buckets and
what the reader knows beside them) and the distribution kind's (the account's distributions)."""

from __future__ import annotations

from typing import Any

from reconciler.kinds.bucket.live import BucketLive, LiveBucket
from reconciler.kinds.distribution.live import LiveDistribution
from reconciler.live.model import LiveState


def live_state(
    *,
    buckets: dict[str, LiveBucket],
    distributions: tuple[LiveDistribution, ...] | None = None,
    **bucket_part: Any,
) -> LiveState:
    """The live state of ``buckets`` (and what ``bucket_part`` adds to the bucket kind's
    part); ``distributions`` ``None``: they were not read."""
    parts: dict[str, Any] = {"bucket": BucketLive(buckets=buckets, **bucket_part)}
    if distributions is not None:
        parts["distribution"] = distributions
    return LiveState(parts)

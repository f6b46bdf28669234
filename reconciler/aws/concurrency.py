"""Adaptive concurrency per endpoint: additive increase, multiplicative decrease.

``--parallelism`` is a ceiling, not a promise: when an endpoint answers ``SlowDown``, 503 or
another throttling answer, the number of requests it is sent at once is halved; each run of
successes as long as the current limit grows it back by one. A high default so never hammers an
account or a small S3-compatible store, and a plan still goes as fast as the endpoint allows.

One throttling burst halves the limit once: requests sent before the last decrease that come
back throttled do not halve it again (they were sent under the old limit).
"""

from __future__ import annotations

import threading


class AdaptiveLimit:
    """How many requests may be under way at once to one endpoint."""

    def __init__(self, ceiling: int) -> None:
        self.ceiling = max(ceiling, 1)
        self.limit = self.ceiling
        self._under_way = 0
        self._successes = 0
        self._epoch = 0
        self._lock = threading.Lock()

    def try_enter(self) -> int | None:
        """Take a place under the limit if there is room (the epoch the request is sent in),
        else ``None``: the driver (`loop.Driver`) never blocks, and calls `leave` after."""
        with self._lock:
            if self._under_way >= self.limit:
                return None
            self._under_way += 1
            return self._epoch

    def leave(self) -> None:
        with self._lock:
            self._under_way -= 1

    def throttled(self, epoch: int) -> None:
        """The endpoint asked to slow down (a request sent in ``epoch``)."""
        with self._lock:
            if epoch == self._epoch and self.limit > 1:
                self.limit = max(1, self.limit // 2)
                self._epoch += 1
            self._successes = 0

    def succeeded(self) -> None:
        with self._lock:
            self._successes += 1
            if self._successes >= self.limit and self.limit < self.ceiling:
                self.limit += 1
                self._successes = 0

"""Retries of what a step answers while AWS catches up, in one place: a bounded number of
attempts with capped exponential waits between them, and the question of which errors are worth
another attempt, asked by the caller.

The transport's own retries (throttling, 5xx, timeouts: `reconciler.aws.config.RetryPolicy`)
happen below, per request; these are the ones a step decides on: ``OperationAborted`` or
``NoSuchBucket`` right after a bucket was created, a CloudFront ETag that went stale between a
read and a write (``PreconditionFailed``), a distribution AWS does not see as disabled yet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Backoff:
    """Capped exponential waits, ``attempts`` tries in all."""

    attempts: int = 8
    base: float = 0.5
    cap: float = 10.0

    def delay(self, attempt: int) -> float:
        """The wait after failed attempt number ``attempt`` (1-based)."""
        return float(min(self.cap, self.base * 2 ** (attempt - 1)))


def retrying(
    call: Callable[[], T],
    *,
    again: Callable[[Exception], bool],
    backoff: Backoff,
    sleep: Callable[[float], None],
    between: Callable[[], None] | None = None,
) -> T:
    """``call()``, tried again while it raises an error ``again`` says is worth it, at most
    ``backoff.attempts`` times in all, waiting ``backoff.delay`` between tries (and running
    ``between``, such as a fresh read, before the next one). The last error is raised."""
    attempt = 1
    while True:
        try:
            return call()
        except Exception as exc:
            if not again(exc) or attempt >= backoff.attempts:
                raise
        sleep(backoff.delay(attempt))
        if between is not None:
            between()
        attempt += 1


#: A CloudFront ETag that went stale between the read and the write (``PreconditionFailed``):
#: read again and write again, a few times.
ETAG = Backoff(attempts=5, base=0.25, cap=2.0)
#: S3 catching up after a bucket was created or deleted (``OperationAborted``, ``NoSuchBucket``).
EVENTUAL = Backoff()

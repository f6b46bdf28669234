"""An API call as steps: the client's logic written once, its I/O done by whoever drives it.

A call that may be retried, redirected or paged is a generator that yields what it needs done
(`Exchange`: send this request once and hand back the answer; `Pause`: wait before a retry)
and receives the outcome. Written this way, the retry loop, the redirect to a bucket's region,
pagination and decoding exist once, and two drivers run them:

- `Transport.run` runs one call on the calling thread (blocking ``http.client`` connections):
  every write, and any single read;
- `loop.StepRunner` runs thousands at once on one event loop (the reads of a plan, a drift
  check or an import), where a thread per request in flight would cost more CPU than the
  request itself (`bench/bench_plan_latency.py`; the figures are in docs/architecture.md).

A generator ``returns`` its result (``return value`` ends it; ``yield from`` passes results
up), and raises its errors where the driver resumes it.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from reconciler.aws.concurrency import AdaptiveLimit
    from reconciler.aws.exchange import Request, Response
    from reconciler.errors import TransportError

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Exchange:
    """Send ``request`` once (attempt ``attempt``), within ``limit`` (its endpoint's adaptive
    concurrency). The driver sends back an `Outcome`."""

    request: Request
    attempt: int
    limit: AdaptiveLimit


@dataclass(frozen=True, slots=True)
class Pause:
    """Wait ``seconds`` before the next attempt (holding no place under the limit)."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one `Exchange` got: an answer (any status) or no answer at all, and the epoch of
    the limit it was sent in (`AdaptiveLimit.throttled`)."""

    response: Response | None
    failure: TransportError | None
    epoch: int


Step = Exchange | Pause
#: A call as steps, returning ``T``.
Steps = Generator[Step, Any, T]
#: A task for a driver that runs many: a call made when the driver is ready for it.
Task = Callable[[], Steps[None]]

"""An API call as steps: the client's logic written once, its I/O done by whoever drives it.

A call that may be retried, redirected or paged is a generator that yields what it needs done
(`Exchange`: send this request once and hand back the answer; `Pause`: wait before a retry;
`Offload`: run something that may block, such as fetching fresh credentials, off the loop) and
receives the outcome. Written this way, the retry loop, the redirect to a bucket's region,
pagination and decoding exist once, and one driver runs them all (`loop.Driver`, an event loop on
a thread of its own): thousands at once for the reads of a plan, one for a write or a single
read, whose caller waits for it.

A generator ``returns`` its result (``return value`` ends it; ``yield from`` passes results
up), and raises its errors where the driver resumes it.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from collections.abc import Mapping

    from reconciler.aws.concurrency import AdaptiveLimit
    from reconciler.aws.connections import Answer, ConnectionFailure
    from reconciler.aws.exchange import Request
    from reconciler.aws.limits import Settings

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Exchange:
    """Send ``request`` once (attempt ``attempt``) with ``headers`` (signed), within ``limit``
    (its endpoint's adaptive concurrency), as ``settings`` say (timeouts, bounds, TLS). The
    driver sends back an `Outcome`."""

    request: Request
    attempt: int
    limit: AdaptiveLimit
    headers: Mapping[str, str]
    settings: Settings


@dataclass(frozen=True, slots=True)
class Pause:
    """Wait ``seconds`` before the next attempt (holding no place under the limit)."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Offload:
    """Call ``call`` where it may block (a thread, never the loop's) and send back its result;
    what it raises is raised where the steps resume."""

    call: Callable[[], Any]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one `Exchange` got: an answer (any status) or why there was none, the epoch of the
    limit it was sent in (`AdaptiveLimit.throttled`) and the seconds it took."""

    answer: Answer | None
    failure: ConnectionFailure | None
    epoch: int
    seconds: float


Step = Exchange | Pause | Offload
#: A call as steps, returning ``T``.
Steps = Generator[Step, Any, T]
#: A task for a driver that runs many: a call made when the driver is ready for it.
Task = Callable[[], Steps[None]]

"""How far the client trusts an endpoint: every answer bounded in time and size, every listing
in pages. Each bound is a named setting with a default sized from AWS's own limits, with
headroom; exceeding one is a clear error that names the endpoint and the limit (never retried:
the same endpoint would do it again).

- ``exchange_seconds``: one exchange (connecting, sending, the whole answer), however the bytes
  dribble in (the read timeout only bounds silence). S3 itself gives up on a client that is
  silent for 20 s (``RequestTimeout``); its configuration answers take milliseconds.
- ``credential_seconds``: one fetch of credentials (every request it makes, retries included):
  STS, the SSO portal, the container and instance endpoints.
- ``head_bytes``: the status line and headers of an answer (interim ``1xx`` ones included),
  however they arrive. S3's and CloudFront's are a few hundred bytes; AWS's own limit for a
  request's headers is 8 KiB.
- ``configuration_bytes``: a configuration document or an error (the largest S3 documents: a
  bucket policy of at most 20 KiB, 1,000 lifecycle or replication rules, a few hundred KiB; a
  CloudFront distribution, tens of KiB).
- ``listing_bytes``: one page of a listing (1,000 object keys of up to 1 KiB each, 10,000 buckets:
  about 2 MiB).
- ``credentials_bytes``: a credentials answer (STS's with a 2 KiB session token: 4 KiB).
- ``object_bytes``: an object read whole (only the tests and emptying a bucket read objects).
- ``pages``: pages of one listing; a listing that hands out a continuation token it gave before
  is an error at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from reconciler.errors import ResponseParseError

KIB = 1024
MIB = 1024 * KIB

#: The kinds of answer, each with its own size bound (`Bounds.answer_bytes`).
CONFIGURATION = "configuration"
LISTING = "listing"
CREDENTIALS = "credentials"
OBJECT = "object"


@dataclass(frozen=True)
class Bounds:
    exchange_seconds: float = 120.0
    credential_seconds: float = 30.0
    head_bytes: int = 64 * KIB
    configuration_bytes: int = 4 * MIB
    listing_bytes: int = 16 * MIB
    credentials_bytes: int = 64 * KIB
    object_bytes: int = 256 * MIB
    pages: int = 10_000

    def answer_bytes(self, kind: str) -> int:
        """The largest body accepted for an answer of ``kind``."""
        return {
            LISTING: self.listing_bytes,
            CREDENTIALS: self.credentials_bytes,
            OBJECT: self.object_bytes,
        }.get(kind, self.configuration_bytes)


DEFAULT_BOUNDS = Bounds()


@dataclass(frozen=True, eq=False)
class Settings:
    """How one transport's requests are sent: its timeouts, its bounds, the CA bundle TLS
    trusts. (Compared by identity: the driver keeps each transport's connections apart.)"""

    connect: float
    read: float
    ca_certs: str
    bounds: Bounds = DEFAULT_BOUNDS

    def __post_init__(self) -> None:
        kinds = (CONFIGURATION, LISTING, CREDENTIALS, OBJECT)
        answer_bytes = {kind: self.bounds.answer_bytes(kind) for kind in kinds}
        object.__setattr__(self, "answer_bytes", answer_bytes)

    #: Per kind of answer, its size bound (looked up for every exchange: made once).
    answer_bytes: dict[str, int] = field(init=False, repr=False)


def size(count: int) -> str:
    """A byte count for a message (``64 KiB``, ``16 MiB``)."""
    if count >= MIB and count % MIB == 0:
        return f"{count // MIB} MiB"
    if count >= KIB and count % KIB == 0:
        return f"{count // KIB} KiB"
    return f"{count} bytes"


_fetching = threading.local()


@contextmanager
def within(seconds: float, what: str) -> Iterator[None]:
    """Every call made on this thread inside is given up once ``seconds`` have passed since
    the start (a credential fetch: `credential_seconds`); ``what`` names it in the error."""
    outer = getattr(_fetching, "until", None)
    _fetching.until = (time.monotonic() + seconds, what)
    try:
        yield
    finally:
        _fetching.until = outer


def remaining() -> tuple[float, str] | None:
    """Inside `within`: the seconds left and what is being fetched; else ``None``."""
    until: tuple[float, str] | None = getattr(_fetching, "until", None)
    if until is None:
        return None
    return until[0] - time.monotonic(), until[1]


class Pages:
    """The continuation tokens of one listing: at most ``limit`` pages, and a token handed out
    twice is an error at once (a store that gives the same page again would be read for ever).
    ``operation`` and ``address`` name it in the error."""

    def __init__(self, operation: str, *, address: str | None, limit: int) -> None:
        self._operation = operation
        self._address = address
        self._limit = limit
        self._seen: set[object] = set()

    def follow(self, token: object) -> None:
        """The next page is asked for with ``token``."""
        if token in self._seen:
            raise ResponseParseError(
                f"{self._operation}: the listing repeats its continuation token",
                address=self._address,
            )
        self._seen.add(token)
        if len(self._seen) >= self._limit:
            raise ResponseParseError(
                f"{self._operation}: the listing goes on past {self._limit} pages (pages)",
                address=self._address,
            )

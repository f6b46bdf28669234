"""Sending signed requests: bounded retries, typed errors, every attempt through one driver.

The transport signs, counts and retries; the driver (`loop.Driver`: one event loop on a thread
of its own, h11-framed keep-alive connections, proxies from the environment) sends. Callers on
any thread hand it a call written as steps and wait (`run`, `send`), or many at once
(`run_many`). Every attempt is signed afresh (the signature carries the time); credentials that
need refreshing are fetched off the loop (an `Offload`: an STS call or an MFA prompt never
stalls the reads in flight). What is retried: HTTP 500/502/503/504 and 429, throttling and
``SlowDown`` codes, ``RequestTimeout``/``InternalError``, and connection failures (refused,
reset, timed out). Any other 4xx is final on the first answer, and so is an answer past one of
the bounds (`limits.Bounds`: its head, its size, its deadline). Waits are capped exponential
backoff with full jitter, raised to a server's ``Retry-After``; sleep and jitter are injected so
tests run instantly. certifi's CA bundle is the default; ``~/.netrc`` is never read.

No value of a header is ever put in a message: a header that would carry a line break or a
character that is not ASCII (a region or a token from somewhere odd) is refused by name before
anything is sent. One debug log line per attempt: method, path and query, status, milliseconds,
request id, attempt. Never a header value, a body, a key or a signature.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

import certifi

from reconciler.aws import limits
from reconciler.aws.concurrency import AdaptiveLimit
from reconciler.aws.config import RetryPolicy, Timeouts
from reconciler.aws.connections import Answer
from reconciler.aws.credentials.provider import CredentialProvider, StaticProvider
from reconciler.aws.exchange import (
    Request,
    Response,
    host_of,
    is_retryable,
    is_throttling,
    parse_error,
    request_id_of,
    retry_after,
)
from reconciler.aws.limits import DEFAULT_BOUNDS, Bounds, Settings
from reconciler.aws.loop import DeadlinePassed, Driver
from reconciler.aws.signing import (
    UNSIGNED_PAYLOAD,
    Clock,
    Credentials,
    SigV4Signer,
    payload_sha256,
    utc_now,
)
from reconciler.aws.steps import Exchange, Offload, Outcome, Pause, Steps, Task
from reconciler.errors import CredentialsError, RequestError, TransportError

T = TypeVar("T")

log = logging.getLogger("reconciler.aws")

__all__ = ["Request", "Response", "Transport", "host_of"]


class Transport:
    """Signs, sends and retries. Thread-safe: one instance serves the whole worker pool."""

    def __init__(
        self,
        *,
        credentials: Credentials | CredentialProvider | None,
        pool_size: int = 16,
        timeouts: Timeouts = Timeouts(),
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        clock: Clock = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
        ca_bundle: str | None = None,
        bounds: Bounds = DEFAULT_BOUNDS,
        driver: Driver | None = None,
    ) -> None:
        self._provider: CredentialProvider | None = (
            StaticProvider(credentials) if isinstance(credentials, Credentials) else credentials
        )
        self._timeouts = timeouts
        self._retry = retry
        self._sleep = sleep
        self._jitter = jitter
        self._clock = clock
        self._monotonic = monotonic
        self._signers: dict[str, SigV4Signer] = {}
        self._pool_size = max(pool_size, 1)
        self.bounds = bounds
        self._settings = Settings(
            timeouts.connect, timeouts.read, ca_bundle or certifi.where(), bounds
        )
        #: The driver of every request; this transport's own unless one is shared with it.
        self._owns_driver = driver is None
        self._driver = driver or Driver(
            size=self._pool_size, pause=None if sleep is time.sleep else _pausing(sleep)
        )
        self._limits: dict[str, AdaptiveLimit] = {}
        self._lock = threading.Lock()
        self._sent = 0
        self._writes = 0

    @property
    def requests_sent(self) -> int:
        """HTTP requests sent so far, retries included."""
        return self._sent

    @property
    def writes_sent(self) -> int:
        """Requests sent that may change something (any method but GET and HEAD)."""
        return self._writes

    @property
    def credentials(self) -> Credentials:
        """The credentials the next request is signed with (refreshed when they near expiry)."""
        if self._provider is None:
            raise CredentialsError("this transport sends unsigned requests only")
        return self._provider.get()

    def signer(self, service: str) -> SigV4Signer:
        signer = self._signers.get(service)
        if signer is None:
            signer = self._signers[service] = SigV4Signer(service=service, clock=self._clock)
        return signer

    @property
    def driver(self) -> Driver:
        return self._driver

    def close(self) -> None:
        if self._owns_driver:
            self._driver.close()

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def provider(self) -> CredentialProvider | None:
        """What the requests are signed with (``None``: unsigned requests only)."""
        return self._provider

    def _usable(self) -> Credentials | None:
        """The credentials to sign with now, if that needs no waiting (`Offload` otherwise)."""
        provider = self._provider
        if provider is None:
            raise CredentialsError("this transport sends unsigned requests only")
        return provider.usable()

    def _headers(self, request: Request, credentials: Credentials | None) -> dict[str, str]:
        """The headers of one attempt: signed afresh (the signature carries the time) and
        checked: a line break or a character that is not ASCII is refused by the header's
        name (its value may be a secret)."""
        headers = dict(request.headers)
        if credentials is not None:
            payload = UNSIGNED_PAYLOAD if request.unsigned_payload else payload_sha256(request.body)
            headers.update(
                self.signer(request.service).sign(
                    credentials=credentials,
                    region=request.region,
                    method=request.method,
                    host=host_of(request.root),
                    path=request.path,
                    query=request.query,
                    headers=headers,
                    payload_hash=payload,
                    content_sha256_header=request.service == "s3",
                )
            )
        _check_headers(request, headers)
        # (steps run on the driver's one thread: the counts need no lock)
        self._sent += 1
        if request.method not in ("GET", "HEAD"):
            self._writes += 1
        return headers

    def failed(self, request: Request, outcome: Outcome, attempt: int) -> TransportError:
        """No answer to one attempt: the error said in words (and logged at debug)."""
        failure = outcome.failure
        assert failure is not None
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s -> %s after %.0f ms (attempt %d)", request.describe(), failure.kind,
                      outcome.seconds * 1000, attempt)  # fmt: skip
        why = failure.why
        if failure.final:
            why = f"{why}: {self._bound_named(failure.kind)}"
        error = TransportError(
            f"{request.operation}: no answer from {request.root} ({why})",
            address=request.subject,
        )
        error.__cause__ = failure
        return error

    def _bound_named(self, kind: str) -> str:
        """Which setting bounds what a final failure exceeded."""
        return {
            "Deadline": f"exchange_seconds = {self.bounds.exchange_seconds:g}",
            "HeadTooLarge": f"head_bytes = {self.bounds.head_bytes}",
            "AnswerTooLarge": "the answer size bound",
        }.get(kind, "not retried")

    def answered(self, request: Request, outcome: Outcome, attempt: int) -> Response:
        """The answer to one attempt, as a `Response` (logged at debug)."""
        answer: Answer | None = outcome.answer
        assert answer is not None
        response = Response(
            answer.status, answer.headers, answer.body, request_id_of(answer.headers), request.root
        )
        if log.isEnabledFor(logging.DEBUG):  # (describing a request costs: only when shown)
            log.debug(
                "%s -> %d in %.0f ms (request id %s, attempt %d)",
                request.describe(),
                response.status,
                outcome.seconds * 1000,
                response.request_id or "-",
                attempt,
            )
        return response

    def limit_for(self, root: str) -> AdaptiveLimit:
        """The adaptive concurrency limit of one endpoint (``--parallelism`` its ceiling)."""
        with self._lock:
            found = self._limits.get(root)
            if found is None:
                found = self._limits[root] = AdaptiveLimit(self._pool_size)
        return found

    def sending(self, request: Request, *, retry: RetryPolicy | None = None) -> Steps[Response]:
        """``request`` sent with retries (the transport's policy, or ``retry`` for a service
        that asks for more patience), as steps: a 2xx (or 304) response, or a typed error. A
        throttling answer halves the endpoint's concurrency; successes grow it back
        (`AdaptiveLimit`)."""
        policy = retry or self._retry
        limit = max(policy.max_attempts, 1)
        adaptive = self.limit_for(request.root)
        for attempt in range(1, limit + 1):
            credentials = None
            if request.signed:
                credentials = self._usable()
                if credentials is None:  # a refresh that must be waited for: off the loop
                    credentials = yield Offload(self.credentials_now)
            headers = self._headers(request, credentials)
            outcome: Outcome = yield Exchange(request, attempt, adaptive, headers, self._settings)
            if outcome.answer is None:
                failed = self.failed(request, outcome, attempt)
                assert outcome.failure is not None
                if attempt == limit or outcome.failure.final:
                    raise failed
                yield Pause(policy.backoff(attempt, self._jitter()))
                continue
            response = self.answered(request, outcome, attempt)
            if response.status < 300 or response.status == 304:
                adaptive.succeeded()
                return response
            error = parse_error(response, request)
            if is_throttling(error):
                adaptive.throttled(outcome.epoch)
            else:
                adaptive.succeeded()  # an answer, if not a happy one: the endpoint copes
            if attempt == limit or not is_retryable(error):
                raise error
            wait = policy.backoff(attempt, self._jitter())
            hinted = retry_after(response.headers.get("retry-after"), self._clock())
            if hinted is not None:
                wait = min(max(wait, hinted), policy.max_delay)
            yield Pause(wait)
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def credentials_now(self) -> Credentials:
        """The credentials, waiting for a refresh if need be (on a thread, never the loop)."""
        return self.credentials

    def run(self, steps: Steps[T]) -> T:
        """Run one call's steps on the driver; this thread waits for the result. Inside a
        credential fetch (`limits.within`), the call is given up when the fetch's time is
        spent."""
        deadline = limits.remaining()
        if deadline is None:
            return self._driver.run(steps)
        seconds, what = deadline
        try:
            return self._driver.run(steps, within=max(seconds, 0.0))
        except DeadlinePassed:
            raise TransportError(
                f"{what}: no credentials within {self.bounds.credential_seconds:g} s "
                "(credential_seconds)"
            ) from None

    def send(self, request: Request) -> Response:
        """Send with retries (`sending`); this thread waits for the answer."""
        return self.run(self.sending(request))

    def run_many(
        self,
        tasks: list[Task],
        *,
        parallelism: int,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        """Run many calls at once on the driver, at most ``parallelism`` under way; the first
        error stops the rest and is raised."""
        self._driver.run_many(tasks, parallelism=parallelism, progress=progress)


def _pausing(sleep: Callable[[float], None]) -> Callable[[float], Awaitable[None]]:
    """A test's injected ``sleep`` (which records, and must not block), as the driver's pause."""

    async def pause(seconds: float) -> None:
        sleep(seconds)

    return pause


def _check_headers(request: Request, headers: Mapping[str, str]) -> None:
    every = "".join(headers) + "".join(headers.values())
    if every.isascii() and "\r" not in every and "\n" not in every:
        return
    for name, value in headers.items():
        if not (value.isascii() and name.isascii()) or "\r" in value or "\n" in value:
            raise RequestError(
                f"{request.operation}: the request to {request.root} would carry a line break "
                f"or a character that is not ASCII in its {name} header; nothing was sent",
                address=request.subject,
            )

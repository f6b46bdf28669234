"""Sending signed requests: pooled connections, bounded retries, typed errors.

Connections are `connections.Connections` (keep-alive ``http.client`` connections per endpoint)
or, where the environment names a proxy, `proxied.ProxiedConnections` (urllib3's proxy manager);
their failures become `TransportError` here and never leave. Profiles of a plan showed first
about a fifth of the client's CPU time in ``requests``' per-request machinery (merging session
and environment settings, cookie handling, hooks, re-preparing the URL), then, with 32 threads,
urllib3's pool costing as much CPU per request as the HTTP exchange itself (0.63 ms against
0.37 ms for ``http.client`` alone): a signed API call needs none of it. ``requests`` still tells
the proxies for an endpoint (``HTTPS_PROXY``, ``NO_PROXY``, ...), and certifi's CA bundle is the
default; ``~/.netrc`` is never read (its Basic auth would replace the
SigV4 ``Authorization`` header). Every attempt is signed afresh (the signature carries the
time). What is retried: HTTP 500/502/503/504 and 429, throttling and ``SlowDown`` codes,
``RequestTimeout``/``InternalError``, and connection failures (refused, reset, timed out). Any
other 4xx is final on the first answer. Waits are capped exponential backoff with full jitter,
raised to a server's ``Retry-After``; sleep and jitter are injected so tests run instantly.

One debug log line per attempt: method, path and query, status, milliseconds, request id,
attempt. Never a header value, a body, a key or a signature.
"""

from __future__ import annotations

import email.utils
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import certifi

from reconciler import xmlcodec as xml
from reconciler.aws import iam
from reconciler.aws.concurrency import AdaptiveLimit
from reconciler.aws.config import RetryPolicy, Timeouts
from reconciler.aws.connections import ConnectionFailure, Connections

if TYPE_CHECKING:
    from reconciler.aws.proxied import ProxiedConnections
from reconciler.aws.credentials.provider import CredentialProvider, StaticProvider
from reconciler.aws.signing import (
    UNSIGNED_PAYLOAD,
    Clock,
    Credentials,
    SigV4Signer,
    canonical_query,
    payload_sha256,
    utc_now,
)
from reconciler.errors import (
    ApiError,
    CredentialsError,
    ServerError,
    Throttled,
    TransportError,
    api_error,
)

log = logging.getLogger("reconciler.aws")

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
_REDACTED_QUERY = frozenset(
    {"x-amz-signature", "x-amz-credential", "x-amz-security-token", "signature"}
)


@dataclass(frozen=True)
class Request:
    """One API call, before signing.

    ``root`` is ``scheme://host[:port]``; ``path`` is already percent-encoded (S3 keys are
    encoded once by the caller); ``query`` holds decoded names and values. ``operation`` and
    ``address`` only serve messages.
    """

    service: str
    region: str
    method: str
    root: str
    path: str
    operation: str
    query: tuple[tuple[str, str], ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    bucket: str | None = None
    address: str | None = None
    unsigned_payload: bool = False
    #: The IAM actions the call is authorized as, when the caller knows them (a bucket aspect's
    #: unit states its own); otherwise `iam.OPERATIONS` tells by the operation's name.
    actions: tuple[str, ...] = ()
    #: ``False`` for the few calls that carry no signature (web identity, SSO, container and
    #: instance credential endpoints): they prove who is asking in another way.
    signed: bool = True

    @property
    def subject(self) -> str | None:
        """The resource address messages name: the given one, else the bucket's."""
        if self.address:
            return self.address
        return f"bucket.{self.bucket}" if self.bucket else None

    @property
    def url(self) -> str:
        return f"{self.root}{self.target}"

    @property
    def target(self) -> str:
        """The path and query, as the request line carries them."""
        query = canonical_query(self.query)
        return self.path + (f"?{query}" if query else "")

    def describe(self) -> str:
        """Method, path and query for logs, with any signing parameter redacted."""
        shown = [
            (name, "REDACTED" if name.lower() in _REDACTED_QUERY else value)
            for name, value in self.query
        ]
        query = canonical_query(shown)
        return f"{self.method} {self.path}" + (f"?{query}" if query else "")


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes
    request_id: str | None
    #: ``scheme://host[:port]`` it came from, for messages about an endpoint that is not AWS.
    root: str = ""


def host_of(root: str) -> str:
    """The Host header for a URL root: the port only when it is not the scheme's default."""
    parts = urlsplit(root)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    if parts.port is not None and parts.port == default:
        return parts.hostname or parts.netloc
    return parts.netloc


def _retry_after(value: str | None, now: datetime) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def _request_id(headers: Mapping[str, str]) -> str | None:
    return headers.get("x-amz-request-id") or headers.get("x-amzn-requestid")


def parse_error(response: Response, request: Request) -> ApiError:
    """The typed error for a failed response, from S3's ``<Error>`` or CloudFront's
    ``<ErrorResponse><Error>`` body, or from the status alone (HEAD answers have no body)."""
    code = message = region = None
    request_id = response.request_id
    body = response.body.strip()
    if body.startswith(b"<"):
        root = xml.parse(
            body,
            what=request.operation,
            address=request.subject,
            source=f"{request.root} (HTTP {response.status})",
        )
        error = root if root.tag == "Error" else root.find("Error")
        if error is not None:
            code = xml.text(error, "Code")
            message = xml.text(error, "Message")
            region = xml.text(error, "Region")
            request_id = request_id or xml.text(error, "RequestId")
        request_id = request_id or xml.text(root, "RequestId")
    region = region or response.headers.get("x-amz-bucket-region")
    status = response.status
    if not code:
        code = {
            301: "PermanentRedirect",
            307: "TemporaryRedirect",
            403: "AccessDenied",
            404: "NotFound",
            412: "PreconditionFailed",
        }.get(status) or f"Http{status}"
    if not message:
        try:
            message = HTTPStatus(status).phrase
        except ValueError:
            message = f"HTTP {status}"
    if status == 403 and code in ("AccessDenied", "AccessDeniedException"):
        hint = iam.refused(request.operation, request.bucket, request.actions)
        if hint:
            message = f"{message} ({hint})"
    return api_error(
        code=code,
        message=f"{request.operation}: {message}",
        status=status,
        request_id=request_id,
        bucket=request.bucket,
        address=request.subject,
        region=region,
        service=request.service,
    )


def is_retryable(error: ApiError) -> bool:
    return isinstance(error, Throttled | ServerError) or error.status in RETRYABLE_STATUS


def is_throttling(error: ApiError) -> bool:
    """An answer that asks to send less at once: SlowDown and the like, 429, 503."""
    return isinstance(error, Throttled) or error.status in (429, 503)


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
        self._via_proxy: dict[str, ProxiedConnections] = {}
        self._proxy_of: dict[str, str | None] = {}
        #: Per endpoint without a proxy, its keep-alive connections (`connections`).
        self._pools: dict[str, Connections] = {}
        self._ca_certs = ca_bundle or certifi.where()
        self._pool_size = max(pool_size, 1)
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

    def close(self) -> None:
        for pool in self._pools.values():
            pool.close()
        for manager in self._via_proxy.values():
            manager.close()

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _signed_headers(self, request: Request) -> dict[str, str]:
        headers = dict(request.headers)
        if not request.signed:
            return headers
        payload = UNSIGNED_PAYLOAD if request.unsigned_payload else payload_sha256(request.body)
        headers.update(
            self.signer(request.service).sign(
                credentials=self.credentials,
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
        return headers

    def _pool_for(self, root: str) -> Connections | ProxiedConnections:
        """The connections to ``root``: its own, or the manager of the proxy the environment
        names for it (both looked up once per endpoint)."""
        pool = self._pools.get(root)
        if pool is not None:
            return pool
        if root not in self._proxy_of:
            self._proxy_of[root] = _environ_proxy(root)
        proxy = self._proxy_of[root]
        with self._lock:
            if proxy is None:
                pool = self._pools.get(root)
                if pool is None:
                    pool = self._pools[root] = Connections(
                        root,
                        connect=self._timeouts.connect,
                        read=self._timeouts.read,
                        size=self._pool_size,
                        ca_certs=self._ca_certs,
                    )
                return pool
            manager = self._via_proxy.get(proxy)
            if manager is None:
                from reconciler.aws.proxied import ProxiedConnections  # noqa: PLC0415

                manager = self._via_proxy[proxy] = ProxiedConnections(
                    proxy,
                    connect=self._timeouts.connect,
                    read=self._timeouts.read,
                    size=self._pool_size,
                    ca_certs=self._ca_certs,
                )
        return manager

    def _attempt(self, request: Request, attempt: int) -> Response:
        headers = self._signed_headers(request)
        started = self._monotonic()
        with self._lock:
            self._sent += 1
            if request.method not in ("GET", "HEAD"):
                self._writes += 1
        connections = self._pool_for(request.root)
        # its own connections take the path; a proxy, the whole URL
        target = request.target if isinstance(connections, Connections) else request.url
        try:
            answer = connections.request(
                request.method, target, body=request.body or None, headers=headers
            )
        except ConnectionFailure as exc:
            kind, why = exc.kind, exc.why
            if log.isEnabledFor(logging.DEBUG):
                elapsed = (self._monotonic() - started) * 1000
                log.debug(
                    "%s -> %s after %.0f ms (attempt %d)",
                    request.describe(),
                    kind,
                    elapsed,
                    attempt,
                )
            raise TransportError(
                f"{request.operation}: no answer from {request.root} ({why})",
                address=request.subject,
            ) from exc
        response = Response(
            answer.status, answer.headers, answer.body, _request_id(answer.headers), request.root
        )
        if log.isEnabledFor(logging.DEBUG):  # (describing a request costs: only when shown)
            log.debug(
                "%s -> %d in %.0f ms (request id %s, attempt %d)",
                request.describe(),
                response.status,
                (self._monotonic() - started) * 1000,
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

    def send(self, request: Request) -> Response:
        """Send with retries; a 2xx (or 304) response, or a typed error. A throttling answer
        halves the endpoint's concurrency; successes grow it back (`AdaptiveLimit`)."""
        limit = max(self._retry.max_attempts, 1)
        adaptive = self.limit_for(request.root)
        for attempt in range(1, limit + 1):
            with adaptive.slot() as epoch:
                try:
                    response = self._attempt(request, attempt)
                except TransportError:
                    if attempt == limit:
                        raise
                    response = None
                if response is not None and (response.status < 300 or response.status == 304):
                    adaptive.succeeded()
                    return response
                error = parse_error(response, request) if response is not None else None
                if error is not None and is_throttling(error):
                    adaptive.throttled(epoch)
                elif error is not None:
                    adaptive.succeeded()  # an answer, if not a happy one: the endpoint copes
            # (the wait before a retry holds no slot)
            if response is None or error is None:
                self._sleep(self._retry.backoff(attempt, self._jitter()))
                continue
            if attempt == limit or not is_retryable(error):
                raise error
            wait = self._retry.backoff(attempt, self._jitter())
            hinted = _retry_after(response.headers.get("retry-after"), self._clock())
            if hinted is not None:
                wait = min(max(wait, hinted), self._retry.max_delay)
            self._sleep(wait)
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover


_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy")


def _environ_proxy(root: str) -> str | None:
    """The proxy the environment names for ``root``; the proxy machinery (requests, urllib3)
    is only imported where a proxy variable is set."""
    if not any(name.lower() in _PROXY_VARIABLES for name in os.environ):
        return None
    from reconciler.aws.proxied import environ_proxy  # noqa: PLC0415

    return environ_proxy(root)

"""Sending signed requests: pooled connections, bounded retries, typed errors.

This is the only module that touches the HTTP library, and its exceptions are turned into
`TransportError` here and never leave. Requests go straight to the connection pools of urllib3
(the library ``requests`` is built on): a profile of a plan showed about a fifth of the client's
CPU time in ``requests``' per-request machinery (merging session and environment settings,
cookie handling, hooks, re-preparing the URL) that a signed API call needs none of. ``requests``
still tells the proxies for an endpoint (``HTTPS_PROXY``, ``NO_PROXY``, ...), once per endpoint,
and its CA bundle is the default; ``~/.netrc`` is never read (its Basic auth would replace the
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
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from urllib.parse import urlsplit

import certifi
import requests.utils
import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    NewConnectionError,
    ReadTimeoutError,
    SSLError,
)
from urllib3.exceptions import HTTPError as HttpLibraryError

from reconciler import xmlcodec as xml
from reconciler.aws import iam
from reconciler.aws.concurrency import AdaptiveLimit
from reconciler.aws.config import RetryPolicy, Timeouts
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
        query = canonical_query(self.query)
        return f"{self.root}{self.path}" + (f"?{query}" if query else "")

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
        self._pool_options: dict[str, object] = {
            "num_pools": 8,
            "maxsize": max(pool_size, 1),
            "retries": False,
            "cert_reqs": "CERT_REQUIRED",
            "ca_certs": ca_bundle or certifi.where(),
        }
        self._direct = urllib3.PoolManager(**self._pool_options)  # type: ignore[arg-type]
        self._via_proxy: dict[str, urllib3.ProxyManager] = {}
        self._proxy_of: dict[str, str | None] = {}
        self._timeout = urllib3.Timeout(connect=timeouts.connect, read=timeouts.read)
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
        self._direct.clear()
        for manager in self._via_proxy.values():
            manager.clear()

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

    def _pool_for(self, root: str) -> urllib3.PoolManager:
        """The connections to ``root``: direct, or through the proxy the environment names
        for it (looked up once per endpoint)."""
        if root not in self._proxy_of:
            proxies = requests.utils.get_environ_proxies(root)
            scheme = urlsplit(root).scheme
            self._proxy_of[root] = proxies.get(scheme) or proxies.get("all")
        proxy = self._proxy_of[root]
        if proxy is None:
            return self._direct
        with self._lock:
            manager = self._via_proxy.get(proxy)
            if manager is None:
                manager = self._via_proxy[proxy] = urllib3.ProxyManager(
                    proxy,
                    **self._pool_options,  # type: ignore[arg-type]
                )
        return manager

    def _attempt(self, request: Request, attempt: int) -> Response:
        headers = self._signed_headers(request)
        started = self._monotonic()
        with self._lock:
            self._sent += 1
            if request.method not in ("GET", "HEAD"):
                self._writes += 1
        try:
            raw = self._pool_for(request.root).urlopen(
                request.method,
                request.url,
                body=request.body or None,
                headers=headers,
                redirect=False,
                retries=False,
                timeout=self._timeout,
                preload_content=True,
            )
        except HttpLibraryError as exc:
            kind, why = _failure(exc)
            elapsed = (self._monotonic() - started) * 1000
            log.debug(
                "%s -> %s after %.0f ms (attempt %d)", request.describe(), kind, elapsed, attempt
            )
            raise TransportError(
                f"{request.operation}: no answer from {request.root} ({why})",
                address=request.subject,
            ) from exc
        response_headers: Mapping[str, str] = raw.headers
        response = Response(
            raw.status, response_headers, raw.data, _request_id(response_headers), request.root
        )
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


def _failure(exc: HttpLibraryError) -> tuple[str, str]:
    """What kind of failure it was (for the debug log), and why, in words."""
    if isinstance(exc, SSLError):
        return "SSLError", (
            "the TLS certificate is not trusted: for a private CA set AWS_CA_BUNDLE or the "
            "profile's ca_bundle"
        )
    if isinstance(exc, NewConnectionError):  # (a subclass of ConnectTimeoutError: first)
        return "ConnectionError", "connection failed or was refused"
    if isinstance(exc, ConnectTimeoutError):
        return "ConnectTimeout", "connection timed out"
    if isinstance(exc, ReadTimeoutError):
        return "ReadTimeout", "read timed out"
    return "ConnectionError", "connection failed or was reset"

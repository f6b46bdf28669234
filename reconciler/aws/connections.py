"""What every connection shares: an answer, a failure to get one (said in words), the idle
budget over every endpoint, and an endpoint's host, port and TLS settings.

TLS verifies the server's certificate and host name against the CA bundle given (certifi's, or
``AWS_CA_BUNDLE`` / the profile's ``ca_bundle``), one context per bundle.
"""

from __future__ import annotations

import ssl
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit


class ConnectionFailure(Exception):
    """No answer: ``kind`` for the debug log, ``why`` in words for the message; ``final``: a
    bound the endpoint exceeded, not worth another attempt."""

    def __init__(self, kind: str, why: str, *, final: bool = False) -> None:
        super().__init__(why)
        self.kind = kind
        self.why = why
        self.final = final


class IdleBudget:
    """How many idle connections are kept open over every endpoint: at most ``limit``; beyond
    it, the one idle longest is closed. On AWS each bucket is its own host (virtual-hosted
    addressing), so its own pool: a thousand buckets would otherwise leave thousands of idle
    sockets open (past a process's file limit). Thread-safe; ``evict`` callbacks run outside
    its lock."""

    def __init__(self, limit: int) -> None:
        self.limit = max(limit, 1)
        self._idle: OrderedDict[object, Callable[[], None]] = OrderedDict()
        self._lock = threading.Lock()

    def parked(self, connection: object, evict: Callable[[], None]) -> None:
        """``connection`` went idle; ``evict`` closes it if it is still idle then."""
        with self._lock:
            self._idle[connection] = evict
            victims = [
                self._idle.popitem(last=False)[1] for _ in range(len(self._idle) - self.limit)
            ]
        for victim in victims:
            victim()

    def taken(self, connection: object) -> None:
        """``connection`` is in use again (or closed)."""
        with self._lock:
            self._idle.pop(connection, None)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes


def endpoint_of(root: str, ca_certs: str | None) -> tuple[str, int, ssl.SSLContext | None]:
    """Host, port and TLS settings (``None``: plain HTTP) of ``scheme://host[:port]``."""
    parts = urlsplit(root)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    return parts.hostname or "", port, tls_context(ca_certs) if https else None


@lru_cache(maxsize=8)
def tls_context(ca_certs: str | None) -> ssl.SSLContext:
    """The TLS settings for a CA bundle, made once: loading a bundle costs about 20 ms, and on
    AWS each bucket is its own host (virtual-hosted addressing), so its own pool of
    connections. A context is safe to share between threads and connections."""
    return ssl.create_default_context(cafile=ca_certs)


def connect_failure(exc: BaseException) -> ConnectionFailure:
    """A connection that could not be opened, said in words (TLS, timeout, refused)."""
    if isinstance(exc, ssl.SSLError):
        return ConnectionFailure(
            "SSLError",
            "the TLS certificate is not trusted: for a private CA set AWS_CA_BUNDLE or the "
            "profile's ca_bundle",
        )
    if isinstance(exc, TimeoutError):
        return ConnectionFailure("ConnectTimeout", "connection timed out")
    return ConnectionFailure("ConnectionError", "connection failed or was refused")

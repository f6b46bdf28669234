"""Keep-alive connections to one endpoint, on the standard library's ``http.client``.

Measured on the plan's hot path (tens of threads, thousands of small answers), urllib3's pool
costs about as much CPU per request as the HTTP exchange itself: its pool queue, URL parsing,
pool-key normalisation and per-request bookkeeping (`bench/bench_plan_latency.py`; the figures are
in the docs). A direct endpoint needs none of it: one lock-protected stack of idle connections,
reused while the server keeps them open. Endpoints reached through a proxy keep urllib3's
``ProxyManager`` (tunnels, proxy authentication).

TLS verifies the server's certificate and host name against the CA bundle given (certifi's, or
``AWS_CA_BUNDLE`` / the profile's ``ca_bundle``). A request on a reused connection that the
server closed meanwhile is sent once more on a new one: nothing was answered, so nothing ran.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

#: What a connection the server closed while it sat idle fails with, when reused.
_STALE = (
    http.client.RemoteDisconnected,
    http.client.BadStatusLine,
    ConnectionResetError,
    BrokenPipeError,
    ConnectionAbortedError,
)


class ConnectionFailure(Exception):
    """No answer: ``kind`` for the debug log, ``why`` in words for the message."""

    def __init__(self, kind: str, why: str) -> None:
        super().__init__(why)
        self.kind = kind
        self.why = why


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


class Connections:
    """Up to ``size`` idle keep-alive connections to ``root`` (``scheme://host[:port]``);
    thread-safe. ``connect`` and ``read`` are the timeouts in seconds."""

    def __init__(
        self,
        root: str,
        *,
        connect: float,
        read: float,
        size: int,
        ca_certs: str | None = None,
        budget: IdleBudget | None = None,
    ) -> None:
        self._host, self._port, self._context = endpoint_of(root, ca_certs)
        self._budget = budget if budget is not None else IdleBudget(size)
        self._connect = connect
        self._read = read
        self._size = max(size, 1)
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def _new(self) -> http.client.HTTPConnection:
        if self._context is not None:
            return http.client.HTTPSConnection(
                self._host, self._port, timeout=self._connect, context=self._context
            )
        return http.client.HTTPConnection(self._host, self._port, timeout=self._connect)

    def _take(self) -> tuple[http.client.HTTPConnection, bool]:
        with self._lock:
            connection = self._idle.pop() if self._idle else None
        if connection is None:
            return self._new(), False
        self._budget.taken(connection)
        return connection, True

    def _give_back(self, connection: http.client.HTTPConnection) -> None:
        with self._lock:
            kept = len(self._idle) < self._size
            if kept:
                self._idle.append(connection)
        if kept:
            self._budget.parked(connection, lambda: self._evict(connection))
        else:
            connection.close()

    def _evict(self, connection: http.client.HTTPConnection) -> None:
        with self._lock:
            if connection not in self._idle:
                return  # taken meanwhile: in use, not idle
            self._idle.remove(connection)
        connection.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            self._budget.taken(connection)
            connection.close()

    def request(
        self, method: str, target: str, *, body: bytes | None, headers: Mapping[str, str]
    ) -> Answer:
        """One exchange: the status, headers and whole body, or `ConnectionFailure`."""
        connection, reused = self._take()
        try:
            return self._exchange(connection, method, target, body, headers)
        except _STALE as exc:
            connection.close()
            if not reused:
                raise ConnectionFailure(
                    "ConnectionError", "connection failed or was reset"
                ) from exc
        except BaseException:
            connection.close()
            raise
        # The server closed the idle connection before this request reached it: once more,
        # on a new connection.
        connection = self._new()
        try:
            return self._exchange(connection, method, target, body, headers)
        except _STALE:
            connection.close()
            raise ConnectionFailure("ConnectionError", "connection failed or was reset") from None
        except BaseException:
            connection.close()
            raise

    def _exchange(
        self,
        connection: http.client.HTTPConnection,
        method: str,
        target: str,
        body: bytes | None,
        headers: Mapping[str, str],
    ) -> Answer:
        if connection.sock is None:
            _connect(connection)
            sock: socket.socket = connection.sock  # type: ignore[assignment]
            sock.settimeout(self._read)
        try:
            connection.request(method, target, body=body, headers=dict(headers))
            response = connection.getresponse()
            data = response.read()
        except _STALE:
            raise
        except TimeoutError as exc:
            raise ConnectionFailure("ReadTimeout", "read timed out") from exc
        except (OSError, http.client.HTTPException) as exc:
            raise ConnectionFailure("ConnectionError", "connection failed or was reset") from exc
        if response.will_close:
            connection.close()
        else:
            self._give_back(connection)
        # (HTTPMessage: a case-insensitive mapping, as the transport reads headers)
        headers_read: Mapping[str, str] = response.headers  # type: ignore[assignment]
        return Answer(response.status, headers_read, data)


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


def _connect(connection: http.client.HTTPConnection) -> None:
    """Open the connection, with the failure said in words."""
    try:
        connection.connect()
    except (OSError, socket.gaierror) as exc:
        raise connect_failure(exc) from exc


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

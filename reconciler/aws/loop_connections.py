"""Keep-alive HTTP/1.1 connections to one endpoint on the event loop (`wire.Wire`, framed by
h11), directly or through the proxy the environment names (`proxies`): HTTPS in a ``CONNECT``
tunnel, plain HTTP in absolute form.

Timeouts and bounds: ``connect`` for opening (TLS and the tunnel included); ``read`` for silence
while an answer is awaited, and the exchange's deadline for the whole of it, both looked for by
one sweep every quarter of the read timeout (at most every second; not a timer per request:
thousands of timers cost more than the sweep). TLS verifies the certificate and host name
against the CA bundle given. A request on a reused connection that the server closed before
answering anything is sent once more on a new one: nothing was answered, so nothing ran.
"""

from __future__ import annotations

import asyncio
import ssl

import h11

from reconciler.aws.connections import (
    Answer,
    ConnectionFailure,
    IdleBudget,
    connect_failure,
    endpoint_of,
)
from reconciler.aws.exchange import host_of
from reconciler.aws.proxies import Proxy
from reconciler.aws.wire import Closed, Wire

Headers = list[tuple[bytes, bytes]]


class LoopConnections:
    """Up to ``size`` idle keep-alive connections to ``root`` (``scheme://host[:port]``) on the
    running event loop, through ``proxy`` when one is given."""

    def __init__(
        self,
        root: str,
        *,
        connect: float,
        read: float,
        size: int,
        ca_certs: str | None = None,
        budget: IdleBudget | None = None,
        proxy: Proxy | None = None,
        head_bytes: int = 64 * 1024,
    ) -> None:
        self.root = root
        self._host, self._port, self._context = endpoint_of(root, ca_certs)
        self.host_header = host_of(root).encode("ascii")
        self._budget = budget if budget is not None else IdleBudget(size)
        self._connect = connect
        self._read = read
        self._size = max(size, 1)
        self._proxy = proxy
        self._head_bytes = head_bytes
        #: Plain HTTP through a proxy: the request line carries the whole URL.
        self.absolute = root.encode("ascii") if proxy is not None and not self._context else b""
        self._idle: list[Wire] = []
        self._busy: set[Wire] = set()
        self._sweeping = False
        self._every = min(max(read / 4, 0.05), 1.0)

    def close(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            self._budget.taken(connection)
            connection.close()

    async def _new(self, deadline: float) -> Wire:
        loop = asyncio.get_running_loop()
        proxy = self._proxy
        host, port = (proxy.host, proxy.port) if proxy else (self._host, self._port)
        direct_tls = self._context if proxy is None else None
        try:
            async with asyncio.timeout(self._connect):
                _, wire = await loop.create_connection(
                    lambda: Wire(loop, self._head_bytes),
                    host,
                    port,
                    ssl=direct_tls,
                    server_hostname=host if direct_tls else None,
                )
                if proxy is not None and self._context is not None:
                    await self._tunnel(wire, proxy, deadline)
        except ConnectionFailure:
            raise
        except (OSError, TimeoutError, ssl.SSLError) as exc:
            raise connect_failure(exc) from exc
        return wire

    async def _tunnel(self, wire: Wire, proxy: Proxy, deadline: float) -> None:
        """``CONNECT`` through the proxy, then TLS with the endpoint inside the tunnel."""
        authority = f"{self._host}:{self._port}".encode("ascii")
        headers = [(b"host", authority)]
        if proxy.authorization:
            headers.append((b"proxy-authorization", proxy.authorization.encode("latin-1")))
        self._busy.add(wire)
        self._start_sweep()
        try:
            answer = await wire.request(
                b"CONNECT", authority, headers, None, limit=self._head_bytes, deadline=deadline
            )
        except Closed as exc:
            raise ConnectionFailure(
                "ProxyError", f"the proxy {proxy.shown} closed the tunnel ({exc})"
            ) from exc
        finally:
            self._busy.discard(wire)
        if not 200 <= answer.status < 300:
            wire.close()
            raise ConnectionFailure(
                "ProxyError",
                f"the proxy {proxy.shown} refused the tunnel to {authority.decode()} "
                f"(HTTP {answer.status})",
                final=answer.status in (403, 407),
            )
        assert wire.transport is not None
        assert self._context is not None
        loop = asyncio.get_running_loop()
        tls = await loop.start_tls(wire.transport, wire, self._context, server_hostname=self._host)
        if tls is None:  # pragma: no cover - the transport closed meanwhile
            raise ConnectionFailure("ProxyError", f"the proxy {proxy.shown} closed the tunnel")
        wire.tunnelled(tls)

    def _take(self) -> Wire | None:
        while self._idle:
            connection = self._idle.pop()
            self._budget.taken(connection)
            if not connection.closed and connection.reusable:
                return connection
        return None

    def _give_back(self, connection: Wire) -> None:
        if connection.reusable and not connection.closed and len(self._idle) < self._size:
            self._idle.append(connection)
            self._budget.parked(connection, lambda: self._evict(connection))
        else:
            connection.close()

    def _evict(self, connection: Wire) -> None:
        if connection in self._idle:
            self._idle.remove(connection)
            connection.close()

    async def request(
        self,
        method: bytes,
        target: bytes,
        headers: Headers,
        body: bytes | None,
        *,
        limit: int,
        deadline: float,
    ) -> Answer:
        """One exchange: the status, headers and whole body, or `ConnectionFailure`."""
        if self.absolute:
            target = self.absolute + target
            if self._proxy is not None and self._proxy.authorization:
                headers = [*headers, (b"proxy-authorization", self._proxy.authorization.encode())]
        connection = self._take()
        if connection is not None:
            try:
                return await self._exchange(
                    connection, method, target, headers, body, limit=limit, deadline=deadline
                )
            except Closed as exc:
                if exc.answered:
                    raise ConnectionFailure("ConnectionError", str(exc)) from exc
            # The server closed the idle connection before this request reached it: once more,
            # on a new connection.
        connection = await self._new(deadline)
        try:
            return await self._exchange(
                connection, method, target, headers, body, limit=limit, deadline=deadline
            )
        except Closed as exc:
            raise ConnectionFailure("ConnectionError", str(exc)) from exc

    async def _exchange(
        self,
        connection: Wire,
        method: bytes,
        target: bytes,
        headers: Headers,
        body: bytes | None,
        *,
        limit: int,
        deadline: float,
    ) -> Answer:
        self._busy.add(connection)
        self._start_sweep()
        try:
            answer = await connection.request(
                method, target, headers, body, limit=limit, deadline=deadline
            )
        except h11.LocalProtocolError as exc:
            connection.abandon()
            raise ConnectionFailure("ProtocolError", f"the request cannot be sent ({exc})") from exc
        except BaseException:
            connection.abandon()
            raise
        finally:
            self._busy.discard(connection)
        self._give_back(connection)
        return answer

    def _start_sweep(self) -> None:
        if not self._sweeping:
            self._sweeping = True
            asyncio.get_running_loop().call_later(self._every, self._sweep)

    def _sweep(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        for connection in list(self._busy):
            connection.check(now, self._read)
        if self._busy:
            loop.call_later(self._every, self._sweep)
        else:
            self._sweeping = False

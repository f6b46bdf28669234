"""Keep-alive HTTP/1.1 connections to one endpoint on an event loop, for `loop.StepRunner`.

The same exchange as `connections.Connections` (a request, then its status, headers and whole
body), without a thread per request in flight: each connection is an ``asyncio.Protocol`` that
parses the answer as it arrives. What an HTTP/1.1 client must honour is honoured: a body sized
by ``Content-Length``, sent in chunks (``Transfer-Encoding: chunked``, trailers skipped) or
running until the server closes; no body for ``HEAD``, 204, 304 and 1xx answers; a connection
the server means to close (``Connection: close``, HTTP/1.0) is not reused. Header names are
given lower-cased (how the transport reads them).

Timeouts: ``connect`` for opening (TLS included), ``read`` for silence while an answer is
awaited (looked for by a sweep every quarter of it, at most every second). TLS verifies the
certificate and host name against the CA bundle given. A request on a reused connection that the
server closed before answering anything is sent once more on a new one, as
`connections.Connections` does.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Mapping

from reconciler.aws.connections import (
    Answer,
    ConnectionFailure,
    IdleBudget,
    connect_failure,
    endpoint_of,
)
from reconciler.aws.exchange import host_of

_NO_BODY_STATUS = frozenset({204, 304})
#: The longest status line plus headers accepted (S3 answers a few hundred bytes).
_MAX_HEAD = 64 * 1024


class _Closed(Exception):
    """The connection ended before a whole answer; ``answered``: whether any of it came."""

    def __init__(self, answered: bool, why: str) -> None:
        super().__init__(why)
        self.answered = answered


class _Malformed(Exception):
    """The bytes received are not an HTTP/1.1 answer."""


class _Protocol(asyncio.Protocol):
    """One connection: one request at a time, its answer parsed as the bytes arrive."""

    def __init__(self, loop: asyncio.AbstractEventLoop, read_timeout: float) -> None:
        self._loop = loop
        self._read_timeout = read_timeout
        self._transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._waiter: asyncio.Future[Answer] | None = None
        self._last = 0.0
        self._head_only = False
        self._status = 0
        self._headers: dict[str, str] | None = None
        self._mode = ""  # "length", "chunked" or "close", once the head is read
        self._need = 0
        self._chunks: list[bytes] = []
        self._received = False
        self.reusable = True
        self.closed = False

    # -- asyncio.Protocol ----------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        if self._waiter is None:  # an answer nobody asked for: this connection is not sane
            self.reusable = False
            self.close()
            return
        self._received = True
        self._last = self._loop.time()
        self._buffer += data
        try:
            self._parse()
        except _Malformed as exc:
            self._fail(ConnectionFailure("ProtocolError", f"malformed answer ({exc})"))

    def eof_received(self) -> bool:
        return False  # close the connection (connection_lost follows)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.reusable = False
        if self._waiter is None or self._waiter.done():
            return
        if self._mode == "close" and self._headers is not None:
            self._finish(bytes(self._buffer))
            return
        why = "connection failed or was reset"
        self._fail(_Closed(self._received, why))

    # -- the exchange --------------------------------------------------------------------------

    def request(self, head: bytes, body: bytes | None, head_only: bool) -> asyncio.Future[Answer]:
        assert self._transport is not None
        assert self._waiter is None
        self._waiter = self._loop.create_future()
        self._head_only = head_only
        self._received = False
        self._last = self._loop.time()
        self._transport.write(head + body if body else head)
        return self._waiter

    def close(self) -> None:
        self.reusable = False
        if self._transport is not None:
            self._transport.close()

    def abandon(self) -> None:
        """The request was given up (cancelled): the connection is closed, never reused."""
        self._waiter = None
        self.close()

    def check_silence(self, now: float) -> None:
        """Fail the request under way if nothing came for the read timeout."""
        if self._waiter is not None and now - self._last >= self._read_timeout:
            self._fail(ConnectionFailure("ReadTimeout", "read timed out"))

    def _fail(self, error: Exception) -> None:
        waiter, self._waiter = self._waiter, None
        self.close()
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)

    def _finish(self, body: bytes) -> None:
        waiter, self._waiter = self._waiter, None
        assert self._headers is not None
        answer = Answer(self._status, self._headers, body)
        self._headers = None
        self._mode = ""
        self._chunks = []
        if self._buffer:  # bytes past the answer: nothing may follow it unasked
            self.reusable = False
        if not self.reusable:
            self.close()
        if waiter is not None and not waiter.done():
            waiter.set_result(answer)

    def _parse(self) -> None:
        if self._headers is None and not self._parse_head():
            return
        if self._mode == "length":
            if len(self._buffer) >= self._need:
                body = bytes(self._buffer[: self._need])
                del self._buffer[: self._need]
                self._finish(body)
        elif self._mode == "chunked":
            self._parse_chunks()

    def _parse_head(self) -> bool:
        while True:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self._buffer) > _MAX_HEAD:
                    raise _Malformed("headers too long")
                return False
            lines = bytes(self._buffer[:end]).decode("latin-1").split("\r\n")
            del self._buffer[: end + 4]
            version, _, rest = lines[0].partition(" ")
            code = rest[:3]
            if not version.startswith("HTTP/1.") or not code.isdigit():
                raise _Malformed(f"status line {lines[0][:40]!r}")
            status = int(code)
            if 100 <= status < 200:
                continue  # an interim answer; the real one follows
            headers: dict[str, str] = {}
            for line in lines[1:]:
                name, colon, value = line.partition(":")
                if not colon:
                    raise _Malformed("a header line without a colon")
                key = name.strip().lower()
                value = value.strip()
                headers[key] = f"{headers[key]}, {value}" if key in headers else value
            self._status, self._headers = status, headers
            tokens = {t.strip().lower() for t in headers.get("connection", "").split(",")}
            if "close" in tokens or (version == "HTTP/1.0" and "keep-alive" not in tokens):
                self.reusable = False
            if self._head_only or status in _NO_BODY_STATUS:
                self._mode, self._need = "length", 0
            elif "chunked" in headers.get("transfer-encoding", "").lower():
                self._mode, self._need = "chunked", -1
            elif "content-length" in headers:
                length = headers["content-length"].split(",")[0].strip()
                if not length.isdigit():
                    raise _Malformed("Content-Length is not a number")
                self._mode, self._need = "length", int(length)
            else:
                self._mode, self.reusable = "close", False
            return True

    def _parse_chunks(self) -> None:
        while True:
            if self._need < 0:  # a chunk's size line, or the trailer after the last chunk
                end = self._buffer.find(b"\r\n")
                if end < 0:
                    return
                line = bytes(self._buffer[:end]).split(b";")[0].strip()
                del self._buffer[: end + 2]
                if self._need == -2:  # trailer lines, until an empty one
                    if not line:
                        self._finish(b"".join(self._chunks))
                        return
                    continue
                try:
                    size = int(line, 16)
                except ValueError:
                    raise _Malformed("a chunk size that is not hexadecimal") from None
                self._need = size if size else -2
                continue
            if len(self._buffer) < self._need + 2:
                return
            self._chunks.append(bytes(self._buffer[: self._need]))
            del self._buffer[: self._need + 2]
            self._need = -1


class LoopConnections:
    """Up to ``size`` idle keep-alive connections to ``root`` (``scheme://host[:port]``) on the
    running event loop; ``connect`` and ``read`` are the timeouts in seconds."""

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
        self._host_header = host_of(root)
        self._budget = budget if budget is not None else IdleBudget(size)
        self._connect = connect
        self._read = read
        self._size = max(size, 1)
        self._idle: list[_Protocol] = []
        #: Connections awaiting an answer, looked at by one sweep for silence (not a timer per
        #: request: thousands of timers cost more than the sweep).
        self._busy: set[_Protocol] = set()
        self._sweeping = False
        self._every = min(max(read / 4, 0.05), 1.0)

    def close(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            self._budget.taken(connection)
            connection.close()

    async def _new(self) -> _Protocol:
        loop = asyncio.get_running_loop()
        try:
            _, protocol = await asyncio.wait_for(
                loop.create_connection(
                    lambda: _Protocol(loop, self._read),
                    self._host,
                    self._port,
                    ssl=self._context,
                    server_hostname=self._host if self._context else None,
                ),
                self._connect,
            )
        except (OSError, TimeoutError, ssl.SSLError) as exc:
            raise connect_failure(exc) from exc
        return protocol

    def _take(self) -> _Protocol | None:
        while self._idle:
            connection = self._idle.pop()
            self._budget.taken(connection)
            if not connection.closed:
                return connection
        return None

    def _give_back(self, connection: _Protocol) -> None:
        if connection.reusable and not connection.closed and len(self._idle) < self._size:
            self._idle.append(connection)
            self._budget.parked(connection, lambda: self._evict(connection))
        else:
            connection.close()

    def _evict(self, connection: _Protocol) -> None:
        if connection in self._idle:
            self._idle.remove(connection)
            connection.close()

    async def request(
        self, method: str, target: str, *, body: bytes | None, headers: Mapping[str, str]
    ) -> Answer:
        """One exchange: the status, headers and whole body, or `ConnectionFailure`."""
        head = self._head(method, target, body, headers)
        connection = self._take()
        if connection is not None:
            try:
                return await self._exchange(connection, head, body, method == "HEAD")
            except _Closed as exc:
                if exc.answered:
                    raise ConnectionFailure("ConnectionError", str(exc)) from exc
            # The server closed the idle connection before this request reached it: once more,
            # on a new connection.
        connection = await self._new()
        try:
            return await self._exchange(connection, head, body, method == "HEAD")
        except _Closed as exc:
            raise ConnectionFailure("ConnectionError", str(exc)) from exc

    async def _exchange(
        self, connection: _Protocol, head: bytes, body: bytes | None, head_only: bool
    ) -> Answer:
        self._busy.add(connection)
        if not self._sweeping:
            self._sweeping = True
            asyncio.get_running_loop().call_later(self._every, self._sweep)
        try:
            answer = await connection.request(head, body, head_only)
        except BaseException:
            connection.abandon()
            raise
        finally:
            self._busy.discard(connection)
        self._give_back(connection)
        return answer

    def _sweep(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        for connection in list(self._busy):
            connection.check_silence(now)
        if self._busy:
            loop.call_later(self._every, self._sweep)
        else:
            self._sweeping = False

    def _head(
        self, method: str, target: str, body: bytes | None, headers: Mapping[str, str]
    ) -> bytes:
        """The request line and headers (``Host``, ``Content-Length`` and ``Accept-Encoding:
        identity`` added where the caller gave none, as ``http.client`` does)."""
        names = {name.lower() for name in headers}
        lines = [f"{method} {target} HTTP/1.1"]
        if "host" not in names:
            lines.append(f"Host: {self._host_header}")
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if body and "content-length" not in names:
            lines.append(f"Content-Length: {len(body)}")
        elif not body and method in ("PUT", "POST") and "content-length" not in names:
            lines.append("Content-Length: 0")
        if "accept-encoding" not in names:
            lines.append("Accept-Encoding: identity")
        if any("\r" in line or "\n" in line for line in lines):
            raise ValueError("a request line or header carries a line break")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

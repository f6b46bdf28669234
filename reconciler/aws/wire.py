"""One keep-alive HTTP/1.1 connection on the event loop, framed by h11.

h11 is the RFC 9112 state machine httpcore and uvicorn use: it refuses what a lenient parser
would guess at (two disagreeing ``Content-Length``, a chunk size that is not plain hexadecimal,
``Transfer-Encoding`` beside ``Content-Length``, a line that is not CRLF-ended), knows which
answers have no body (``HEAD``, 204, 304), skips interim ``1xx`` answers, and says when the
connection cannot be kept. What it leaves to the client is done here, each a bound:

- the head (status line and headers, interim answers included) is at most ``head_bytes``
  however the bytes arrive: h11 is never handed more than that before the head is whole;
- the body is at most the request's size bound;
- bytes nobody asked for (an answer while no request is under way, or anything after an
  answer) retire the connection: it is never reused;
- a connection closed before any byte of the answer came is said so (``_Closed``), so that a
  request on a reused connection is sent once more on a new one.

Time (silence, the deadline of the exchange) is looked at from outside, by the driver's sweep
(`check`).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence

import h11

from reconciler.aws.connections import Answer, ConnectionFailure
from reconciler.aws.limits import size

_END = h11.EndOfMessage()  # (immutable: one for every request)
#: Answers that have no body whatever length they state.
_NO_BODY = frozenset({204, 304})
_TOLD: dict[bytes, h11.Request] = {}


def _told(method: bytes) -> h11.Request:
    """The event that tells h11 a request of ``method`` went out (events are immutable)."""
    event = _TOLD.get(method)
    if event is None:
        event = _TOLD[method] = h11.Request(method=method, target=b"/", headers=[(b"host", b"-")])
    return event


class Closed(Exception):
    """The connection ended before a whole answer; ``answered``: whether any of it came."""

    def __init__(self, answered: bool, why: str) -> None:
        super().__init__(why)
        self.answered = answered


def bounded(kind: str, why: str) -> ConnectionFailure:
    """A bound exceeded: final, never retried (the endpoint would do it again)."""
    return ConnectionFailure(kind, why, final=True)


class Wire(asyncio.Protocol):
    """One connection: one request at a time, its answer parsed by h11 as the bytes arrive."""

    def __init__(self, loop: asyncio.AbstractEventLoop, head_bytes: int) -> None:
        self._loop = loop
        self._head_bytes = head_bytes
        self._h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=head_bytes)
        self.transport: asyncio.Transport | None = None
        self._waiter: asyncio.Future[Answer] | None = None
        self._pending = bytearray()
        self._head_fed = 0
        self._status = 0
        self._headers: dict[str, str] | None = None
        self._chunks: list[bytes] = []
        self._body = 0
        self._limit = 0
        self._body_expected = True
        self._received = False
        #: Loop times: the last bytes received, and when the exchange must be over.
        self.last = 0.0
        self.deadline = 0.0
        self.reusable = True
        self.closed = False

    # -- asyncio.Protocol ----------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        if self._waiter is None:  # an answer nobody asked for: this connection is not sane
            self.close()
            return
        self._received = True
        self.last = self._loop.time()
        try:
            awaiting_head = self._headers is None
            if self._pending or (awaiting_head and self._head_fed + len(data) > self._head_bytes):
                self._pending += data  # (fed to h11 a head's worth at a time)
            else:  # the common case: all that came may go to h11 at once
                if awaiting_head:
                    self._head_fed += len(data)
                self._h11.receive_data(data)
            self._pump()
        except h11.RemoteProtocolError as exc:
            self._fail(ConnectionFailure("ProtocolError", f"malformed answer ({_said(exc)})"))
        except ConnectionFailure as exc:
            self._fail(exc)

    def eof_received(self) -> bool:
        return False  # close the connection (connection_lost follows)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.reusable = False
        if self._waiter is None or self._waiter.done():
            return
        try:
            self._h11.receive_data(b"")
            self._pump()
        except h11.RemoteProtocolError:
            pass
        except ConnectionFailure as failure:
            self._fail(failure)
            return
        if self._waiter is not None and not self._waiter.done():
            self._fail(Closed(self._received, "connection failed or was reset"))

    # -- the exchange --------------------------------------------------------------------------

    def start(self, data: bytes) -> None:
        """Write raw bytes (a tunnel's ``CONNECT``, or a request) on the connection."""
        assert self.transport is not None
        self.transport.write(data)

    def request(
        self,
        method: bytes,
        target: bytes,
        headers: list[tuple[bytes, bytes]],
        body: bytes | None,
        *,
        limit: int,
        deadline: float,
    ) -> asyncio.Future[Answer]:
        """Send one request; the future is its whole answer (or a failure)."""
        assert self._waiter is None
        connection = self._h11
        # h11 is told the method (it decides how the answer is framed: a HEAD's has no body,
        # a CONNECT's opens a tunnel) with one event made once per method; the request's own
        # bytes are written here, from headers checked before in one pass (ASCII, no line
        # break: `Transport`). Building and writing them through h11 cost a third of an
        # exchange, for nothing its framing of the answer needs.
        connection.send(_told(method))
        connection.send(_END)
        lines = [method, b" ", target, b" HTTP/1.1\r\n"]
        for name, value in headers:
            lines += (name, b": ", value, b"\r\n")
        lines.append(b"\r\n")
        if body:
            lines.append(body)
        data = b"".join(lines)
        self._waiter = self._loop.create_future()
        self._limit = limit
        self._body_expected = method != b"HEAD"
        self._received = False
        self._head_fed = 0
        self._body = 0
        self.last = self._loop.time()
        self.deadline = deadline
        self.start(data)
        return self._waiter

    def close(self) -> None:
        self.reusable = False
        if self.transport is not None:
            self.transport.close()

    def abandon(self) -> None:
        """The request was given up (cancelled): the connection is closed, never reused."""
        self._waiter = None
        self.close()

    @property
    def busy(self) -> bool:
        return self._waiter is not None

    def check(self, now: float, silence: float) -> None:
        """Fail the request under way if nothing came for ``silence`` seconds, or its deadline
        passed."""
        if self._waiter is None:
            return
        if now >= self.deadline:
            self._fail(bounded("Deadline", "the answer did not come whole in time"))
        elif now - self.last >= silence:
            self._fail(ConnectionFailure("ReadTimeout", "read timed out"))

    def fail(self, error: Exception) -> None:
        self._fail(error)

    def _fail(self, error: Exception) -> None:
        waiter, self._waiter = self._waiter, None
        self.close()
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)

    def _pump(self) -> None:
        """Hand h11 what came (no more than the head bound while a head is awaited) and act on
        each event it gives."""
        connection = self._h11
        while True:
            if self._pending:
                if self._headers is None:
                    room = self._head_bytes - self._head_fed
                    piece = bytes(self._pending[:room])
                    del self._pending[:room]
                    self._head_fed += len(piece)
                else:
                    piece = bytes(self._pending)
                    self._pending.clear()
                connection.receive_data(piece)
            while True:
                event = connection.next_event()
                if event is h11.NEED_DATA:
                    if self._headers is None and self._head_fed >= self._head_bytes:
                        raise self._head_too_long()
                    break
                if not self._on(event):
                    return
            if not self._pending:
                return

    def _too_large(self) -> ConnectionFailure:
        return bounded("AnswerTooLarge", f"the answer is over {size(self._limit)}")

    def _head_too_long(self) -> ConnectionFailure:
        return bounded(
            "HeadTooLarge",
            f"the answer's head (status line and headers) is over {size(self._head_bytes)}",
        )

    def _on(self, event: object) -> bool:
        """Act on one event; ``False`` when the exchange is over (or cannot go on)."""
        if isinstance(event, h11.Response):
            self._status = event.status_code
            self._headers = headers = _headers(event.headers)
            stated = headers.get("content-length")  # (h11 checked it is a number)
            if stated is not None and "transfer-encoding" in headers:
                # h11 lets Transfer-Encoding win; RFC 9112 says to treat it as an error
                raise ConnectionFailure(
                    "ProtocolError",
                    "malformed answer (both Transfer-Encoding and Content-Length)",
                )
            if (
                stated
                and self._body_expected
                and event.status_code not in _NO_BODY
                and int(stated) > self._limit
            ):
                raise self._too_large()
            return True
        if isinstance(event, h11.Data):
            self._body += len(event.data)
            if self._body > self._limit:
                raise self._too_large()
            self._chunks.append(bytes(event.data))
            return True
        if isinstance(event, h11.EndOfMessage):
            self._finish()
            return False
        if isinstance(event, h11.InformationalResponse):
            return True  # an interim answer (its bytes count against the head bound)
        if event is h11.PAUSED and self._h11.their_state is h11.SWITCHED_PROTOCOL:
            self._switched()  # a proxy's tunnel is open
        return False

    def _switched(self) -> None:
        if self._pending or self._h11.trailing_data[0]:
            raise ConnectionFailure("ProxyError", "the proxy sent bytes before the tunnel")
        waiter, self._waiter = self._waiter, None
        assert self._headers is not None
        answer = Answer(self._status, self._headers, b"")
        self._headers = None
        if waiter is not None and not waiter.done():
            waiter.set_result(answer)

    def tunnelled(self, transport: asyncio.Transport) -> None:
        """The connection now speaks (TLS) to the endpoint inside a proxy's tunnel."""
        self.transport = transport
        self._h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=self._head_bytes)

    def _finish(self) -> None:
        waiter, self._waiter = self._waiter, None
        assert self._headers is not None
        answer = Answer(self._status, self._headers, b"".join(self._chunks))
        self._headers = None
        self._chunks = []
        connection = self._h11
        if (
            self._pending
            or connection.trailing_data[0]
            or connection.our_state is not h11.DONE
            or connection.their_state is not h11.DONE
        ):
            self.reusable = False  # bytes past the answer, or a connection that must close
        else:
            connection.start_next_cycle()
        if not self.reusable:
            self.close()
        if waiter is not None and not waiter.done():
            waiter.set_result(answer)


def _headers(raw: Sequence[tuple[bytes, bytes]]) -> dict[str, str]:
    """Header names lower-cased (h11 gives them so); a name given twice, its values joined."""
    headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in raw}
    if len(headers) == len(raw):
        return headers
    headers = {}
    for name, value in raw:
        key = name.decode("latin-1")
        text = value.decode("latin-1")
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    return headers


def _said(exc: h11.RemoteProtocolError) -> str:
    """h11's reason, its quoted bytes shown plainly (escaped) and shortened."""
    text = re.sub(r"bytearray\((b(['\"]).*?\2)\)", r"\1", str(exc))
    return text if len(text) <= 160 else text[:157] + "..."

"""Hostile servers on loopback for the client's HTTP driver: raw bytes per case, as a server
that means harm (or is merely broken) sends them, and a TLS-intercepting proxy that plays any
host. Each connection is handled by a script: a function given the socket and the connection's
number."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

Handler = Callable[[socket.socket, int], None]


def read_request(connection: socket.socket) -> bytes:
    """One request (its head, and its body by Content-Length); b"" when the client closed."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return b""
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def request_line(request: bytes) -> str:
    return request.split(b"\r\n", 1)[0].decode("latin-1")


@contextmanager
def raw_server(handle: Handler) -> Iterator[tuple[str, list[int]]]:
    """A loopback server calling ``handle(connection, n)`` for its n-th connection (from 0);
    yields its URL and the list of connections accepted so far (their numbers)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.1)
    accepted: list[int] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            number = len(accepted)
            accepted.append(number)

            def run(connection: socket.socket = connection, number: int = number) -> None:
                with suppress(OSError), connection:
                    handle(connection, number)

            threading.Thread(target=run, daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", accepted
    finally:
        stop.set()
        thread.join()
        listener.close()


def answering(*answers: bytes, then_close: bool = False) -> Handler:
    """Each request gets the next of ``answers`` (the list is shared by all connections); with
    ``then_close`` the server closes once they are spent."""
    queue = list(answers)

    def handle(connection: socket.socket, _: int) -> None:
        while queue and read_request(connection):
            connection.sendall(queue.pop(0))
        if not then_close:
            while read_request(connection):
                pass

    return handle


@contextmanager
def intercepting_proxy(
    cert: Path, key: Path, serve: Callable[[str, bytes], bytes], connects: list[bytes] | None = None
) -> Iterator[tuple[str, list[str]]]:
    """An HTTP proxy that opens every ``CONNECT`` tunnel and plays the host itself, over TLS
    with ``cert`` (which must name the hosts asked for): ``serve(authority, request)`` gives
    the raw answer to each request. Yields the proxy's URL and every authority a tunnel was
    asked for; ``connects`` receives each ``CONNECT`` request whole."""
    tunnels: list[str] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))

    def handle(connection: socket.socket, _: int) -> None:
        head = read_request(connection)
        line = request_line(head)
        method, authority = line.split(" ")[:2]
        if method != "CONNECT":
            connection.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        tunnels.append(authority)
        if connects is not None:
            connects.append(head)
        connection.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        with context.wrap_socket(connection, server_side=True) as tls:
            while request := read_request(tls):
                tls.sendall(serve(authority, request))

    with raw_server(handle) as (url, _):
        yield url, tunnels


def http(status: int, body: bytes = b"", **headers: str) -> bytes:
    """A well-formed answer."""
    reason = {200: "OK", 301: "Moved Permanently", 403: "Forbidden"}.get(status, "Status")
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def forwarding(
    upstream: str,
    answer: Callable[[int, bytes], bytes | None],
    stray: bytes = b"",
    rewrite: Callable[[bytes], bytes] = lambda request: request,
) -> Handler:
    """A server in front of ``upstream`` (``http://host:port``): each request is passed on
    whole (as ``rewrite`` makes it) and its answer sent back (re-framed with a
    Content-Length), unless ``answer(n, request)`` gives one of its own for the n-th request.
    On the first connection, ``stray`` is sent right behind the first answer: bytes nobody
    asked for."""
    import http.client  # (reading the upstream's answers: a test's own client)

    host, _, port = upstream.removeprefix("http://").partition(":")
    count = [0]

    def handle(connection: socket.socket, number: int) -> None:
        first = True
        while request := read_request(connection):
            count[0] += 1
            own = answer(count[0], request)
            if own is None:
                with socket.create_connection((host, int(port))) as up:
                    up.sendall(rewrite(request))
                    reply = http.client.HTTPResponse(up, method=request_line(request).split()[0])
                    reply.begin()
                    body = reply.read()
                    kept = [
                        f"{name}: {value}"
                        for name, value in reply.getheaders()
                        if name.lower() not in ("content-length", "transfer-encoding", "connection")
                    ]
                    if reply.status in (204, 304):
                        body = b""
                    head = f"HTTP/1.1 {reply.status} {reply.reason}\r\n" + "\r\n".join(kept)
                    head += f"\r\nContent-Length: {len(body)}\r\n\r\n"
                    own = head.encode("latin-1") + body
            if first and number == 0 and stray:
                own += stray
            first = False
            connection.sendall(own)

    return handle

"""A scripted HTTP server on a loopback port, for transport behaviours the emulator cannot show
(throttling, resets, redirects, hostile bodies). Each request takes the next scripted answer."""

from __future__ import annotations

import json
import re
import socket
import ssl
import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    reset: bool = False  # drop the connection with a TCP reset instead of answering
    delay: float = 0.0


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Stub:
    url: str
    script: list[Answer]
    received: list[Received] = field(default_factory=list)
    #: When set, answers every request from what it asks (the script is not used).
    route: Callable[[Received], Answer] | None = None


def _handler(stub: Stub) -> type[BaseHTTPRequestHandler]:
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return

        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            with lock:
                stub.received.append(
                    Received(
                        self.command,
                        self.path,
                        {k.lower(): v for k, v in self.headers.items()},
                        body,
                    )
                )
                if stub.route is not None:
                    answer = stub.route(stub.received[-1])
                else:
                    answer = stub.script.pop(0) if stub.script else Answer(500, b"script exhausted")
            if answer.delay:
                threading.Event().wait(answer.delay)
            if answer.reset:
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.close_connection = True
                self.connection.close()
                return
            try:
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(answer.body)
            except OSError:  # the client gave up (a read timeout under test)
                self.close_connection = True

        do_GET = do_PUT = do_POST = do_PATCH = do_DELETE = do_HEAD = _serve

        def finish(self) -> None:
            with suppress(OSError):
                super().finish()

    return Handler


@contextmanager
def stub_server(
    *answers: Answer,
    route: Callable[[Received], Answer] | None = None,
    tls: tuple[Path, Path] | None = None,
) -> Iterator[Stub]:
    """A server on loopback answering from ``answers`` in turn, or by ``route``; over HTTPS
    with ``tls`` (a certificate file and its key file)."""
    stub = Stub(url="", script=list(answers), route=route)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    server.daemon_threads = True
    scheme = "http"
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(tls[0]), str(tls[1]))
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    stub.url = f"{scheme}://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()


def json_answer(value: object, status: int = 200) -> Answer:
    return Answer(status, json.dumps(value).encode(), {"Content-Type": "application/json"})


def dispatch(
    routes: list[tuple[str, str, Callable[..., Answer]]],
    request: Received,
    path: str,
    **extra: object,
) -> Answer:
    """The handler of the first route (a pattern for the whole path, a method) that matches,
    called with the pattern's groups and ``extra``; else a JSON 404."""
    for pattern, method, handler in routes:
        match = re.fullmatch(pattern, path)
        if match and request.method == method:
            return handler(*match.groups(), **extra)
    return json_answer({"message": "Not Found"}, 404)


def s3_error(code: str, message: str = "error", **extra: str) -> bytes:
    fields = "".join(f"<{k}>{v}</{k}>" for k, v in extra.items())
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
        f"<Message>{message}</Message>{fields}<RequestId>REQ123</RequestId></Error>"
    ).encode()

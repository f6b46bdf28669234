"""A hostile (or broken) endpoint, byte for byte: each case a raw answer, sent to a read and to a
write, and the exact outcome the client must give (the bucket's error and its message, or the
correct value). Every message and debug log line is scanned for the key, the session token and
the signatures the requests carried."""

from __future__ import annotations

import logging
import re
import socket
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from reconciler.aws.config import RetryPolicy, Timeouts
from reconciler.aws.limits import Bounds
from reconciler.aws.s3 import S3Client
from reconciler.aws.signing import Credentials
from reconciler.aws.transport import Transport
from reconciler.errors import AccessDenied, ReconcilerError, TransportError
from tests.certificates import self_signed
from tests.hostile_server import answering, http, intercepting_proxy, raw_server, read_request
from tests.stub_server import s3_error

CREDENTIALS = Credentials("AKIDHOSTILE", "hostile-secret-key-0123", "hostile-session-token-4567")
VERSIONING = b"<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"
OK = http(200, VERSIONING)
DENIED = http(403, s3_error("AccessDenied", "Access Denied"), x_amz_request_id="REQ403")


@dataclass(frozen=True)
class Case:
    name: str
    answer: bytes
    #: The body the client must read, or (when ``None``) the reason in its error.
    body: bytes | None = None
    why: str = ""


def _ok(name: str, answer: bytes) -> Case:
    return Case(name, answer, body=VERSIONING)


def _chunked(*chunks: bytes, head: bytes = b"Transfer-Encoding: chunked\r\n") -> bytes:
    return b"HTTP/1.1 200 OK\r\n" + head + b"\r\n" + b"".join(chunks)


def _bad(name: str, answer: bytes, why: str) -> Case:
    return Case(name, answer, why=why)


BODY = VERSIONING
SIZED = f"Content-Length: {len(BODY)}\r\n".encode()
CASES = [
    _bad(
        "two disagreeing Content-Lengths",
        b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n" + SIZED + b"\r\n" + BODY,
        "malformed answer (conflicting Content-Length headers)",
    ),
    _bad(
        "a Content-Length of 25 digits",
        b"HTTP/1.1 200 OK\r\nContent-Length: 1234567890123456789012345\r\n\r\n" + BODY,
        "malformed answer (bad Content-Length)",
    ),
    _bad(
        "a negative Content-Length",
        b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n" + BODY,
        "malformed answer (bad Content-Length)",
    ),
    _bad(
        "chunk size -2",
        _chunked(b"-2\r\nab\r\n0\r\n\r\n"),
        "malformed answer (illegal chunk header: b'-2\\r\\n')",
    ),
    _bad(
        "chunk size 0x1f",
        _chunked(b"0x1f\r\n" + b"a" * 31 + b"\r\n0\r\n\r\n"),
        "malformed answer (illegal chunk header: b'0x1f\\r\\n')",
    ),
    _bad(
        "chunk size +1f",
        _chunked(b"+1f\r\n" + b"a" * 31 + b"\r\n0\r\n\r\n"),
        "malformed answer (illegal chunk header: b'+1f\\r\\n')",
    ),
    _bad(
        "no CRLF after a chunk's data",
        _chunked(b"2\r\nabXX0\r\n\r\n"),
        "malformed answer (malformed chunk footer: b'XX' (expected b'\\r\\n'))",
    ),
    _bad(
        "a Transfer-Encoding that merely contains chunked",
        _chunked(b"2\r\nab\r\n0\r\n\r\n", head=b"Transfer-Encoding: xchunked\r\n"),
        "malformed answer (Only Transfer-Encoding: chunked is supported)",
    ),
    _bad(
        "Transfer-Encoding and Content-Length both",
        _chunked(b"2\r\nab\r\n0\r\n\r\n", head=b"Transfer-Encoding: chunked\r\n" + SIZED),
        "malformed answer (both Transfer-Encoding and Content-Length)",
    ),
    _bad(
        "a header line without a colon",
        b"HTTP/1.1 200 OK\r\nnot a header\r\n" + SIZED + b"\r\n" + BODY,
        "malformed answer (illegal header line: b'not a header')",
    ),
    _bad(
        "bytes that are not HTTP",
        b"SPAM SPAM SPAM\r\n\r\n",
        "malformed answer (illegal status line: b'SPAM SPAM SPAM')",
    ),
    _bad(
        "a head over 64 KiB in one read",
        b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 70_000 + b"\r\n" + SIZED + b"\r\n" + BODY,
        "the answer's head (status line and headers) is over 64 KiB: head_bytes = 65536",
    ),
    _bad(
        "a head of endless interim answers",
        b"HTTP/1.1 100 Continue\r\n\r\n" * 5_000 + OK,
        "the answer's head (status line and headers) is over 64 KiB: head_bytes = 65536",
    ),
    _bad(
        "a stated Content-Length past the bound",
        b"HTTP/1.1 200 OK\r\nContent-Length: 5000000\r\n\r\n" + BODY,
        "the answer is over 4 MiB: the answer size bound",
    ),
    _ok(
        "chunks, an extension and a trailer",
        _chunked(
            b"10;name=value\r\n"
            + BODY[:16]
            + b"\r\n"
            + f"{len(BODY) - 16:x}".encode()
            + b"\r\n"
            + BODY[16:]
            + b"\r\n0\r\nX-Trailer: yes\r\n\r\n"
        ),
    ),
    _ok("bare LF line ends", b"HTTP/1.1 200 OK\n" + SIZED[:-2] + b"\n\n" + BODY),
    _ok(
        "a header folded over two lines",
        b"HTTP/1.1 200 OK\r\nX-A: one\r\n two\r\n" + SIZED + b"\r\n" + BODY,
    ),
    _ok(
        "interim 100 and 102 answers first",
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n" + OK,
    ),
    Case(
        "a 304 stating a length past the bound (it has no body)",
        b"HTTP/1.1 304 Not Modified\r\nContent-Length: 99999999\r\n\r\n",
        body=b"",
    ),
    _ok("the same Content-Length twice", b"HTTP/1.1 200 OK\r\n" + SIZED + SIZED + b"\r\n" + BODY),
    _ok("a body that runs until the server closes", b"HTTP/1.0 200 OK\r\n\r\n" + BODY),
]


def transport(**bounds: object) -> Transport:
    return Transport(
        credentials=CREDENTIALS,
        retry=RetryPolicy(max_attempts=1),
        timeouts=Timeouts(connect=1.0, read=2.0),
        bounds=Bounds(**bounds),  # type: ignore[arg-type]
    )


def read(s3: S3Client, bucket: str = "b") -> bytes:
    steps = s3.getting_configuration(
        bucket, "versioning", operation="GetBucketVersioning", action="s3:GetBucketVersioning"
    )
    response = s3.run(steps)
    assert response is not None
    return response.body


def write(s3: S3Client, bucket: str = "b") -> None:
    s3.put_configuration(
        bucket, "versioning", VERSIONING, operation="PutBucketVersioning",
        action="s3:PutBucketVersioning",
    )  # fmt: skip


@pytest.fixture
def log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


class Recording:
    """A raw server answering every request with ``answer`` (then closing), recording the
    requests, so that what the client sent can be looked for in what it said."""

    def __init__(self, answer: bytes) -> None:
        self.answer = answer
        self.requests: list[bytes] = []

    def __call__(self, connection: socket.socket, _: int) -> None:
        request = read_request(connection)
        if request:
            self.requests.append(request)
            connection.sendall(self.answer)
        connection.shutdown(socket.SHUT_WR)
        while read_request(connection):
            pass


def secrets(requests: list[bytes]) -> list[str]:
    """The key, the session token and each signature sent."""
    found = [CREDENTIALS.secret_access_key, CREDENTIALS.session_token or ""]
    for request in requests:
        found += re.findall(r"Signature=([0-9a-f]{64})", request.decode("latin-1"))
    return found


@pytest.mark.parametrize("kind", ["read", "write"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_hostile_answer_has_its_exact_outcome(
    case: Case, kind: str, log: pytest.LogCaptureFixture
) -> None:
    server = Recording(case.answer)
    with raw_server(server) as (url, _), transport() as t:
        s3 = S3Client(t, region="us-east-1", endpoint_url=url)
        operation = "GetBucketVersioning" if kind == "read" else "PutBucketVersioning"
        if case.body is not None:
            if kind == "read":
                assert read(s3) == case.body
            else:
                write(s3)
            said = ""
        else:
            with pytest.raises(TransportError) as caught:
                read(s3) if kind == "read" else write(s3)
            said = str(caught.value)
            assert said == f"bucket.b: {operation}: no answer from {url} ({case.why})"
    assert server.requests  # (the request was sent, and each of its secrets is looked for)
    for secret in secrets(server.requests):
        assert secret not in said
        assert secret not in log.text


# -- connections: stray bytes, interim answers, a kept connection closed ----------------------


def test_a_stray_answer_on_an_idle_connection_retires_it_and_a_refused_write_is_reported() -> None:
    """The case that printed "done": a 200 pushed on the idle kept connection was taken as the
    next write's answer. The stray bytes retire the connection; the write goes on a new one and
    its 403 is raised."""
    seen: list[tuple[int, str]] = []

    def handle(connection: socket.socket, number: int) -> None:
        while request := read_request(connection):
            seen.append((number, request.split(b" ", 1)[0].decode()))
            if number == 0:
                connection.sendall(OK)
                time.sleep(0.05)
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            else:
                connection.sendall(DENIED)

    with raw_server(handle) as (url, accepted), transport() as t:
        s3 = S3Client(t, region="us-east-1", endpoint_url=url)
        assert read(s3) == VERSIONING
        time.sleep(0.3)  # (the stray answer arrives while the connection is idle)
        with pytest.raises(AccessDenied) as caught:
            write(s3)
    assert seen == [(0, "GET"), (1, "PUT")]
    assert accepted == [0, 1]
    assert str(caught.value) == (
        "bucket.b: AccessDenied: PutBucketVersioning: Access Denied (the IAM action "
        "s3:PutBucketVersioning on arn:aws:s3:::b was refused) (HTTP 403, request id REQ403)"
    )


def test_bytes_right_after_an_answer_retire_the_connection() -> None:
    stray = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
    with raw_server(answering(OK + stray, DENIED)) as (url, accepted), transport() as t:
        s3 = S3Client(t, region="us-east-1", endpoint_url=url)
        assert read(s3) == VERSIONING
        with pytest.raises(AccessDenied):
            write(s3)
    assert accepted == [0, 1]


def test_a_102_before_a_403_is_skipped_and_the_403_reported() -> None:
    processing = b"HTTP/1.1 102 Processing\r\n\r\n"
    with raw_server(answering(processing + DENIED)) as (url, _), transport() as t:
        s3 = S3Client(t, region="us-east-1", endpoint_url=url)
        with pytest.raises(AccessDenied, match=r"\(HTTP 403, request id REQ403\)"):
            write(s3)


def test_a_write_on_a_kept_connection_closed_unanswered_is_resent_once() -> None:
    seen: list[int] = []

    def handle(connection: socket.socket, number: int) -> None:
        while read_request(connection):
            seen.append(number)
            if number == 0 and len(seen) == 2:
                return  # the write, on the kept connection: closed unanswered
            connection.sendall(OK if len(seen) == 1 else http(200))

    with raw_server(handle) as (url, accepted), transport() as t:
        s3 = S3Client(t, region="us-east-1", endpoint_url=url)
        assert read(s3) == VERSIONING
        write(s3)
    assert seen == [0, 0, 1]
    assert accepted == [0, 1]


# -- time ---------------------------------------------------------------------------------------


def _dripping(answer: bytes, every: float) -> object:
    def handle(connection: socket.socket, _: int) -> None:
        read_request(connection)
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for byte in answer:
            connection.sendall(bytes([byte]))
            time.sleep(every)

    return handle


@pytest.mark.parametrize("kind", ["read", "write"])
def test_a_body_dripping_a_byte_at_a_time_ends_at_the_exchange_deadline(kind: str) -> None:
    """The read timeout bounds silence only: a byte every 0.1 s never trips it. The exchange's
    deadline (exchange_seconds, 1 s here) bounds the whole."""
    with (
        raw_server(_dripping(OK, 0.1)) as (url, _),  # type: ignore[arg-type]
        transport(exchange_seconds=1.0) as t,
    ):
        s3 = S3Client(t, region="us-east-1", endpoint_url=url)
        started = time.monotonic()
        with pytest.raises(TransportError) as caught:
            read(s3) if kind == "read" else write(s3)
        took = time.monotonic() - started
    assert 1.0 <= took < 3.0
    assert str(caught.value).endswith(
        f"no answer from {url} (the answer did not come whole in time: exchange_seconds = 1)"
    )


# -- regions and headers -------------------------------------------------------------------------


REGION_ANSWERS = {
    "a host": http(301, x_amz_bucket_region="attacker.example#"),
    "a dotted name": http(301, x_amz_bucket_region="eu-west-1.evil"),
    "another partition": http(301, x_amz_bucket_region="cn-north-1"),
    "non-ASCII": b"HTTP/1.1 301 Moved\r\nx-amz-bucket-region: r\xc4\x93gion-1\r\n"
    b"Content-Length: 0\r\n\r\n",
    "CR LF": http(
        400,
        s3_error(
            "AuthorizationHeaderMalformed",
            "wrong region",
            Region="eu-west-1&#13;&#10;X-Injected: 1",
        ),
    ),
}
SHOWN = {
    "a host": "'attacker.example#' (its redirect)",
    "a dotted name": "'eu-west-1.evil' (its redirect)",
    "another partition": "'cn-north-1' (its redirect)",
    "non-ASCII": "'r\\xc4\\x93gion-1' (its redirect)",
    "CR LF": "'eu-west-1\\r\\nX-Injected: 1' (its redirect)",
}


@pytest.mark.parametrize("case", list(REGION_ANSWERS))
@pytest.mark.parametrize("kind", ["read", "write"])
def test_a_region_from_an_answer_that_is_no_region_is_the_buckets_error(
    case: str, kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    log: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    """On AWS (no endpoint set) a region builds the host the next request goes to. Through a
    TLS-intercepting proxy that plays any host (as only someone able to forge AWS's TLS could
    on the open internet), a redirect to a region that is not one is refused: no request is
    sent anywhere else, and nothing it said reaches a header."""
    cert, key = self_signed(tmp_path, "*.s3.us-east-1.amazonaws.com", "*.s3.attacker.example#")
    requests: list[bytes] = []

    def serve(authority: str, request: bytes) -> bytes:
        requests.append(request)
        return REGION_ANSWERS[case]

    with intercepting_proxy(cert, key, serve) as (proxy, tunnels):
        monkeypatch.setenv("HTTPS_PROXY", proxy)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        with Transport(
            credentials=CREDENTIALS, retry=RetryPolicy(max_attempts=1), ca_bundle=str(cert)
        ) as t:
            s3 = S3Client(t, region="us-east-1")
            with pytest.raises(ReconcilerError) as caught:
                read(s3, "sec-b") if kind == "read" else write(s3, "sec-b")
    operation = "GetBucketVersioning" if kind == "read" else "PutBucketVersioning"
    assert str(caught.value) == (
        f"bucket.sec-b: {operation}: the answer names the region {SHOWN[case]}, which is "
        "not a region of this endpoint: it is not followed"
    )
    assert tunnels == ["sec-b.s3.us-east-1.amazonaws.com:443"]
    assert len(requests) == 1
    for secret in secrets(requests):
        assert secret not in str(caught.value)
        assert secret not in log.text


# -- the driver agrees with h11 alone ------------------------------------------------------------

#: Streams where the driver is stricter than h11 by design: its bounds, and Transfer-Encoding
#: beside Content-Length (RFC 9112 lets a client treat it as an error; h11 lets TE win).
STRICTER = {
    "a head over 64 KiB in one read",
    "a head of endless interim answers",
    "a stated Content-Length past the bound",
    "Transfer-Encoding and Content-Length both",
}
EXTRA_STREAMS = [
    b"HTTP/1.1 204 No Content\r\n\r\n",
    b"HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 3 \r\n\r\nabc",
    b"HTTP/1.1 200 OK\r\nContent-Length: 3,3\r\n\r\nabc",
    b"HTTP/1.1 999 Odd\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\n X-Leading-Space: 1\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nX-Nul: a\x00b\r\nContent-Length: 0\r\n\r\n",
]
STREAMS = [c.answer for c in CASES if c.name not in STRICTER] + EXTRA_STREAMS


def h11_alone(stream: bytes) -> tuple[str, int, bytes]:
    """What h11 by itself makes of ``stream`` as the answer to a GET: the status and body, or
    that it refused it (or that the stream ended first)."""
    import h11

    connection = h11.Connection(h11.CLIENT)
    connection.send(h11.Request(method="GET", target="/b", headers=[("Host", "x")]))
    connection.send(h11.EndOfMessage())
    connection.receive_data(stream)
    connection.receive_data(b"")  # the server closes after the stream
    status, body = 0, b""
    try:
        while True:
            event = connection.next_event()
            if isinstance(event, h11.Response):
                status = event.status_code
            elif isinstance(event, h11.Data):
                body += event.data
            elif isinstance(event, h11.EndOfMessage):
                return "answer", status, body
            elif isinstance(event, h11.ConnectionClosed) or event is h11.NEED_DATA:
                return "cut short", 0, b""
    except h11.RemoteProtocolError:
        return "refused", 0, b""


def through_the_driver(stream: bytes, piece: int) -> tuple[str, int, bytes]:
    def handle(connection: socket.socket, _: int) -> None:
        read_request(connection)
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for start in range(0, len(stream), piece):
            connection.sendall(stream[start : start + piece])
            if piece < len(stream):
                time.sleep(0.0005)
        connection.shutdown(socket.SHUT_WR)
        time.sleep(0.2)

    with raw_server(handle) as (url, _), transport() as t:
        s3 = S3Client(t, region="us-east-1", endpoint_url=url)
        steps = s3.getting_configuration(
            "b", "versioning", operation="GetBucketVersioning", action="s3:GetBucketVersioning"
        )
        try:
            response = s3.run(steps)
        except TransportError as exc:
            if "malformed answer" in str(exc):
                return "refused", 0, b""
            if "connection failed or was reset" in str(exc):
                return "cut short", 0, b""
            return "failed otherwise", 0, str(exc).encode()
        except ReconcilerError as exc:  # an error status, read whole
            return "answer", getattr(exc, "status", 0), b"(error)"
    assert response is not None
    return "answer", response.status, response.body


@pytest.mark.parametrize("piece", [1 << 20, 7], ids=["whole", "in-7-byte-pieces"])
@pytest.mark.parametrize("stream", STREAMS, ids=[f"stream-{n}" for n in range(len(STREAMS))])
def test_the_driver_and_h11_alone_agree(stream: bytes, piece: int) -> None:
    expected = h11_alone(stream)
    got = through_the_driver(stream, piece)
    if expected[0] == "answer" and expected[1] >= 300:
        expected = ("answer", expected[1], b"(error)")  # (an error status: the typed error)
    if expected[0] == "answer" and expected[1] in (204, 304):
        expected = ("answer", expected[1], b"")
    assert got == expected


def test_a_bucket_region_in_the_listing_that_is_no_region_is_not_used() -> None:
    """ListBuckets' BucketRegion builds no host: one that is not a region is dropped, and the
    bucket's HeadBucket (which checks what it is told) says where it is."""
    listing = (
        b"<ListAllMyBucketsResult><Buckets>"
        b"<Bucket><Name>good</Name><BucketRegion>eu-west-1</BucketRegion></Bucket>"
        b"<Bucket><Name>odd</Name><BucketRegion>attacker.example#</BucketRegion></Bucket>"
        b"</Buckets></ListAllMyBucketsResult>"
    )
    with raw_server(answering(http(200, listing))) as (url, _), transport() as t:
        found = {b.name: b.region for b in S3Client(t, region="us-east-1", endpoint_url=url)
                 .list_buckets()}  # fmt: skip
        on_aws = S3Client(t, region="us-east-1")
        assert found == {"good": "eu-west-1", "odd": None}
        assert not on_aws.region_fits("attacker.example#")
        assert not on_aws.region_fits("us-gov-west-1")  # (another partition than us-east-1's)
        assert on_aws.region_fits("ap-southeast-5")


@pytest.mark.parametrize(
    "value", ["a\r\nX-Injected: 1", "caf\u00e9", "line\nbreak"], ids=["crlf", "non-ascii", "lf"]
)
def test_a_header_with_a_line_break_or_non_ascii_is_refused_before_sending(value: str) -> None:
    server = Recording(OK)
    with raw_server(server) as (url, _), transport() as t:
        s3 = S3Client(t, region="us-east-1", endpoint_url=url)
        with pytest.raises(TransportError) as caught:
            s3.put_configuration(
                "b", "versioning", VERSIONING, operation="PutBucketVersioning",
                action="s3:PutBucketVersioning", content_type=value,
            )  # fmt: skip
    assert str(caught.value) == (
        f"bucket.b: PutBucketVersioning: the request to {url} would carry a line break or a "
        "character that is not ASCII in its content-type header; nothing was sent"
    )
    assert value not in str(caught.value)
    assert server.requests == []


def test_https_goes_through_the_proxys_tunnel_with_its_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HTTPS_PROXY with a user and password: a CONNECT carrying Proxy-Authorization, then TLS
    with the endpoint inside the tunnel (verified against the bundle), and the proxy's
    credentials never inside it."""
    cert, key = self_signed(tmp_path, "*.s3.us-east-1.amazonaws.com")
    connects: list[bytes] = []
    inside: list[bytes] = []

    def serve(_: str, request: bytes) -> bytes:
        inside.append(request)
        return OK

    with intercepting_proxy(cert, key, serve, connects) as (proxy, tunnels):
        monkeypatch.setenv("HTTPS_PROXY", proxy.replace("http://", "http://user:p%40ss@"))
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        with Transport(credentials=CREDENTIALS, ca_bundle=str(cert)) as t:
            s3 = S3Client(t, region="us-east-1")
            assert read(s3, "sec-b") == VERSIONING
            assert read(s3, "sec-b") == VERSIONING  # (the tunnel is kept)
    assert tunnels == ["sec-b.s3.us-east-1.amazonaws.com:443"]
    assert connects[0].startswith(b"CONNECT sec-b.s3.us-east-1.amazonaws.com:443 HTTP/1.1\r\n")
    assert b"\r\nproxy-authorization: Basic dXNlcjpwQHNz\r\n" in connects[0]  # user:p@ss
    assert len(inside) == 2
    assert all(b"proxy-authorization" not in request.lower() for request in inside)
    assert inside[0].startswith(b"GET /?versioning= HTTP/1.1\r\nhost: sec-b.s3.us-east-1")

"""Many calls at once on the event loop (`aws.loop`, `aws.loop_connections`): HTTP/1.1 framing
as servers really send it, shown against a raw socket server; what is retried and what is
final; the parallelism and the first error; proxies; TLS."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import ExitStack
from functools import partial
from pathlib import Path

import pytest

from reconciler.aws.config import RetryPolicy, Timeouts
from reconciler.aws.exchange import Response
from reconciler.aws.s3 import S3Client
from reconciler.aws.signing import Credentials
from reconciler.aws.steps import Steps, Task
from reconciler.aws.transport import Request, Transport
from reconciler.errors import AccessDenied, TransportError
from tests.certificates import self_signed
from tests.hostile_server import answering, raw_server, read_request
from tests.stub_server import Answer, s3_error, stub_server

CREDENTIALS = Credentials("AKIDSTUB", "stub-secret-value-123")


def make_transport(*, attempts: int = 1, read: float = 5.0, **options: object) -> Transport:
    options.setdefault("credentials", CREDENTIALS)
    return Transport(
        retry=RetryPolicy(max_attempts=attempts, base_delay=0.001, max_delay=0.002),
        timeouts=Timeouts(connect=1.0, read=read),
        **options,  # type: ignore[arg-type]
    )


def get(url: str, bucket: str = "bucket", method: str = "GET") -> Request:
    return Request(
        service="s3",
        region="us-east-1",
        method=method,
        root=url,
        path=f"/{bucket}",
        operation="GetBucketTagging" if method == "GET" else "HeadBucket",
        query=(("tagging", ""),) if method == "GET" else (),
        bucket=bucket,
    )


def send_all(transport: Transport, requests: list[Request], parallelism: int = 4) -> list[Response]:
    """The requests sent on the event loop, their responses in order."""
    found: dict[int, Response] = {}

    def task(index: int) -> Task:
        def steps() -> Steps[None]:
            found[index] = yield from transport.sending(requests[index])

        return steps

    transport.run_many([task(i) for i in range(len(requests))], parallelism=parallelism)
    return [found[i] for i in range(len(requests))]


# -- a raw server: each connection handled by a script of bytes (`tests.hostile_server`) ---


OK = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n<Tagging/>"


def test_a_chunked_body_is_joined_and_its_trailer_skipped() -> None:
    chunked = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5;name=value\r\n<Tagg\r\n5\r\ning/>\r\n0\r\nX-Trailer: yes\r\n\r\n"
    )
    with raw_server(answering(chunked, OK)) as (url, accepted), make_transport() as t:
        first, second = send_all(t, [get(url), get(url)], parallelism=1)
    assert first.body == second.body == b"<Tagging/>"
    assert accepted == [0]  # the connection was kept for the second request


def test_a_body_that_runs_until_the_server_closes() -> None:
    with (
        raw_server(answering(b"HTTP/1.1 200 OK\r\n\r\n<Tagging/>", then_close=True)) as (
            url,
            _,
        ),
        make_transport() as t,
    ):
        (response,) = send_all(t, [get(url)])
    assert response.body == b"<Tagging/>"


def test_connection_close_is_honoured_and_interim_answers_skipped() -> None:
    closing = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 10\r\n\r\n<Tagging/>"
    interim = b"HTTP/1.1 100 Continue\r\n\r\n" + OK
    with raw_server(answering(closing, interim)) as (url, accepted), make_transport() as t:
        first, second = send_all(t, [get(url), get(url)], parallelism=1)
    assert first.body == second.body == b"<Tagging/>"
    assert accepted == [0, 1]  # a new connection after "Connection: close"


def test_a_head_answer_has_no_body_whatever_length_it_states() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nX-Amz-Bucket-Region: eu-west-1\r\n\r\n"
    with raw_server(answering(head, OK)) as (url, accepted), make_transport() as t:
        first, second = send_all(t, [get(url, method="HEAD"), get(url)], parallelism=1)
    assert (first.body, first.headers["x-amz-bucket-region"]) == (b"", "eu-west-1")
    assert second.body == b"<Tagging/>"
    assert accepted == [0]


def test_an_answer_arriving_byte_by_byte() -> None:
    def trickle(connection: socket.socket, _: int) -> None:
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        read_request(connection)
        for byte in OK:
            connection.sendall(bytes([byte]))
            time.sleep(0.001)
        read_request(connection)

    with raw_server(trickle) as (url, _), make_transport() as t:
        (response,) = send_all(t, [get(url)])
    assert (response.status, response.body) == (200, b"<Tagging/>")


def test_a_kept_connection_the_server_dropped_unanswered_is_resent_once_on_a_new_one() -> None:
    seen: list[int] = []

    def handle(connection: socket.socket, number: int) -> None:
        while read_request(connection):
            seen.append(number)
            if number == 0 and len(seen) == 2:
                return  # the second request on the first connection: closed unanswered
            connection.sendall(OK)

    with raw_server(handle) as (url, accepted), make_transport() as t:
        responses = send_all(t, [get(url), get(url)], parallelism=1)
    assert [r.body for r in responses] == [b"<Tagging/>"] * 2
    assert seen == [0, 0, 1]
    assert accepted == [0, 1]


def test_an_answer_cut_short_is_a_failure_and_not_resent() -> None:
    cut = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n<Tagg"
    failed = r"no answer from .* \(connection failed"
    with (
        raw_server(answering(cut, then_close=True)) as (url, accepted),
        make_transport() as t,
        pytest.raises(TransportError, match=failed) as caught,
    ):
        send_all(t, [get(url)])
    assert caught.value.address == "bucket.bucket"
    assert accepted == [0]


def test_silence_is_a_read_timeout() -> None:
    def silent(connection: socket.socket, _: int) -> None:
        read_request(connection)
        time.sleep(2)

    with raw_server(silent) as (url, _), make_transport(read=0.3) as t:
        started = time.monotonic()
        with pytest.raises(TransportError, match="read timed out"):
            send_all(t, [get(url)])
    assert time.monotonic() - started < 1.5


def test_bytes_that_are_not_http_are_refused() -> None:
    with (
        raw_server(answering(b"SPAM SPAM SPAM\r\n\r\n")) as (url, _),
        make_transport() as t,
        pytest.raises(TransportError, match="malformed answer"),
    ):
        send_all(t, [get(url)])


def test_a_refused_connection_is_a_typed_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with make_transport(attempts=2) as t:
        with pytest.raises(TransportError, match=r"GetBucketTagging: no answer .* refused"):
            send_all(t, [get(f"http://127.0.0.1:{port}")])
        assert t.requests_sent == 2  # retried once, as on a thread


# -- the runner -------------------------------------------------------------------------------


def test_slow_down_is_retried_and_halves_the_endpoints_limit() -> None:
    slow = Answer(503, s3_error("SlowDown", "Please reduce your request rate"))
    with stub_server(slow, Answer(200, b"<Tagging/>")) as stub, make_transport(attempts=3) as t:
        (response,) = send_all(t, [get(stub.url)])
        limit = t.limit_for(stub.url)
    assert response.body == b"<Tagging/>"
    assert len(stub.received) == 2
    assert limit.limit < limit.ceiling  # halved, then grown by one success at most


def test_no_more_than_the_parallelism_is_under_way() -> None:
    lock = threading.Lock()
    under_way = [0]
    most = [0]

    def handle(connection: socket.socket, _: int) -> None:
        while read_request(connection):
            with lock:
                under_way[0] += 1
                most[0] = max(most[0], under_way[0])
            time.sleep(0.02)
            with lock:
                under_way[0] -= 1
            connection.sendall(OK)

    with raw_server(handle) as (url, accepted), make_transport(pool_size=16) as t:
        responses = send_all(t, [get(url, f"b{i}") for i in range(40)], parallelism=5)
    assert len(responses) == 40
    assert most[0] == 5
    assert len(accepted) == 5  # and their connections were kept


def test_the_first_error_stops_the_rest_and_is_raised() -> None:
    denied = Answer(403, s3_error("AccessDenied", "Access Denied"))
    ok = Answer(200, b"<Tagging/>")
    progress: list[int] = []
    with stub_server(ok, denied, ok, ok, ok) as stub, make_transport() as t:
        s3 = S3Client(t, region="us-east-1", endpoint_url=stub.url, addressing_style="path")
        tasks: list[Task] = [partial(_read_tags, s3, b) for b in ("a", "b", "c", "d", "e")]
        with pytest.raises(AccessDenied) as caught:
            s3.run_many(tasks, parallelism=1, progress=progress.append)
    assert caught.value.address == "bucket.b"
    assert len(stub.received) == 2  # nothing started after the error
    assert progress == [1]


def _read_tags(s3: S3Client, bucket: str) -> Steps[None]:
    yield from s3.getting_configuration(
        bucket, "tagging", operation="GetBucketTagging", action="s3:GetBucketTagging"
    )


def test_through_a_proxy_the_exchange_keeps_the_proxy_manager(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with stub_server(Answer(200, b"<Tagging/>")) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        with make_transport() as t:
            (response,) = send_all(t, [get("http://s3.example.test")])
    assert response.body == b"<Tagging/>"
    assert proxy.received[0].path == "http://s3.example.test/bucket?tagging="


def test_tls_is_verified_against_the_bundle_given(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    with stub_server(Answer(200, b"<Tagging/>"), tls=(cert, key)) as stub:
        with make_transport(ca_bundle=str(cert)) as trusting:
            (response,) = send_all(trusting, [get(stub.url)])
        assert response.body == b"<Tagging/>"
        with make_transport() as plain, pytest.raises(TransportError, match="set AWS_CA_BUNDLE"):
            send_all(plain, [get(stub.url)])


def test_the_ca_bundle_is_loaded_once_for_every_bucket_host(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On AWS each bucket is its own host (virtual-hosted addressing), so its own pool of
    connections; loading the CA bundle for each (about 20 ms) would cost seconds per plan."""
    import ssl

    from reconciler.aws import connections
    from reconciler.aws.loop_connections import LoopConnections

    cert, _ = self_signed(tmp_path)
    loaded: list[str | None] = []
    real = ssl.create_default_context

    def counting(*args: object, cafile: str | None = None, **options: object) -> ssl.SSLContext:
        loaded.append(cafile)
        return real(cafile=cafile)

    monkeypatch.setattr(ssl, "create_default_context", counting)
    connections.tls_context.cache_clear()
    for n in range(50):
        root = f"https://bucket-{n}.s3.eu-west-1.amazonaws.com"
        LoopConnections(root, connect=1, read=1, size=4, ca_certs=str(cert))
    assert loaded == [str(cert)]


def test_idle_connections_over_many_endpoints_stay_within_the_parallelism() -> None:
    """As on AWS, where each bucket is its own host: reading many leaves no more idle
    connections open than the parallelism (the longest idle are closed), whether the reads
    were many at once or one at a time."""
    lock = threading.Lock()
    open_now = [0]

    def handle(connection: socket.socket, _: int) -> None:
        with lock:
            open_now[0] += 1
        try:
            while read_request(connection):
                connection.sendall(OK)
        finally:
            with lock:
                open_now[0] -= 1

    with ExitStack() as servers:
        urls = [servers.enter_context(raw_server(handle))[0] for _ in range(12)]
        with make_transport(pool_size=4) as t:
            send_all(t, [get(url, f"b{i}") for url in urls for i in range(3)], parallelism=4)
            for url in urls:  # and one at a time, on this thread
                t.send(get(url))
            time.sleep(0.3)  # (the servers see the closes)
            with lock:
                assert open_now[0] <= 4  # one driver: at most 4 idle over every endpoint


def test_there_is_one_driver_no_http_client_and_no_second_pool() -> None:
    """Every request goes through the event-loop driver: nothing in the package opens
    ``http.client`` connections or keeps urllib3's pools (requests is only asked what the
    proxy settings say)."""
    package = Path(__file__).parent.parent / "reconciler"
    offending = [
        f"{path.relative_to(package.parent)}: {line.strip()}"
        for path in sorted(package.rglob("*.py"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.lstrip().startswith(("import ", "from "))
        and any(name in line for name in ("http.client", "urllib3", "ProxyManager", "httpx"))
    ]
    assert offending == []


def test_fresh_credentials_are_fetched_off_the_loop_while_reads_go_on() -> None:
    """A refresh that blocks (an STS call, a back-off, an MFA prompt) runs on a thread of its
    own: the loop's thread never runs it, and reads signed with what still works go on."""
    from reconciler.aws.credentials.provider import RefreshingProvider, Temporary

    fetched_on: list[str] = []

    def fetch() -> Temporary:
        fetched_on.append(threading.current_thread().name)
        time.sleep(0.3)  # blocking, as an STS call with its back-off would
        return Temporary(CREDENTIALS, None)

    provider = RefreshingProvider(fetch, source="slow source")
    with raw_server(answering(*[OK] * 8)) as (url, _), make_transport(credentials=provider) as t:
        responses = send_all(t, [get(url, f"b{i}") for i in range(8)], parallelism=8)
    assert [r.body for r in responses] == [b"<Tagging/>"] * 8
    assert len(fetched_on) == 1  # fetched once (the first requests wait for it)
    assert "reconciler-http" not in fetched_on

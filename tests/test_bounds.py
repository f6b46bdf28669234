"""Each bound, against a server that exceeds it: an endless body, a 200 MB XML answer, a 1 GB
credentials answer, credential endpoints dripping a byte at a time, listings that never end.
The client runs in a process of its own, so its peak memory is its own: each test asserts the
error, naming the endpoint and the limit, and that the process stayed under `RSS_MB`."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Callable

import pytest

from tests.hostile_server import http, raw_server, read_request

#: The most memory a client process may use while a server sends it gigabytes (a process
#: with the client imported peaks at about 32 MB).
RSS_MB = 100

CLIENT = r"""
import json, sys
from reconciler.aws.config import RetryPolicy, Timeouts
from reconciler.aws.credentials.context import SourceContext
from reconciler.aws.credentials.endpoints import from_container, from_instance_metadata
from reconciler.aws.limits import Bounds
from reconciler.aws.profiles import SharedFiles
from reconciler.aws.s3 import S3Client
from reconciler.aws.signing import Credentials
from reconciler.aws.transport import Transport
from reconciler.errors import ReconcilerError

kind, url, bounds = sys.argv[1], sys.argv[2], Bounds(**json.loads(sys.argv[3]))
error = ""
try:
    if kind in ("container", "imds"):
        env = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": url + "/creds",
               "AWS_EC2_METADATA_SERVICE_ENDPOINT": url}
        files = SharedFiles.from_environment({"HOME": "/nonexistent"})
        ctx = SourceContext(env=env, files=files, region="us-east-1", bounds=bounds)
        source = from_container(ctx) if kind == "container" else from_instance_metadata(ctx)
        source.get()
    else:
        with Transport(credentials=Credentials("AKID", "secret"), bounds=bounds,
                       retry=RetryPolicy(max_attempts=1), timeouts=Timeouts(1, 5)) as t:
            s3 = S3Client(t, region="us-east-1", endpoint_url=url)
            if kind == "listing":
                s3.list_buckets()
            else:
                s3.run(s3.getting_configuration("b", "versioning",
                       operation="GetBucketVersioning", action="s3:GetBucketVersioning"))
except ReconcilerError as exc:
    error = str(exc)
# The peak of this process's own memory (VmHWM): ru_maxrss would also count the memory of the
# test process it was forked from, which Linux carries across exec.
with open("/proc/self/status") as status:
    peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(json.dumps({"error": error, "rss_mb": peak_kb / 1024}))
"""


def client(kind: str, url: str, **bounds: object) -> tuple[str, float, float]:
    """The client's error, its peak memory (MB) and how long it took."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", CLIENT, kind, url, json.dumps(bounds)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    return found["error"], found["rss_mb"], time.monotonic() - started


def endless(head: bytes, piece: bytes) -> Callable[[socket.socket, int], None]:
    """Answers every request with ``head``, then ``piece`` again and again until the client
    goes away."""

    def handle(connection: socket.socket, _: int) -> None:
        while read_request(connection):
            connection.sendall(head)
            while True:
                connection.sendall(piece)

    return handle


MIB = b"x" * (1 << 20)


def test_an_endless_body_ends_at_the_configuration_bound() -> None:
    chunk = b"100000\r\n" + MIB + b"\r\n"
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    with raw_server(endless(head, chunk)) as (url, _):
        error, rss, _ = client("configuration", url)
    assert error == (
        f"bucket.b: GetBucketVersioning: no answer from {url} (the answer is over 4 MiB: "
        "the answer size bound)"
    )
    assert rss < RSS_MB


def test_a_200_mb_xml_listing_ends_at_the_listing_bound() -> None:
    """ListBuckets, its length not stated (the body runs until the server closes): read up to
    the listing bound (16 MiB), no further."""
    head = b'HTTP/1.0 200 OK\r\n\r\n<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult>'
    with raw_server(endless(head, b"<Owner>" + MIB + b"</Owner>")) as (url, _):
        error, rss, _ = client("listing", url)
    assert error == (
        f"ListBuckets: no answer from {url} (the answer is over 16 MiB: the answer size bound)"
    )
    assert rss < RSS_MB


def test_a_stated_length_past_the_bound_is_refused_before_the_body() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 209715200\r\n\r\n"
    with raw_server(endless(head, MIB)) as (url, _):
        error, rss, took = client("listing", url)
    assert error.endswith("(the answer is over 16 MiB: the answer size bound)")
    assert rss < RSS_MB
    assert took < 10


def test_a_1_gb_credentials_answer_ends_at_the_credentials_bound() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 1073741824\r\n\r\n"
    with raw_server(endless(head, b'{"AccessKeyId": "' + MIB)) as (url, _):
        error, rss, _ = client("container", url)
    assert error == (
        "the container credential endpoint: GetContainerCredentials: no answer from "
        f"{url} (the answer is over 64 KiB: the answer size bound)"
    )
    assert rss < RSS_MB


def dripping(answer: bytes) -> Callable[[socket.socket, int], None]:
    def handle(connection: socket.socket, _: int) -> None:
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while read_request(connection):
            for byte in answer:
                connection.sendall(bytes([byte]))
                time.sleep(0.2)

    return handle


@pytest.mark.parametrize("kind", ["container", "imds"])
def test_a_credential_endpoint_dripping_ends_at_the_credential_deadline(kind: str) -> None:
    """A byte every 0.2 s trips no read timeout (IMDS's is 2 s); the fetch's deadline
    (credential_seconds, 2 s here) ends it."""
    with raw_server(dripping(http(200, b"x" * 100))) as (url, _):
        error, rss, took = client(kind, url, credential_seconds=2.0)
    source = (
        "the container credential endpoint" if kind == "container"
        else "the EC2 instance metadata service"
    )  # fmt: skip
    assert error == f"{source}: no credentials within 2 s (credential_seconds)"
    assert 2.0 <= took < 8.0
    assert rss < RSS_MB


def listing(token: Callable[[int], str]) -> Callable[[socket.socket, int], None]:
    """ListBuckets pages of one bucket each, the n-th handing out ``token(n)``."""
    pages = [0]

    def handle(connection: socket.socket, _: int) -> None:
        while read_request(connection):
            pages[0] += 1
            page, given = pages[0], token(pages[0])
            body = (
                f"<ListAllMyBucketsResult><Buckets><Bucket><Name>b{page}</Name></Bucket>"
                f"</Buckets><ContinuationToken>{given}</ContinuationToken>"
                "</ListAllMyBucketsResult>"
            )
            connection.sendall(http(200, body.encode()))

    return handle


def test_a_listing_that_never_ends_stops_at_the_page_bound() -> None:
    with raw_server(listing(lambda n: f"token-{n}")) as (url, _):
        error, _, _ = client("listing", url, pages=20)
    assert error == "ListBuckets: the listing goes on past 20 pages (pages)"


def test_a_listing_that_repeats_its_token_is_an_error_at_once() -> None:
    with raw_server(listing(lambda n: "again" if n > 2 else f"token-{n}")) as (url, _):
        error, _, _ = client("listing", url)
    assert error == "ListBuckets: the listing repeats its continuation token"

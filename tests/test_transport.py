"""Transport behaviours, shown against a scripted local HTTP server: what is retried and how
long it waits, what is final, region redirects, hostile bodies, and logs without secrets."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reconciler.aws.config import RetryPolicy, Timeouts
from reconciler.aws.s3 import S3Client
from reconciler.aws.signing import Credentials
from reconciler.aws.transport import Request, Transport
from reconciler.errors import (
    AccessDenied,
    BadRequest,
    InternalError,
    PermanentRedirect,
    ResponseParseError,
    TransportError,
)
from tests import aspect_samples
from tests.stub_server import Answer, s3_error, stub_server

CREDENTIALS = Credentials("AKIDSTUB", "stub-secret-value-123", "stub-session-token-456")
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


class Recorder:
    def __init__(self) -> None:
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


def make_transport(recorder: Recorder, *, attempts: int = 5, jitter: float = 0.5) -> Transport:
    return Transport(
        credentials=CREDENTIALS,
        retry=RetryPolicy(max_attempts=attempts, base_delay=1.0, max_delay=20.0),
        timeouts=Timeouts(connect=1.0, read=0.5),
        sleep=recorder.sleep,
        jitter=lambda: jitter,
        clock=lambda: NOW,
    )


def get(url: str, operation: str = "GetBucketTagging") -> Request:
    return Request(
        service="s3",
        region="us-east-1",
        method="GET",
        root=url,
        path="/bucket",
        operation=operation,
        query=(("tagging", ""),),
        bucket="bucket",
        # as the client sends a configuration read: with the action its unit states
        actions=("s3:GetBucketTagging",),
    )


def test_slow_down_twice_then_success_on_the_third_attempt() -> None:
    recorder = Recorder()
    slow = Answer(503, s3_error("SlowDown", "Please reduce your request rate."))
    with stub_server(slow, slow, Answer(200, b"<Tagging/>")) as stub, make_transport(recorder) as t:
        response = t.send(get(stub.url))
    assert response.status == 200
    assert len(stub.received) == 3
    # full jitter (0.5 here) of a doubling base: 1 s, then 2 s
    assert recorder.sleeps == [0.5, 1.0]
    # each attempt is signed afresh
    assert all("authorization" in r.headers for r in stub.received)


def test_a_plain_400_is_not_retried() -> None:
    recorder = Recorder()
    with (
        stub_server(Answer(400, s3_error("InvalidArgument", "bad"))) as stub,
        make_transport(recorder) as t,
        pytest.raises(BadRequest) as caught,
    ):
        t.send(get(stub.url))
    assert len(stub.received) == 1
    assert recorder.sleeps == []
    assert caught.value.code == "InvalidArgument"
    assert caught.value.request_id == "REQ123"


def test_access_denied_is_final_and_typed() -> None:
    recorder = Recorder()
    with (
        stub_server(Answer(403, s3_error("AccessDenied", "Access Denied"))) as stub,
        make_transport(recorder) as t,
        pytest.raises(AccessDenied) as caught,
    ):
        t.send(get(stub.url))
    assert len(stub.received) == 1
    assert str(caught.value) == (
        "bucket.bucket: AccessDenied: GetBucketTagging: Access Denied (the IAM action "
        "s3:GetBucketTagging on arn:aws:s3:::bucket was refused) (HTTP 403, request id REQ123)"
    )


def test_the_attempt_limit_holds() -> None:
    recorder = Recorder()
    failing = [Answer(500, s3_error("InternalError", "We encountered an internal error."))] * 10
    with (
        stub_server(*failing) as stub,
        make_transport(recorder, attempts=4) as t,
        pytest.raises(InternalError),
    ):
        t.send(get(stub.url))
    assert len(stub.received) == 4
    assert len(recorder.sleeps) == 3
    assert t.requests_sent == 4


def test_backoff_is_capped() -> None:
    policy = RetryPolicy(max_attempts=10, base_delay=1.0, max_delay=5.0)
    assert [policy.backoff(n, 1.0) for n in range(1, 6)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert policy.backoff(3, 0.0) == 0.0


def test_retry_after_is_honoured() -> None:
    recorder = Recorder()
    throttled = Answer(429, s3_error("TooManyRequestsException"), headers={"Retry-After": "7"})
    with stub_server(throttled, Answer(200, b"<Tagging/>")) as stub, make_transport(recorder) as t:
        t.send(get(stub.url))
    assert recorder.sleeps == [7.0]


def test_retry_after_never_exceeds_the_cap() -> None:
    recorder = Recorder()
    throttled = Answer(503, s3_error("SlowDown"), headers={"Retry-After": "3600"})
    with stub_server(throttled, Answer(200)) as stub, make_transport(recorder) as t:
        t.send(get(stub.url))
    assert recorder.sleeps == [20.0]


def test_a_reset_connection_is_retried() -> None:
    recorder = Recorder()
    with (
        stub_server(Answer(reset=True), Answer(200, b"<Tagging/>")) as stub,
        make_transport(recorder) as t,
    ):
        assert t.send(get(stub.url)).status == 200
    assert len(stub.received) == 2
    assert len(recorder.sleeps) == 1


def test_a_read_timeout_is_retried() -> None:
    recorder = Recorder()
    with (
        stub_server(Answer(200, delay=1.5), Answer(200, b"<Tagging/>")) as stub,
        make_transport(recorder) as t,
    ):
        assert t.send(get(stub.url)).body == b"<Tagging/>"
    assert len(recorder.sleeps) == 1


def test_connection_refused_ends_in_a_typed_error_naming_the_operation() -> None:
    recorder = Recorder()
    with stub_server() as stub:
        url = stub.url
    with make_transport(recorder, attempts=3) as t, pytest.raises(TransportError) as caught:
        t.send(get(url))
    assert len(recorder.sleeps) == 2
    assert "GetBucketTagging: no answer from http://127.0.0.1" in str(caught.value)
    assert str(caught.value).startswith("bucket.bucket: ")
    assert isinstance(caught.value.__cause__, Exception)


def test_a_permanent_redirect_is_followed_once_in_the_named_region() -> None:
    recorder = Recorder()
    redirect = Answer(
        301,
        s3_error("PermanentRedirect", "use the right endpoint", Endpoint="x.s3.amazonaws.com"),
        headers={"x-amz-bucket-region": "eu-west-2"},
    )
    ok = Answer(200, b"<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>")
    with stub_server(redirect, ok) as stub, make_transport(recorder) as t:
        s3 = S3Client(t, region="us-east-1", endpoint_url=stub.url)
        assert aspect_samples.get(s3, "far-away", "tags") == {"a": "b"}
        assert s3.bucket_region("far-away") == "eu-west-2"
    first, second = (r.headers["authorization"] for r in stub.received)
    assert "/us-east-1/s3/aws4_request" in first
    assert "/eu-west-2/s3/aws4_request" in second
    assert recorder.sleeps == []  # a redirect is not a retry


def test_a_second_redirect_is_not_followed() -> None:
    recorder = Recorder()
    redirects = [
        Answer(301, s3_error("PermanentRedirect"), headers={"x-amz-bucket-region": region})
        for region in ("eu-west-2", "ap-south-1", "us-west-1")
    ]
    with stub_server(*redirects) as stub, make_transport(recorder) as t:
        s3 = S3Client(t, region="us-east-1", endpoint_url=stub.url)
        with pytest.raises(PermanentRedirect) as caught:
            aspect_samples.get(s3, "far-away", "tags")
    assert len(stub.received) == 2
    assert caught.value.region == "ap-south-1"


def test_authorization_header_malformed_names_the_region_to_retry_in() -> None:
    recorder = Recorder()
    wrong_region = Answer(
        400, s3_error("AuthorizationHeaderMalformed", "the region is wrong", Region="ca-central-1")
    )
    with (
        stub_server(wrong_region, Answer(200, b"<Tagging/>")) as stub,
        make_transport(recorder) as t,
    ):
        s3 = S3Client(t, region="us-east-1", endpoint_url=stub.url)
        assert aspect_samples.get(s3, "canadian", "tags") == {}
    assert "/ca-central-1/s3/aws4_request" in stub.received[1].headers["authorization"]


def test_head_bucket_learns_the_region_from_a_redirect() -> None:
    recorder = Recorder()
    redirect = Answer(301, headers={"x-amz-bucket-region": "sa-east-1"})
    found = Answer(200, headers={"x-amz-bucket-region": "sa-east-1"})
    with stub_server(redirect, found) as stub, make_transport(recorder) as t:
        s3 = S3Client(t, region="us-east-1", endpoint_url=stub.url)
        head = s3.head_bucket("brazilian")
    assert head is not None
    assert head.region == "sa-east-1"
    assert [r.method for r in stub.received] == ["HEAD", "HEAD"]


def test_list_buckets_follows_continuation_tokens() -> None:
    recorder = Recorder()
    page = "<ListAllMyBucketsResult><Buckets>{}</Buckets>{}</ListAllMyBucketsResult>"
    bucket = (
        "<Bucket><Name>{}</Name><CreationDate>2026-01-01T00:00:00.000Z</CreationDate>"
        "<BucketRegion>eu-west-1</BucketRegion></Bucket>"
    )
    first = page.format(
        bucket.format("a-1") + bucket.format("a-2"),
        "<ContinuationToken>tok/en+1</ContinuationToken>",
    )
    second = page.format(bucket.format("a-3"), "")
    with (
        stub_server(Answer(200, first.encode()), Answer(200, second.encode())) as stub,
        make_transport(recorder) as t,
    ):
        s3 = S3Client(t, region="us-east-1", endpoint_url=stub.url)
        listed = s3.list_buckets()
    assert [b.name for b in listed] == ["a-1", "a-2", "a-3"]
    assert listed[0].region == "eu-west-1"
    # max-buckets on every page: S3 answers BucketRegion only for a request with a parameter
    assert stub.received[0].path == "/?max-buckets=10000"
    assert stub.received[1].path == "/?continuation-token=tok%2Fen%2B1&max-buckets=10000"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Tagging><TagSet><Tag><Key>k</Key><Value>&lol4;</Value></Tag></TagSet></Tagging>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<Tagging><TagSet><Tag><Key>k</Key><Value>&x;</Value></Tag></TagSet></Tagging>"""


_ENTITY = '<!DOCTYPE t [<!ENTITY x "boom">]><Tagging><TagSet><Tag><Key>k</Key><Value>&x;</Value>'
_ENTITY += "</Tag></TagSet></Tagging>"
#: A DOCTYPE in an encoding where it has no "<!" bytes: with and without a byte order mark,
#: UTF-32, and an encoding named by the declaration (EBCDIC).
OTHER_ENCODINGS = [
    ('<?xml version="1.0" encoding="UTF-16"?>' + _ENTITY).encode("utf-16"),
    ('<?xml version="1.0" encoding="UTF-16"?>' + _ENTITY).encode("utf-16-le"),
    _ENTITY.encode("utf-16-be"),
    ('<?xml version="1.0" encoding="UTF-32"?>' + _ENTITY).encode("utf-32"),
    b'<?xml version="1.0" encoding="cp037"?>' + _ENTITY.encode("cp037"),
]


@pytest.mark.parametrize(
    "body",
    [BILLION_LAUGHS, EXTERNAL_ENTITY, *OTHER_ENCODINGS],
    ids=["bomb", "external", "utf-16", "utf-16-no-bom", "utf-16-be", "utf-32", "declared"],
)
def test_a_hostile_xml_response_is_refused(body: bytes) -> None:
    recorder = Recorder()
    with stub_server(Answer(200, body)) as stub, make_transport(recorder) as t:
        s3 = S3Client(t, region="us-east-1", endpoint_url=stub.url)
        with pytest.raises(ResponseParseError) as caught:
            aspect_samples.get(s3, "target", "tags")
    assert caught.value.address == "bucket.target"
    message = str(caught.value)
    assert "boom" not in message
    assert (
        "GetBucketTagging: the response was refused: it uses an XML construct that no AWS "
        "response uses (DTDForbidden)"
        in message
        # (an encoding expat does not read, UTF-32 or EBCDIC: refused before any DOCTYPE is)
        or "GetBucketTagging: the response is not well-formed XML (" in message
    )


def test_a_hostile_error_body_is_refused_too() -> None:
    recorder = Recorder()
    with (
        stub_server(Answer(400, BILLION_LAUGHS)) as stub,
        make_transport(recorder) as t,
        pytest.raises(ResponseParseError),
    ):
        t.send(get(stub.url))


def test_malformed_xml_is_a_typed_error() -> None:
    recorder = Recorder()
    with stub_server(Answer(200, b"<Tagging><TagSet>")) as stub, make_transport(recorder) as t:
        s3 = S3Client(t, region="us-east-1", endpoint_url=stub.url)
        with pytest.raises(ResponseParseError, match="not well-formed"):
            aspect_samples.get(s3, "target", "tags")


def test_a_debug_logged_session_holds_no_secret_token_or_signature(
    caplog: pytest.LogCaptureFixture,
) -> None:
    recorder = Recorder()
    answers = [
        Answer(503, s3_error("SlowDown")),
        Answer(200, b"<Tagging/>"),
        Answer(reset=True),
        Answer(200, b"<Tagging/>"),
        Answer(403, s3_error("SignatureDoesNotMatch", "The request signature we calculated...")),
    ]
    caplog.set_level(logging.DEBUG)  # every logger, urllib3's included
    with stub_server(*answers) as stub, make_transport(recorder) as t:
        s3 = S3Client(t, region="us-east-1", endpoint_url=stub.url)
        aspect_samples.get(s3, "logged", "tags")
        aspect_samples.put(s3, "logged", "tags", {"k": "v"})
        with pytest.raises(AccessDenied.__mro__[1]):  # Forbidden
            s3.delete_bucket("logged")
        url = s3.presign_get_object("logged", "key")
    text = caplog.text
    assert "GET /logged?tagging= -> 503" in text  # the log is there...
    signatures = {
        m.group(1)
        for r in stub.received
        for m in [re.search(r"Signature=([0-9a-f]{64})", r.headers["authorization"])]
        if m
    }
    signatures.add(url.rsplit("X-Amz-Signature=", 1)[1])
    assert signatures
    for secret in [CREDENTIALS.secret_access_key, CREDENTIALS.session_token or "", *signatures]:
        assert secret not in text  # ...and holds none of these
    assert "authorization" not in text.lower()


def test_a_netrc_entry_never_replaces_the_signature(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine 127.0.0.1 login basic password basic-password\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    with stub_server(Answer(200, b"<Tagging/>")) as stub, make_transport(Recorder()) as t:
        t.send(get(stub.url))
    assert stub.received[0].headers["authorization"].startswith("AWS4-HMAC-SHA256 ")


def test_proxies_come_from_the_environment_and_no_proxy_is_honoured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with stub_server(Answer(200, b"<Tagging/>"), Answer(200, b"<Tagging/>")) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        with make_transport(Recorder()) as t:
            t.send(get("http://s3.example.test"))
        assert proxy.received[0].path == "http://s3.example.test/bucket?tagging="
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        with stub_server(Answer(200, b"<Tagging/>")) as direct, make_transport(Recorder()) as t:
            t.send(get(direct.url))
        assert len(direct.received) == 1
        assert len(proxy.received) == 1

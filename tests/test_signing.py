"""The SigV4 signer: AWS's published test-suite vectors, and byte-for-byte agreement with
botocore's S3 signer on generated requests."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any
from unittest import mock
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials as BotoCredentials

from reconciler.aws import signing
from reconciler.aws.signing import (
    EMPTY_SHA256,
    UNSIGNED_PAYLOAD,
    Credentials,
    SigV4Signer,
    canonical_query,
    canonical_request,
    payload_sha256,
    uri_encode,
)

# -- AWS's SigV4 test suite ------------------------------------------------------------------
# The cases of the published suite (service "service", us-east-1, 2015-08-30T12:36:00Z) whose
# paths need no normalisation, so S3-style signing (path as sent) must give the same signature.
SUITE_CREDENTIALS = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
SUITE_TIME = datetime(2015, 8, 30, 12, 36, tzinfo=UTC)
UNRESERVED = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
SUITE: list[tuple[str, str, str, list[tuple[str, str]], dict[str, str], bytes, str]] = [
    # name, method, raw path, query, extra headers, body, expected signature
    ("get-vanilla", "GET", "/", [], {}, b"",
     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
    ("get-vanilla-empty-query-key", "GET", "/", [("Param1", "value1")], {}, b"",
     "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"),
    ("get-vanilla-query-order-key-case", "GET", "/", [("Param2", "value2"), ("Param1", "value1")],
     {}, b"", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
    ("get-vanilla-query-unreserved", "GET", "/", [(UNRESERVED, UNRESERVED)], {}, b"",
     "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"),
    ("get-vanilla-utf8-query", "GET", "/", [("\u1234", "bar")], {}, b"",
     "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
    ("get-unreserved", "GET", "/" + UNRESERVED, [], {}, b"",
     "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"),
    ("get-utf8", "GET", "/\u1234", [], {}, b"",
     "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"),
    ("get-header-key-duplicate", "GET", "/", [], {"My-Header1": "value2,value2,value1"}, b"",
     "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"),
    ("get-header-value-order", "GET", "/", [], {"My-Header1": "value4,value1,value3,value2"}, b"",
     "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"),
    ("get-header-value-trim", "GET", "/", [],
     {"My-Header1": " value1", "My-Header2": ' "a   b   c"'}, b"",
     "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
    ("post-vanilla", "POST", "/", [], {}, b"",
     "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
    ("post-header-key-sort", "POST", "/", [], {"My-Header1": "value1"}, b"",
     "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"),
    ("post-header-value-case", "POST", "/", [], {"My-Header1": "VALUE1"}, b"",
     "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"),
    ("post-vanilla-query", "POST", "/", [("Param1", "value1")], {}, b"",
     "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"),
    ("post-vanilla-query-nonunreserved", "POST", "/",
     [("@#$%^", ""), ("+", '/,?><`";:\\|][{}')], {}, b"",
     "66c82657c86e26fb25238d0e69f011edc4c6df5ae71119d7cb98ed9b87393c1e"),
    ("post-x-www-form-urlencoded", "POST", "/", [],
     {"Content-Type": "application/x-www-form-urlencoded"}, b"Param1=value1",
     "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"),
    ("post-x-www-form-urlencoded-parameters", "POST", "/", [],
     {"Content-Type": "application/x-www-form-urlencoded; charset=utf8"}, b"Param1=value1",
     "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe"),
]  # fmt: skip


@pytest.mark.parametrize("case", SUITE, ids=[case[0] for case in SUITE])
def test_aws_sigv4_suite(case: tuple[Any, ...]) -> None:
    _, method, raw_path, query, headers, body, expected = case
    signer = SigV4Signer(service="service", clock=lambda: SUITE_TIME)
    added = signer.sign(
        credentials=SUITE_CREDENTIALS,
        region="us-east-1",
        method=method,
        host="example.amazonaws.com",
        path=uri_encode(raw_path, keep_slash=True),
        query=query,
        headers=headers,
        payload_hash=payload_sha256(body),
        content_sha256_header=False,  # the suite predates S3's extra header
    )
    assert added["x-amz-date"] == "20150830T123600Z"
    assert added["authorization"].endswith(f"Signature={expected}")
    scope = "Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request"
    assert scope in added["authorization"]


def test_canonical_request_keeps_the_path_as_sent_and_sorts_the_query() -> None:
    text, signed = canonical_request(
        method="get",
        path="/bucket/a%20b//c",
        query=[("z", "1"), ("acl", ""), ("a", "2"), ("a", "1")],
        headers={"Host": "h", "X-Amz-Date": "d", "User-Agent": "not signed"},
        payload_hash=EMPTY_SHA256,
    )
    lines = text.split("\n")
    assert lines[0] == "GET"
    assert lines[1] == "/bucket/a%20b//c"  # S3: never normalised, "//" kept
    assert lines[2] == "a=1&a=2&acl=&z=1"
    assert signed == "host;x-amz-date"  # user-agent is left out


def test_query_encoding_is_rfc3986() -> None:
    assert canonical_query([("a b", "c+d/e~")]) == "a%20b=c%2Bd%2Fe~"
    assert uri_encode("a b/c+d~ሴ", keep_slash=True) == "a%20b/c%2Bd~%E1%88%B4"


def test_signing_key_is_derived_once_per_day_region_and_service() -> None:
    signing.signing_key.cache_clear()
    signer = SigV4Signer(service="s3", clock=lambda: SUITE_TIME)
    for _ in range(5):
        signer.sign(
            credentials=SUITE_CREDENTIALS,
            region="eu-west-1",
            method="GET",
            host="h",
            path="/",
            query=[],
            headers={},
            payload_hash=EMPTY_SHA256,
        )
    info = signing.signing_key.cache_info()
    assert (info.misses, info.hits) == (1, 4)


def test_credentials_repr_hides_the_secret_and_token() -> None:
    shown = repr(Credentials("AKID", "very-secret", "session-token"))
    assert "AKID" in shown
    assert "very-secret" not in shown
    assert "session-token" not in shown


# -- agreement with botocore -----------------------------------------------------------------

KEY_PIECES = ["photos", "a b", "c+d", "~tilde", "\u1234", "caf\u00e9", "x//y", "100%", "semi;colon",
              "q?mark", "eq=", "amp&", "dot.", "..", "*star", "(paren)", "\U0001f600", "tab\there",
              "UPPER", "-_."]  # fmt: skip
QUERY_NAMES = ["acl", "prefix", "max-keys", "list-type", "versionId", "a b", "\u1234", "x", "X"]
QUERY_VALUES = ["", "1", "a b", "c+d", "/slash/", "ሴ", "=&?", "~-._", "%41", "x"]
HEADER_VALUES = ["text/plain", "  spaced   out  ", "a,b", "UPPER case", "\u00e9t\u00e9"]


def _generated_request(rng: random.Random) -> dict[str, Any]:
    bucket = rng.choice(["bucket", "my-bucket", "dotted.bucket.name"])
    key = "/".join(rng.choice(KEY_PIECES) for _ in range(rng.randint(0, 4)))
    query = [(rng.choice(QUERY_NAMES), rng.choice(QUERY_VALUES)) for _ in range(rng.randint(0, 4))]
    headers = {}
    if rng.random() < 0.5:
        headers["Content-Type"] = rng.choice(HEADER_VALUES[:2])
    if rng.random() < 0.5:
        headers["x-amz-meta-note"] = rng.choice(HEADER_VALUES)
    if rng.random() < 0.3:
        headers["Content-MD5"] = "1B2M2Y8AsgTpgAmY7PhCfg=="
    body_kind = rng.choice(["empty", "text", "binary"])
    body = {
        "empty": b"",
        "text": "hello ሴ".encode() * rng.randint(1, 3),
        "binary": bytes(rng.randrange(256) for _ in range(rng.randint(1, 64))),
    }[body_kind]
    return {
        "method": rng.choice(["GET", "PUT", "POST", "DELETE", "HEAD"]),
        "path": f"/{bucket}/" + uri_encode(key, keep_slash=True),
        "query": query,
        "headers": headers,
        "body": body,
        "region": rng.choice(["us-east-1", "eu-west-1", "ap-southeast-2"]),
        "token": rng.choice([None, "FwoGZXIvYXdzEXAMPLE//token+with/specials=="]),
        "unsigned": rng.random() < 0.2,
        "when": datetime(2026, 1, 1, tzinfo=UTC).replace(
            day=rng.randint(1, 28), hour=rng.randint(0, 23), second=rng.randint(0, 59)
        ),
    }


def _botocore_authorization(req: dict[str, Any], host: str) -> dict[str, str]:
    query = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in req["query"])
    url = f"http://{host}{req['path']}" + (f"?{query}" if query else "")
    request = AWSRequest(
        method=req["method"], url=url, headers=dict(req["headers"]), data=req["body"]
    )
    if req["unsigned"]:
        request.context["client_config"] = Config(s3={"payload_signing_enabled": False})
    auth = S3SigV4Auth(
        BotoCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", req["token"]),
        "s3",
        req["region"],
    )
    naive = req["when"].astimezone(UTC).replace(tzinfo=None)
    with mock.patch("botocore.auth.get_current_datetime", return_value=naive):
        auth.add_auth(request)
    return {k.lower(): v for k, v in request.headers.items()}


GENERATED = 250


@pytest.mark.parametrize("seed", range(GENERATED))
def test_authorization_equals_botocore(seed: int) -> None:
    req = _generated_request(random.Random(seed))
    host = "127.0.0.1:9000"
    expected = _botocore_authorization(req, host)
    signer = SigV4Signer(service="s3", clock=lambda: req["when"])
    added = signer.sign(
        credentials=Credentials(
            "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", req["token"]
        ),
        region=req["region"],
        method=req["method"],
        host=host,
        path=req["path"],
        query=req["query"],
        headers=req["headers"],
        payload_hash=UNSIGNED_PAYLOAD if req["unsigned"] else payload_sha256(req["body"]),
    )
    assert added["x-amz-content-sha256"] == expected["x-amz-content-sha256"]
    assert added.get("x-amz-security-token") == expected.get("x-amz-security-token")
    assert added["authorization"] == expected["authorization"]


@pytest.mark.parametrize("token", [None, "session/token+="])
def test_presigned_url_equals_botocore(token: str | None) -> None:
    when = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    path = "/bucket/" + uri_encode("reports/a b+c.csv", keep_slash=True)
    request = AWSRequest(method="GET", url=f"https://s3.eu-west-1.amazonaws.com{path}")
    auth = S3SigV4QueryAuth(
        BotoCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token),
        "s3",
        "eu-west-1",
        expires=900,
    )
    with mock.patch("botocore.auth.get_current_datetime", return_value=when.replace(tzinfo=None)):
        auth.add_auth(request)
    expected = dict(parse_qsl(urlsplit(request.url).query, keep_blank_values=True))

    ours = SigV4Signer(service="s3", clock=lambda: when).presign(
        credentials=Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token),
        region="eu-west-1",
        method="GET",
        host="s3.eu-west-1.amazonaws.com",
        path=path,
        expires_in=900,
    )
    assert dict(ours) == expected


def test_presign_refuses_an_expiry_beyond_seven_days() -> None:
    signer = SigV4Signer(service="s3")
    with pytest.raises(ValueError, match="expires_in"):
        signer.presign(
            credentials=SUITE_CREDENTIALS,
            region="us-east-1",
            method="GET",
            host="h",
            path="/",
            expires_in=8 * 24 * 3600,
        )

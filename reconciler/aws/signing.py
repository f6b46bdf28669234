"""AWS Signature Version 4, as a pure module.

Nothing here does I/O or reads the clock on its own: the time comes from an injected clock, so a
signature is a function of its inputs and the tests can pin it against AWS's published vectors
and against botocore. The steps are named as AWS documents them:

    canonical request  ->  string to sign  ->  signing key  ->  signature

Paths are signed S3-style: the canonical URI is the path exactly as it goes on the wire (already
percent-encoded once, never normalised), which is what S3 verifies. ``//`` and ``.`` segments in
object keys therefore survive. Services other than S3 receive paths that need no normalisation.

Usage on its own::

    signer = SigV4Signer(service="s3")
    headers = signer.sign(
        credentials=Credentials("AKID...", "secret"),
        region="eu-west-1",
        method="GET",
        host="my-bucket.s3.eu-west-1.amazonaws.com",
        path="/photos/cat.jpg",
        query=[],
        headers={},
        payload_hash=payload_sha256(b""),
    )
    # -> {"x-amz-date": ..., "x-amz-content-sha256": ..., "authorization": ...}
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import quote

ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
MAX_PRESIGN_SECONDS = 7 * 24 * 3600

# Headers that proxies and HTTP libraries add, drop or rewrite in transit: signing them would make
# a correct request fail verification. The same set botocore leaves out.
UNSIGNED_HEADERS = frozenset(
    {
        "authorization",
        "baggage",
        "connection",
        "expect",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "traceparent",
        "tracestate",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "user-agent",
        "x-amzn-trace-id",
    }
)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Credentials:
    """An access key pair, with a session token for temporary credentials.

    The secret and the token never appear in ``repr`` (and so not in logs or tracebacks).
    ``source`` says where they were found, for messages.
    """

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str | None = field(default=None, repr=False)
    source: str = ""


def uri_encode(value: str, *, keep_slash: bool) -> str:
    """RFC 3986 percent-encoding as SigV4 wants it: everything but ``A-Za-z0-9-._~`` encoded,
    ``/`` kept in paths, UTF-8 for non-ASCII."""
    return quote(value, safe="/" if keep_slash else "")


def payload_sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest() if body else EMPTY_SHA256


def canonical_query(query: Iterable[tuple[str, str]]) -> str:
    """Encoded ``name=value`` pairs sorted by encoded name, then value; a bare name gets ``=``."""
    return _canonical_query(tuple(query))


@lru_cache(maxsize=256)
def _canonical_query(query: tuple[tuple[str, str], ...]) -> str:
    # (a plan sends thousands of requests with the same few queries: ?tagging, ?cors, ...)
    pairs = sorted(
        (uri_encode(name, keep_slash=False), uri_encode(value, keep_slash=False))
        for name, value in query
    )
    return "&".join(f"{name}={value}" for name, value in pairs)


def _trim(value: str) -> str:
    return " ".join(value.split())


def canonical_headers(headers: Mapping[str, str]) -> tuple[str, str]:
    """The canonical header block and the ``SignedHeaders`` list, from the headers to sign."""
    lowered: dict[str, list[str]] = {}
    for name, value in headers.items():
        key = name.strip().lower()
        if key in UNSIGNED_HEADERS:
            continue
        lowered.setdefault(key, []).append(_trim(value))
    names = sorted(lowered)
    block = "".join(f"{name}:{','.join(lowered[name])}\n" for name in names)
    return block, ";".join(names)


def canonical_request(
    *,
    method: str,
    path: str,
    query: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    payload_hash: str,
) -> tuple[str, str]:
    """Step 1: the canonical request, and the signed-headers list that goes with it."""
    block, signed = canonical_headers(headers)
    text = "\n".join(
        [method.upper(), path or "/", canonical_query(query), block, signed, payload_hash]
    )
    return text, signed


def credential_scope(date_stamp: str, region: str, service: str) -> str:
    return f"{date_stamp}/{region}/{service}/aws4_request"


def string_to_sign(*, amz_date: str, scope: str, canonical: str) -> str:
    """Step 2: what the signing key signs."""
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{amz_date}\n{scope}\n{digest}"


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()


@lru_cache(maxsize=128)
def signing_key(secret: str, date_stamp: str, region: str, service: str) -> bytes:
    """Step 3: the derived key, which changes only with the date, region and service.

    Cached per (secret, date, region, service): deriving it costs four HMACs per request
    otherwise. The cache lives in this process's memory only.
    """
    k_date = _hmac(f"AWS4{secret}".encode(), date_stamp)
    k_region = _hmac(k_date, region)
    k_service = _hmac(k_region, service)
    return _hmac(k_service, "aws4_request")


def signature(key: bytes, to_sign: str) -> str:
    """Step 4: the hex signature."""
    return hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def _stamps(moment: datetime) -> tuple[str, str]:
    moment = moment.astimezone(UTC)
    return _stamps_of(moment.replace(microsecond=0))


@lru_cache(maxsize=4)
def _stamps_of(second: datetime) -> tuple[str, str]:
    """The two date forms of one second (thousands of requests share each)."""
    return second.strftime("%Y%m%dT%H%M%SZ"), second.strftime("%Y%m%d")


@dataclass(frozen=True)
class SigV4Signer:
    """Signs requests for one service; the clock is injected (UTC ``datetime``)."""

    service: str
    clock: Clock = utc_now

    def sign(
        self,
        *,
        credentials: Credentials,
        region: str,
        method: str,
        host: str,
        path: str,
        query: Sequence[tuple[str, str]],
        headers: Mapping[str, str],
        payload_hash: str,
        content_sha256_header: bool = True,
    ) -> dict[str, str]:
        """Sign a request with the ``Authorization`` header.

        ``path`` is the encoded path as sent; ``query`` the decoded parameters; ``headers`` the
        request's own headers (all of them are signed but for the transit-mangled ones).
        Returns the headers to add: ``host``, ``x-amz-date``, ``x-amz-security-token`` for
        temporary credentials, ``x-amz-content-sha256`` (S3 requires it; pass
        ``content_sha256_header=False`` for other services) and ``authorization``.
        ``payload_hash`` may be :data:`UNSIGNED_PAYLOAD` where S3 allows it.
        """
        amz_date, date_stamp = _stamps(self.clock())
        added: dict[str, str] = {"host": host, "x-amz-date": amz_date}
        if credentials.session_token:
            added["x-amz-security-token"] = credentials.session_token
        if content_sha256_header:
            added["x-amz-content-sha256"] = payload_hash
        to_sign = {k: v for k, v in headers.items() if k.lower() not in added}
        to_sign.update(added)
        canonical, signed = canonical_request(
            method=method, path=path, query=query, headers=to_sign, payload_hash=payload_hash
        )
        scope = credential_scope(date_stamp, region, self.service)
        key = signing_key(credentials.secret_access_key, date_stamp, region, self.service)
        sig = signature(key, string_to_sign(amz_date=amz_date, scope=scope, canonical=canonical))
        added["authorization"] = (
            f"{ALGORITHM} Credential={credentials.access_key_id}/{scope}, "
            f"SignedHeaders={signed}, Signature={sig}"
        )
        return added

    def presign(
        self,
        *,
        credentials: Credentials,
        region: str,
        method: str,
        host: str,
        path: str,
        query: Sequence[tuple[str, str]] = (),
        expires_in: int = 3600,
    ) -> list[tuple[str, str]]:
        """Query-string signing: the full query (``query`` plus the ``X-Amz-*`` parameters and
        the signature) for a URL that works without headers until it expires."""
        if not 1 <= expires_in <= MAX_PRESIGN_SECONDS:
            raise ValueError(f"expires_in must be 1..{MAX_PRESIGN_SECONDS} seconds")
        amz_date, date_stamp = _stamps(self.clock())
        scope = credential_scope(date_stamp, region, self.service)
        params = [
            *query,
            ("X-Amz-Algorithm", ALGORITHM),
            ("X-Amz-Credential", f"{credentials.access_key_id}/{scope}"),
            ("X-Amz-Date", amz_date),
            ("X-Amz-Expires", str(expires_in)),
            ("X-Amz-SignedHeaders", "host"),
        ]
        if credentials.session_token:
            params.append(("X-Amz-Security-Token", credentials.session_token))
        canonical, _ = canonical_request(
            method=method,
            path=path,
            query=params,
            headers={"host": host},
            payload_hash=UNSIGNED_PAYLOAD,
        )
        key = signing_key(credentials.secret_access_key, date_stamp, region, self.service)
        sig = signature(key, string_to_sign(amz_date=amz_date, scope=scope, canonical=canonical))
        return [*params, ("X-Amz-Signature", sig)]

"""One API call and its answer: the request before signing, the response, and what an error
answer means (its typed error, whether it is worth retrying, whether it asks to slow down)."""

from __future__ import annotations

import email.utils
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from http import HTTPStatus
from urllib.parse import urlsplit

from reconciler import xmlcodec as xml
from reconciler.aws import iam
from reconciler.aws.limits import CONFIGURATION
from reconciler.aws.signing import canonical_query
from reconciler.errors import ApiError, ServerError, Throttled, api_error

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
_REDACTED_QUERY = frozenset(
    {"x-amz-signature", "x-amz-credential", "x-amz-security-token", "signature"}
)


@dataclass(frozen=True)
class Request:
    """One API call, before signing.

    ``root`` is ``scheme://host[:port]``; ``path`` is already percent-encoded (S3 keys are
    encoded once by the caller); ``query`` holds decoded names and values. ``operation`` and
    ``address`` only serve messages.
    """

    service: str
    region: str
    method: str
    root: str
    path: str
    operation: str
    query: tuple[tuple[str, str], ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    bucket: str | None = None
    address: str | None = None
    unsigned_payload: bool = False
    #: The IAM actions the call is authorized as, when the caller knows them (a bucket aspect's
    #: unit states its own); otherwise `iam.OPERATIONS` tells by the operation's name.
    actions: tuple[str, ...] = ()
    #: ``False`` for the few calls that carry no signature (web identity, SSO, container and
    #: instance credential endpoints): they prove who is asking in another way.
    signed: bool = True
    #: What kind of answer is expected (`limits`: each kind has its own size bound).
    answer: str = CONFIGURATION

    @property
    def subject(self) -> str | None:
        """The resource address messages name: the given one, else the bucket's."""
        if self.address:
            return self.address
        return f"bucket.{self.bucket}" if self.bucket else None

    @property
    def url(self) -> str:
        return f"{self.root}{self.target}"

    @property
    def target(self) -> str:
        """The path and query, as the request line carries them."""
        query = canonical_query(self.query)
        return self.path + (f"?{query}" if query else "")

    def describe(self) -> str:
        """Method, path and query for logs, with any signing parameter redacted."""
        shown = [
            (name, "REDACTED" if name.lower() in _REDACTED_QUERY else value)
            for name, value in self.query
        ]
        query = canonical_query(shown)
        return f"{self.method} {self.path}" + (f"?{query}" if query else "")


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes
    request_id: str | None
    #: ``scheme://host[:port]`` it came from, for messages about an endpoint that is not AWS.
    root: str = ""


@lru_cache(maxsize=64)
def host_of(root: str) -> str:
    """The Host header for a URL root: the port only when it is not the scheme's default."""
    parts = urlsplit(root)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    if parts.port is not None and parts.port == default:
        return parts.hostname or parts.netloc
    return parts.netloc


def retry_after(value: str | None, now: datetime) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def request_id_of(headers: Mapping[str, str]) -> str | None:
    return headers.get("x-amz-request-id") or headers.get("x-amzn-requestid")


def _json_error(response: Response) -> tuple[str | None, str | None]:
    """The code (``__type`` without its namespace, else the ``x-amzn-ErrorType`` header) and
    message of a JSON 1.1 error answer (Organizations, SSO)."""
    code = response.headers.get("x-amzn-errortype", "").split(":")[0] or None
    try:
        found = json.loads(response.body)
    except ValueError:
        return code, None
    if not isinstance(found, dict):
        return code, None
    given = found.get("__type") or code
    message = found.get("message") or found.get("Message")
    return (str(given).split("#")[-1] if given else None), (str(message) if message else None)


def parse_error(response: Response, request: Request) -> ApiError:
    """The typed error for a failed response, from S3's ``<Error>`` or CloudFront's
    ``<ErrorResponse><Error>`` body, a JSON service's ``{"__type": ...}``, or from the status
    alone (HEAD answers have no body)."""
    code = message = region = None
    request_id = response.request_id
    body = response.body.strip()
    if body.startswith(b"{"):
        code, message = _json_error(response)
    elif body.startswith(b"<"):
        root = xml.parse(
            body,
            what=request.operation,
            address=request.subject,
            source=f"{request.root} (HTTP {response.status})",
        )
        error = root if root.tag == "Error" else root.find("Error")
        if error is not None:
            code = xml.text(error, "Code")
            message = xml.text(error, "Message")
            region = xml.text(error, "Region")
            request_id = request_id or xml.text(error, "RequestId")
        request_id = request_id or xml.text(root, "RequestId")
    region = region or response.headers.get("x-amz-bucket-region")
    status = response.status
    if not code:
        code = {
            301: "PermanentRedirect",
            307: "TemporaryRedirect",
            403: "AccessDenied",
            404: "NotFound",
            412: "PreconditionFailed",
        }.get(status) or f"Http{status}"
    if not message:
        try:
            message = HTTPStatus(status).phrase
        except ValueError:
            message = f"HTTP {status}"
    if status == 403 and code in ("AccessDenied", "AccessDeniedException"):
        hint = iam.refused(request.operation, request.bucket, request.actions)
        if hint:
            message = f"{message} ({hint})"
    return api_error(
        code=code,
        message=f"{request.operation}: {message}",
        status=status,
        request_id=request_id,
        bucket=request.bucket,
        address=request.subject,
        region=region,
        service=request.service,
    )


def is_retryable(error: ApiError) -> bool:
    return isinstance(error, Throttled | ServerError) or error.status in RETRYABLE_STATUS


def is_throttling(error: ApiError) -> bool:
    """An answer that asks to send less at once: SlowDown and the like, 429, 503."""
    return isinstance(error, Throttled) or error.status in (429, 503)

"""What kind of failure a target's is: ``throttled``, ``denied``, ``invalid``, ``unreachable``
or ``other``, from the error raised (its type, and the errors it was raised from) or, for
failures recorded as text (a resource that could not be read, a step that failed), from the
error code the text names. The kinds are what a fleet report counts and sorts by: a denied
account needs its role fixed, a throttled one only a later retry."""

from __future__ import annotations

import re

from reconciler.errors import (
    ApiError,
    ConfigError,
    CredentialsError,
    Forbidden,
    PlanError,
    ReconcilerError,
    ServerError,
    Throttled,
    TransportError,
)
from reconciler.fleet.results import ErrorKind

_DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "InvalidClientTokenId",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "ExpiredToken",
        "ExpiredTokenException",
        "UnrecognizedClientException",
        "AuthFailure",
    }
)
_THROTTLED_CODES = frozenset(
    {
        "SlowDown",
        "Throttling",
        "ThrottlingException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "ServiceUnavailable",
    }
)
_CODE = re.compile(r"\b([A-Z][A-Za-z]+(?:Exception)?)\b")
_STATUS = re.compile(r"\bHTTP (\d{3})\b")


def _api_kind(error: ApiError) -> ErrorKind:
    if error.code in _THROTTLED_CODES or isinstance(error, Throttled) or error.status in (429, 503):
        return "throttled"
    if error.code in _DENIED_CODES or isinstance(error, Forbidden) or error.status == 403:
        return "denied"
    if isinstance(error, ServerError):
        return "unreachable"
    return "other"


def kind_of(error: BaseException) -> ErrorKind:
    """The kind of ``error``, looking through what it was raised from."""
    seen: BaseException | None = error
    found: ErrorKind = "other"
    while seen is not None:
        if isinstance(seen, ApiError):
            return _api_kind(seen)
        if isinstance(seen, TransportError):
            return "unreachable"
        if isinstance(seen, ConfigError):
            return "invalid"
        if isinstance(seen, CredentialsError):
            found = "denied"
        elif isinstance(seen, PlanError) and found == "other":
            found = kind_of_text(str(seen), default="invalid")
        seen = seen.__cause__ or (
            seen.__context__ if not isinstance(seen, ReconcilerError) else None
        )
    return found


def kind_of_text(text: str, *, default: ErrorKind = "other") -> ErrorKind:
    """The kind of the failures a text tells (``reading tags failed: AccessDenied: ... (HTTP
    403)``): the first code or status it names that has one."""
    for code in _CODE.findall(text):
        if code in _THROTTLED_CODES:
            return "throttled"
        if code in _DENIED_CODES:
            return "denied"
    for status in _STATUS.findall(text):
        if status in ("429", "503"):
            return "throttled"
        if status == "403":
            return "denied"
        if status.startswith("5"):
            return "unreachable"
    if "no answer from" in text:
        return "unreachable"
    return default

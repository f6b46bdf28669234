"""The reconciler's error tree.

Every error the reconciler raises on purpose is a `ReconcilerError`, and every one names what it
is about: a resource address (``bucket.NAME``, ``distribution.NAME``) or, for the spec, a file
position. The command line is the single place that turns them into messages and exit codes, so
third-party exceptions (requests, yaml, pydantic) are wrapped where they occur and never travel.

API errors are typed by the code AWS answers with (``NoSuchBucket``, ``BucketNotEmpty``, ...)
and, for codes we have no class for, by HTTP status family, so callers can catch ``NotFound`` or
``Throttled`` without knowing every code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple


class Severity(StrEnum):
    """How much a finding (of the offline rules, or of a plan) matters: an error stops
    everything (no plan, no apply), a warning is said and the run goes on."""

    ERROR = "error"
    WARNING = "warning"


class ReconcilerError(Exception):
    """Base of every error the reconciler raises on purpose."""

    def __init__(self, message: str, *, address: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.address = address

    def __str__(self) -> str:
        return f"{self.address}: {self.message}" if self.address else self.message


class PlanError(ReconcilerError):
    """A plan cannot be made or must not be applied (its diagnostics say why)."""

    def __init__(
        self, message: str, *, address: str | None = None, details: tuple[str, ...] = ()
    ) -> None:
        super().__init__(message, address=address)
        self.details = details


class StalePlanError(PlanError):
    """A saved plan's resources changed since it was made."""

    def __init__(self, message: str, *, addresses: list[str]) -> None:
        super().__init__(message)
        self.addresses = tuple(addresses)


class UnsafeStep(ReconcilerError):
    """A step the executor refuses to take: the contract's safety rules do not hold for it now
    (the resource is not this stack's, the spec does not ask for it, ...), whatever the plan
    says."""


class SourcePosition(NamedTuple):
    """A place in a spec file, 1-based as editors count. (A tuple: a large spec records one
    per value, so it must be cheap to make.)"""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class SpecIssue:
    """One problem found in a spec: ``FILE:LINE:COL: path: message``."""

    message: str
    path: str = ""
    position: SourcePosition | None = None
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = f"{self.position}: " if self.position else ""
        what = f"{self.path}: " if self.path else ""
        label = "warning: " if self.severity is Severity.WARNING else ""
        return f"{where}{label}{what}{self.message}"


class ConfigError(ReconcilerError):
    """The spec (or a setting) is wrong; nothing was sent to AWS.

    A spec error carries every issue found, not just the first.
    """

    def __init__(
        self,
        message: str,
        *,
        address: str | None = None,
        issues: Sequence[SpecIssue] = (),
    ) -> None:
        super().__init__(message, address=address)
        self.issues = tuple(issues)

    def __str__(self) -> str:
        if not self.issues:
            return super().__str__()
        return "\n".join([super().__str__(), *(str(issue) for issue in self.issues)])


class CredentialsError(ReconcilerError):
    """No usable credentials were found, or a credentials source is malformed."""


class TransportError(ReconcilerError):
    """The request never got an HTTP answer (connection refused or reset, timeout)."""


class RequestError(TransportError):
    """A request that must not be sent as it stands (a header value with a line break or a
    character that is not ASCII); nothing was sent."""


class ResponseParseError(ReconcilerError):
    """A response body could not be read safely (malformed, or a hostile XML construct)."""


class ApiError(ReconcilerError):
    """AWS answered with an error.

    Carries the error ``code`` AWS gave, its message, the HTTP status, the request id (for AWS
    support) and, when the request was about one, the bucket or resource it concerned.
    """

    #: the codes this class stands for; the registry below maps them to it
    codes: tuple[str, ...] = ()

    def __init__(
        self,
        message: str,
        *,
        code: str,
        status: int,
        request_id: str | None = None,
        bucket: str | None = None,
        address: str | None = None,
        region: str | None = None,
        service: str = "s3",
    ) -> None:
        if address is None and bucket is not None:
            address = f"bucket.{bucket}"
        super().__init__(message, address=address)
        self.code = code
        self.status = status
        self.request_id = request_id
        self.bucket = bucket
        self.region = region
        self.service = service

    def with_message(self, message: str) -> ApiError:
        """The same error (its type, code, status, request id and where it was) saying
        ``message``."""
        return type(self)(
            message,
            code=self.code,
            status=self.status,
            request_id=self.request_id,
            bucket=self.bucket,
            address=self.address,
            region=self.region,
            service=self.service,
        )

    def __str__(self) -> str:
        detail = f"HTTP {self.status}"
        if self.request_id:
            detail += f", request id {self.request_id}"
        text = f"{self.code}: {self.message} ({detail})"
        return f"{self.address}: {text}" if self.address else text


# -- status families -------------------------------------------------------------------------


class BadRequest(ApiError):
    """The request was refused as malformed or invalid (HTTP 400)."""


class Forbidden(ApiError):
    """Authentication or authorisation failed (HTTP 403)."""


class NotFound(ApiError):
    """The thing asked about does not exist (HTTP 404)."""


class Conflict(ApiError):
    """The request conflicts with the resource's current state (HTTP 409, 412)."""


class Throttled(ApiError):
    """AWS asked us to slow down."""


class ServerError(ApiError):
    """AWS failed on its side (HTTP 5xx)."""


class Unsupported(ApiError):
    """The endpoint does not implement the operation (HTTP 501, or 405 on a configuration
    sub-resource): an S3-compatible store without that feature. Never retried."""

    codes = ("NotImplemented", "XNotImplemented", "MethodNotAllowed")


class Redirect(ApiError):
    """AWS answered that the resource lives elsewhere (HTTP 301/307); ``region`` says where."""


# -- specific codes --------------------------------------------------------------------------


class NoSuchBucket(NotFound):
    codes = ("NoSuchBucket",)


class NoSuchKey(NotFound):
    codes = ("NoSuchKey",)


class BucketNotEmpty(Conflict):
    codes = ("BucketNotEmpty",)


class BucketAlreadyExists(Conflict):
    codes = ("BucketAlreadyExists",)


class BucketAlreadyOwnedByYou(Conflict):
    codes = ("BucketAlreadyOwnedByYou",)


class OperationAborted(Conflict):
    codes = ("OperationAborted",)


class PreconditionFailed(Conflict):
    codes = ("PreconditionFailed",)


class AccessDenied(Forbidden):
    codes = ("AccessDenied", "AllAccessDisabled")


class SignatureDoesNotMatch(Forbidden):
    codes = ("SignatureDoesNotMatch",)


class InvalidAccessKeyId(Forbidden):
    codes = ("InvalidAccessKeyId", "InvalidClientTokenId", "InvalidToken", "ExpiredToken")


class InvalidBucketName(BadRequest):
    codes = ("InvalidBucketName",)


class MalformedXML(BadRequest):
    codes = ("MalformedXML", "MalformedACLError", "MalformedPolicy", "InvalidArgument")


class AuthorizationHeaderMalformed(BadRequest):
    """Signed for the wrong region; ``region`` carries the one AWS expects."""

    codes = ("AuthorizationHeaderMalformed",)


class PermanentRedirect(Redirect):
    codes = ("PermanentRedirect", "TemporaryRedirect")


class SlowDown(Throttled):
    codes = (
        "SlowDown",
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottled",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "RequestThrottledException",
        "ProvisionedThroughputExceededException",
        "BandwidthLimitExceeded",
    )


class RequestTimeout(ServerError):
    """S3 gave up waiting for the request body; retrying is safe."""

    codes = ("RequestTimeout",)


class RequestTimeTooSkewed(Forbidden):
    """This machine's clock is too far from AWS's: retrying cannot help, fixing the clock does."""

    codes = ("RequestTimeTooSkewed",)


class InternalError(ServerError):
    codes = ("InternalError", "InternalFailure", "ServiceUnavailable")


class NoSuchDistribution(NotFound):
    codes = ("NoSuchDistribution",)


class NoSuchInvalidation(NotFound):
    codes = ("NoSuchInvalidation",)


class InvalidIfMatchVersion(BadRequest):
    """CloudFront: the If-Match header was missing or malformed."""

    codes = ("InvalidIfMatchVersion",)


class DistributionNotDisabled(Conflict):
    """CloudFront: a distribution must be disabled (and deployed) before it is deleted."""

    codes = ("DistributionNotDisabled",)


class NoSuchOriginAccessControl(NotFound):
    codes = ("NoSuchOriginAccessControl",)


class OriginAccessControlInUse(Conflict):
    """CloudFront refuses to delete an origin access control a distribution still uses."""

    codes = ("OriginAccessControlInUse",)


class CNAMEAlreadyExists(Conflict):
    """CloudFront: an alias is already held by another distribution."""

    codes = ("CNAMEAlreadyExists",)


class TooManyDistributions(BadRequest):
    codes = ("TooManyDistributions",)


def _registry() -> Mapping[str, type[ApiError]]:
    found: dict[str, type[ApiError]] = {}
    pending: list[type[ApiError]] = [ApiError]
    while pending:
        cls = pending.pop()
        for code in cls.codes:
            found[code] = cls
        pending.extend(cls.__subclasses__())
    return found


_BY_CODE = _registry()


_BY_STATUS: Mapping[int, type[ApiError]] = {
    301: Redirect,
    307: Redirect,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    412: Conflict,
    429: Throttled,
}


def _class_for_status(status: int) -> type[ApiError]:
    if status == 501:
        return Unsupported
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, BadRequest)


def api_error(
    *,
    code: str,
    message: str,
    status: int,
    request_id: str | None = None,
    bucket: str | None = None,
    address: str | None = None,
    region: str | None = None,
    service: str = "s3",
) -> ApiError:
    """The typed error for an AWS answer: by its code first, by its status otherwise."""
    cls = _BY_CODE.get(code) or _class_for_status(status)
    return cls(
        message,
        code=code,
        status=status,
        request_id=request_id,
        bucket=bucket,
        address=address,
        region=region,
        service=service,
    )

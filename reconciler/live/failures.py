"""A read that fails for one resource, in words: what was read, what came back, and what to do
when there is something to do. Shared by the bucket and distribution readers, which record such
failures on the resource instead of ending the whole read, and by the writer, whose failed
configuration write says the same when the store may lack the aspect."""

from __future__ import annotations

from reconciler.errors import (
    ApiError,
    ReconcilerError,
    ResponseParseError,
    TransportError,
    Unsupported,
)

#: What a read of one resource may fail with and still leave the others readable.
READ_FAILURES = (ApiError, ResponseParseError, TransportError)


def not_implemented(what: str, exc: Unsupported) -> str:
    """That the endpoint lacks an aspect, and how it said so: an answer with another document
    in it (a store that ignores the sub-resource and lists the bucket) by its message, an error
    answer by its code."""
    why = exc.message if exc.status < 300 else f"{exc.code}, HTTP {exc.status}"
    return f"the endpoint does not implement bucket {what.replace('_', ' ')} ({why})"


def _removal(what: str) -> str:
    return f"remove `{what}` from this bucket or use a store that has it"


def names_nothing(exc: ApiError) -> bool:
    """An ``InvalidArgument`` whose message says nothing but the HTTP status: what some stores
    (Ceph RGW) answer for a configuration they do not know, where S3 would answer 501."""
    said = exc.message.rsplit(": ", 1)[-1].strip()
    return exc.code == "InvalidArgument" and said in ("", "Bad Request")


def store_hint(what: str, exc: ReconcilerError) -> str | None:
    """What to do when ``exc``, on a request about aspect ``what``, says the store may lack
    it: a 501 (or 405 on a configuration) says so; a bare ``InvalidArgument`` suggests so."""
    if isinstance(exc, Unsupported):
        return f"{not_implemented(what, exc)}: {_removal(what)}"
    if isinstance(exc, ApiError) and names_nothing(exc):
        return (
            f"the store may not implement bucket {what.replace('_', ' ')} (it gave no reason): "
            + _removal(what)
        )
    return None


def hinted(what: str, exc: ApiError) -> ApiError:
    """``exc`` with the store hint in its message when there is one (``exc`` itself if not)."""
    hint = store_hint(what, exc)
    if hint is None:
        return exc
    return type(exc)(
        f"{exc.message}; {hint}",
        code=exc.code,
        status=exc.status,
        request_id=exc.request_id,
        bucket=exc.bucket,
        address=exc.address,
        region=exc.region,
        service=exc.service,
    )


def describe_failure(what: str, exc: ReconcilerError) -> str:
    """A read failure in words: what was read, what came back, what to do when there is
    something to do."""
    if isinstance(exc, Unsupported):
        return store_hint(what, exc) or not_implemented(what, exc)
    if isinstance(exc, ApiError) and names_nothing(exc):
        request = f", request id {exc.request_id}" if exc.request_id else ""
        return (
            f"reading {what} failed: {exc.code}: {exc.message} (HTTP {exc.status}{request}); "
            f"{store_hint(what, exc)}"
        )
    if isinstance(exc, ApiError):
        request = f", request id {exc.request_id}" if exc.request_id else ""
        return f"reading {what} failed: {exc.code}: {exc.message} (HTTP {exc.status}{request})"
    return f"reading {what} failed: {exc.message}"

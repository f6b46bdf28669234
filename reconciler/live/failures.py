"""A read that fails for one resource, in words: what was read, what came back, and what to do
when there is something to do. Shared by the bucket and distribution readers, which record such
failures on the resource instead of ending the whole read."""

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


def describe_failure(what: str, exc: ReconcilerError) -> str:
    """A read failure in words: what was read, what came back, what to do when there is
    something to do."""
    if isinstance(exc, Unsupported):
        return (
            f"{not_implemented(what, exc)}: remove `{what}` from this bucket or use a store "
            "that has it"
        )
    if isinstance(exc, ApiError):
        request = f", request id {exc.request_id}" if exc.request_id else ""
        return f"reading {what} failed: {exc.code}: {exc.message} (HTTP {exc.status}{request})"
    return f"reading {what} failed: {exc.message}"

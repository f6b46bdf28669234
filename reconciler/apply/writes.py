"""One aspect's desired value (spec vocabulary, as the plan holds it) written through the client.

The plan's ``after`` is read back into the spec's own model, so a plan file is validated the same
way as a spec; the aspect's unit (`reconciler.aspects`) turns it into the body S3 takes. "Absent"
values (``false``, ``[]``) become the unit's delete call (or its "absent" body where S3 has no
delete); deleting what is already gone counts as done, so a re-run converges.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reconciler.aspects import registry as aspects
from reconciler.aspects.base import Aspect, WriteContext
from reconciler.aws.s3 import S3Client
from reconciler.errors import NoSuchBucket, NotFound
from reconciler.live.reader import read_aspect
from reconciler.spec.bucket import Bucket


def spec_value(aspect: str, after: Any) -> Any:
    """The plan's JSON value of an aspect as the spec model (validated like a spec)."""
    return getattr(Bucket.model_validate({aspect: after}), aspect)


def owner_id(s3: S3Client, bucket: str) -> str:
    """The bucket owner's canonical id, from the one aspect whose read tells it."""
    return read_aspect(s3, bucket, aspects.OWNER_SOURCE).owner_id or ""


def _absent(value: Any) -> bool:
    return value is False or value == []


def _put(s3: S3Client, bucket: str, unit: Aspect, body: bytes) -> None:
    calls = unit.calls
    s3.put_configuration(
        bucket,
        calls.subresource,
        body,
        operation=calls.put.operation,
        action=calls.put.action,
        content_type=calls.content_type,
    )


def write_aspect(
    s3: S3Client, bucket: str, aspect: str, after: Any, *, owner: Callable[[], str]
) -> None:
    """Make ``aspect`` of ``bucket`` what ``after`` says (one request; two where the write needs
    the owner's id and it is not known yet)."""
    unit = aspects.get(aspect)
    value = spec_value(aspect, after)
    if not _absent(value):
        _put(s3, bucket, unit, unit.encode(value, WriteContext(owner_id=owner)))
    elif unit.calls.delete is None:
        if unit.absent_body is None:
            raise ValueError(f"aspect {aspect!r} cannot be removed")
        _put(s3, bucket, unit, unit.absent_body())
    else:
        delete = unit.calls.delete
        try:
            s3.delete_configuration(
                bucket, unit.calls.subresource, operation=delete.operation, action=delete.action
            )
        except NoSuchBucket:
            raise
        except NotFound:
            return  # already gone

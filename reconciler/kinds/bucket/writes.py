"""One aspect's desired value (spec vocabulary, as the plan holds it) written through the client.

The plan's ``after`` is read back into the spec's own model, so a plan file is validated the same
way as a spec; the aspect's unit (`reconciler.kinds.bucket.aspects`) turns it into the body S3
takes. "Absent" values (``false``, ``[]``) become the unit's delete call (or its "absent" body
where S3 has no delete); deleting what is already gone counts as done, so a re-run converges.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reconciler.aws.s3 import Query, S3Client
from reconciler.errors import ApiError, NoSuchBucket, NotFound
from reconciler.kinds.bucket.aspects import registry as aspects
from reconciler.kinds.bucket.aspects.base import Aspect, WriteContext
from reconciler.kinds.bucket.canonical import Context
from reconciler.kinds.bucket.model import Bucket
from reconciler.kinds.bucket.read import read_aspect
from reconciler.live.failures import hinted


def spec_value(aspect: str, after: Any) -> Any:
    """The plan's JSON value of an aspect as the spec model (validated like a spec)."""
    return getattr(Bucket.model_validate({aspect: after}), aspect)


def owner_id(s3: S3Client, bucket: str) -> str:
    """The bucket owner's canonical id, from the one aspect whose read tells it."""
    return read_aspect(s3, bucket, aspects.OWNER_SOURCE).owner_id or ""


def _absent(value: Any) -> bool:
    return value is False or value == []


def _put(s3: S3Client, bucket: str, unit: Aspect, body: bytes, params: Query = ()) -> None:
    calls = unit.calls
    try:
        s3.put_configuration(
            bucket,
            calls.subresource,
            body,
            operation=calls.put.operation,
            action=calls.put.action,
            content_type=calls.content_type,
            params=params,
        )
    except ApiError as exc:
        found = hinted(unit.key, exc)  # the store may lack the aspect: say what to do
        if found is exc:
            raise
        raise found from exc


def write_aspect(
    s3: S3Client,
    bucket: str,
    aspect: str,
    after: Any,
    *,
    owner: Callable[[], str],
    before: Any = None,
) -> None:
    """Make ``aspect`` of ``bucket`` what ``after`` says (one request; two where the write needs
    the owner's id and it is not known yet). An aspect kept as items by id (``before``: the
    live items) writes each new or changed item and deletes each one no longer wanted."""
    unit = aspects.get(aspect)
    value = spec_value(aspect, after)
    if unit.calls.items is not None:
        _write_items(s3, bucket, unit, value or [], spec_value(aspect, before) or [], owner=owner)
        return
    if not _absent(value):
        _put(s3, bucket, unit, unit.encode(value, WriteContext(owner_id=owner)))
    elif unit.calls.delete is None:
        if unit.unconfigured.written_as is None:
            raise ValueError(f"aspect {aspect!r} cannot be removed")
        _put(s3, bucket, unit, unit.unconfigured.written_as())
    else:
        _delete(s3, bucket, unit)


def _delete(s3: S3Client, bucket: str, unit: Aspect, params: Query = ()) -> None:
    delete = unit.calls.delete
    if delete is None:
        raise ValueError(f"aspect {unit.key!r} has no delete")
    try:
        s3.delete_configuration(
            bucket,
            unit.calls.subresource,
            operation=delete.operation,
            action=delete.action,
            params=params,
        )
    except NoSuchBucket:
        raise
    except NotFound:
        return  # already gone


def _write_items(
    s3: S3Client,
    bucket: str,
    unit: Aspect,
    want: list[Any],
    have: list[Any],
    *,
    owner: Callable[[], str],
) -> None:
    """Each wanted item that is new or differs is written; each live one not wanted deleted."""
    ctx = Context()
    live = {item.id: unit.comparable([item], ctx, desired=False) for item in have}
    context = WriteContext(owner_id=owner)
    for item in want:
        if live.get(item.id) != unit.comparable([item], ctx, desired=True):
            _put(s3, bucket, unit, unit.encode(item, context), (("id", item.id),))
    wanted = {item.id for item in want}
    for item_id in sorted(set(live) - wanted):
        _delete(s3, bucket, unit, (("id", item_id),))

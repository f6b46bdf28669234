"""The bucket kind's safety rules, checked by its steps at the moment each runs, whatever the
plan says (`reconciler.apply.guard` says why):

- before a bucket is deleted or emptied, its tags are read again: it must carry this stack's
  ``reconciler:stack`` tag; the spec must not declare it present, nor set ``prevent_destroy``;
  emptying it (every object version) needs ``state: absent`` with ``force_destroy: true`` in the
  spec, or a replace the user allowed with ``--replace`` for a region change; a bucket that is
  not to be emptied must hold no object;
- before an aspect of a bucket is written, the bucket must be declared present and the value
  must be the spec's own (a policy making a bucket public is written only if the spec says so).
"""

from __future__ import annotations

from typing import Any

from reconciler.apply.guard import Guard, refuse, tags
from reconciler.aws.s3 import S3Client
from reconciler.errors import NoSuchBucket
from reconciler.kinds.bucket.aspects import registry as aspects
from reconciler.kinds.bucket.declared import buckets
from reconciler.kinds.bucket.read import read_aspect
from reconciler.live.model import STACK_TAG
from reconciler.plan.model import Action, ResourceChange
from reconciler.spec.common import spec_json


def deleting(guard: Guard, s3: S3Client, change: ResourceChange, *, emptying: bool) -> bool:
    """Checks that ``change``'s bucket may be deleted now (emptied first with
    ``emptying``); ``False`` when it is already gone."""
    declared = buckets(guard.spec).get(change.name)
    if declared is not None and declared.prevent_destroy:
        raise refuse(change, "the spec sets prevent_destroy")
    if change.action is Action.REPLACE:
        if declared is None or declared.state == "absent":
            raise refuse(change, "a replace is only made for a bucket the spec declares")
        if change.address not in guard.replace:
            raise refuse(change, f"a replace needs --replace {change.address}")
    elif declared is not None and declared.state != "absent":
        raise refuse(change, "the spec declares the bucket present; it is not deleted")
    try:
        found = read_aspect(s3, change.name, aspects.TAGS).value or {}
    except NoSuchBucket:
        return False
    owner = found.get(STACK_TAG)
    if owner != guard.stack:
        carries = f"it carries {STACK_TAG}={owner}" if owner else f"it has no {STACK_TAG} tag"
        raise refuse(
            change,
            f"{carries}, not {STACK_TAG}={guard.stack}: the reconciler never deletes what "
            "it does not own",
        )
    if change.action is Action.REPLACE:
        assert declared is not None
        now = s3.head_bucket(change.name)
        wanted = declared.region or guard.default_region
        if now is not None and now.region == wanted:
            raise refuse(change, f"the bucket is already in {wanted}: nothing to move")
        return True
    if emptying:
        if declared is None or not declared.force_destroy:
            raise refuse(
                change,
                "deleting its objects needs state: absent and force_destroy: true in the spec",
            )
    elif s3.has_objects(change.name):
        raise refuse(
            change,
            "the bucket still holds objects; deleting them needs state: absent and "
            "force_destroy: true in the spec",
        )
    return True


def writing(guard: Guard, change: ResourceChange, aspect: str, after: Any) -> None:
    """Checks that ``after`` is what the spec declares for ``aspect`` of the bucket."""
    declared = buckets(guard.spec).get(change.name)
    if declared is None or declared.state == "absent":
        raise refuse(
            change, f"the spec does not declare the bucket present: its {aspect} is not written"
        )
    if aspect == aspects.TAGS.key:
        tags(guard, change, after, declared.tags)
        return
    if after != spec_json(getattr(declared, aspect)):
        raise refuse(change, f"the {aspect} to write is not the spec's")

"""A bucket's steps: delete (emptied first with ``force_destroy``), create, then each aspect in
the plan's order (S3 answers concurrent configuration writes to one bucket with
``OperationAborted``, so the executor runs them one after another).

S3 is eventually consistent right after a bucket is created or deleted: ``NoSuchBucket`` on a
bucket this apply just created, and ``OperationAborted``, are retried with capped backoff, a
bounded number of times (`reconciler.retries`). Before each destructive step and each write,
the contract's rules are checked again (`reconciler.kinds.bucket.guard`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from functools import partial
from typing import TypeVar

from reconciler.errors import (
    BucketAlreadyOwnedByYou,
    NoSuchBucket,
    OperationAborted,
    ReconcilerError,
)
from reconciler.kinds.base import ApplyContext, Step
from reconciler.kinds.bucket import guard
from reconciler.kinds.bucket.writes import owner_id as read_owner_id
from reconciler.kinds.bucket.writes import write_aspect
from reconciler.plan.model import Action, ResourceChange
from reconciler.retries import retrying

T = TypeVar("T")

#: The step that creates or deletes the bucket itself.
BUCKET = "bucket"


class _Steps:
    """The steps of one bucket's change; they share what they learn (the owner's id)."""

    def __init__(self, change: ResourceChange, context: ApplyContext) -> None:
        self.change = change
        self.context = context
        self.s3 = context.clients.s3
        self.owner: list[str] = []
        self.created = change.action in (Action.CREATE, Action.REPLACE)

    def retrying(self, call: Callable[[], T], *, created: bool) -> T:
        def again(exc: Exception) -> bool:
            return isinstance(exc, OperationAborted) or (created and isinstance(exc, NoSuchBucket))

        context = self.context
        return retrying(call, again=again, backoff=context.backoff, sleep=context.sleep)

    def owner_id(self) -> str:
        if not self.owner:
            self.owner.append(read_owner_id(self.s3, self.change.name))
        return self.owner[0]

    def empty(self) -> None:
        """Delete every object version and delete marker (force_destroy)."""
        s3, name = self.s3, self.change.name
        while True:
            batch = [(v.key, v.version_id) for v in s3.list_object_versions(name)]
            if not batch:
                return
            result = s3.delete_objects(name, batch)
            if result.failures:
                first = result.failures[0]
                raise ReconcilerError(
                    f"{len(result.failures)} object version(s) could not be deleted, e.g. "
                    f"{first.key!r}: {first.code}: {first.message}",
                    address=self.change.address,
                )

    def delete(self) -> None:
        s3, change = self.s3, self.change
        where = change.previous_region or change.region
        if where:
            s3.remember_region(change.name, where)
        try:
            if not guard.deleting(self.context.guard, s3, change, emptying=change.force_destroy):
                return  # already gone: an earlier, interrupted apply got this far
            if change.force_destroy:
                self.empty()
            self.retrying(lambda: s3.delete_bucket(change.name), created=False)
        except NoSuchBucket:
            return  # already gone: an earlier, interrupted apply got this far

    def create(self) -> None:
        s3, change = self.s3, self.change
        region = change.region or s3.region
        with contextlib.suppress(BucketAlreadyOwnedByYou):  # an interrupted apply made it
            self.retrying(lambda: s3.create_bucket(change.name, region=region), created=False)
        s3.remember_region(change.name, region)

    def write(self, aspect: str, after: object, before: object) -> None:
        guard.writing(self.context.guard, self.change, aspect, after)
        self.retrying(
            lambda: write_aspect(
                self.s3, self.change.name, aspect, after, owner=self.owner_id, before=before
            ),
            created=self.created,
        )


def steps(change: ResourceChange, context: ApplyContext) -> list[Step]:
    """The steps of a bucket's change, in order."""
    run = _Steps(change, context)
    if change.region and change.action is not Action.REPLACE:
        context.clients.s3.remember_region(change.name, change.region)
    found: list[Step] = []
    if change.action in (Action.DELETE, Action.REPLACE):
        found.append(Step(BUCKET, "delete", run.delete))
    if change.action in (Action.CREATE, Action.REPLACE):
        found.append(Step(BUCKET, "create", run.create))
    for aspect in change.aspects:
        write = partial(run.write, aspect.aspect, aspect.after, aspect.before)
        found.append(Step(aspect.aspect, aspect.action.value, write))
    return found

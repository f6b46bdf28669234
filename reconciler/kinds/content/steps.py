"""A content's steps, in the safe order: new and changed assets, then pages (HTML: no page
ever references an asset not yet there), then deletes, then the manifest, then the
invalidation. A deleted content's: its objects, then its manifest.

The manifest is written once the objects are written (and when a step fails: what was done is
recorded; and before the parts of a multipart upload are sent), so a run after an interruption
starts from what is there. The paths to
invalidate go into the manifest before the invalidation is made and out of it after: an
invalidation that failed is made by the next apply. Deletes leave delete markers on a
versioned bucket (no version is named), so a bad deploy can be rolled back by version.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from functools import partial

from reconciler.aws.s3 import DELETE_BATCH
from reconciler.aws.s3_types import DeleteFailure, ObjectHeaders
from reconciler.aws.steps import Steps, Task
from reconciler.errors import ApiError, ReconcilerError
from reconciler.kinds.base import ApplyContext, Step
from reconciler.kinds.content import guard, manifest
from reconciler.kinds.content.addresses import path_of
from reconciler.kinds.content.plan import INVALIDATION, MANIFEST, UNFINISHED, uploads
from reconciler.kinds.content.upload import ADOPT, COPY, UPLOAD, Work, Writer
from reconciler.kinds.distribution.invalidate import find_distribution
from reconciler.plan.model import Action, AspectChange, ResourceChange
from reconciler.retries import Backoff, retrying

#: CloudFront's ``TooManyInvalidationsInProgress``: wait for earlier ones, a while.
IN_PROGRESS = Backoff(attempts=30, base=5.0, cap=60.0)
TOO_MANY = "TooManyInvalidationsInProgress"


class _Steps:
    def __init__(self, change: ResourceChange, context: ApplyContext) -> None:
        self.change = change
        self.context = context
        self.s3 = context.clients.s3
        self.name = change.name
        self.bucket = guard.change_bucket(context.guard, change)
        where = guard.location(change.id)
        self.prefix = where[1] if where else ""
        self.manifest: manifest.Manifest | None = None

    @property
    def address(self) -> str:
        return self.change.address

    def _manifest(self) -> manifest.Manifest:
        """The manifest as it is now (read once, at the first step that needs it)."""
        if self.manifest is None:
            key = manifest.key_of(self.name)
            read = self.s3.run(self.s3.objects.getting_object(self.bucket, key))
            if read is None:
                self.manifest = manifest.Manifest(self.context.stack, self.name, self.prefix)
            else:
                try:
                    self.manifest = manifest.parse(read.body)
                except manifest.ManifestError as exc:
                    raise ReconcilerError(
                        f"manifest s3://{self.bucket}/{key} is not one this reconciler wrote: "
                        f"{exc}",
                        address=self.address,
                    ) from exc
        return self.manifest

    def save(self) -> None:
        body = self._manifest().dumps()
        self.s3.run(
            self.s3.objects.putting_object(
                self.bucket,
                manifest.key_of(self.name),
                body,
                headers=ObjectHeaders(content_type="application/json", cache_control="no-store"),
                sha256=hashlib.sha256(body).digest(),
            )
        )

    # -- writes ------------------------------------------------------------------------------

    def _work(self, aspect: AspectChange, paths: frozenset[str]) -> Work:
        path = path_of(self.name, aspect.aspect)
        if path is None or not isinstance(aspect.after, dict):
            raise ReconcilerError(
                f"{aspect.aspect}: not an object of this content", address=self.address
            )
        how = ADOPT if aspect.action is Action.ADOPT else UPLOAD if uploads(aspect) else COPY
        if how == ADOPT and path not in paths:
            raise ReconcilerError(f"{path}: not a file of the source", address=self.address)
        if how != ADOPT:
            guard.writing(
                self.context.guard,
                self.change,
                path,
                aspect.after,
                exists=aspect.before is not None,
                paths=paths,
            )
        content = guard.declared(self.context.guard, self.change)
        return Work(path, self.prefix + path, how, aspect.after, os.path.join(content.source, path))

    def write(self, aspects: list[AspectChange]) -> None:
        content = guard.declared(self.context.guard, self.change)
        paths = guard.source_paths(content)
        works = [self._work(a, paths) for a in aspects]
        writer = Writer(
            self.s3,
            bucket=self.bucket,
            manifest=self._manifest(),
            parallelism=self.context.parallelism,
            save=self.save,
        )
        writer.write(works)
        self._raise(writer.failures, len(works), "written")

    def _raise(self, failures: list[str], total: int, done: str) -> None:
        """A step's failure, once the manifest records what it did."""
        if failures:
            self.save()
            shown = "; ".join(sorted(failures)[:10])
            more = f"; and {len(failures) - 10} more" if len(failures) > 10 else ""
            raise ReconcilerError(
                f"{len(failures)} of {total} object(s) could not be {done} ({shown}{more}); "
                f"the others were, and the manifest records them: apply again",
                address=self.address,
            )

    def abort(self, aspect: AspectChange) -> None:
        writer = Writer(
            self.s3,
            bucket=self.bucket,
            manifest=self._manifest(),
            parallelism=self.context.parallelism,
            save=self.save,
        )
        unfinished = {str(k): str(v) for k, v in dict(aspect.before or {}).items()}
        writer.abort(unfinished, self.prefix)
        self._raise(writer.failures, len(unfinished), "aborted")

    # -- deletes -----------------------------------------------------------------------------

    def delete(self, aspects: list[AspectChange]) -> None:
        paths = [p for a in aspects if (p := path_of(self.name, a.aspect)) is not None]
        guard.deleting(self.context.guard, self.s3, self.change, paths)  # the manifest read again
        current = self._manifest()
        failures: list[DeleteFailure] = []
        batches = [paths[i : i + DELETE_BATCH] for i in range(0, len(paths), DELETE_BATCH)]

        def batch(chunk: list[str]) -> Steps[None]:
            failed = yield from self.s3.deleting_batch(
                self.bucket, [(self.prefix + p, None) for p in chunk]
            )
            failures.extend(failed)
            gone = set(chunk) - {f.key[len(self.prefix) :] for f in failed}
            for path in gone:
                current.objects.pop(path, None)

        tasks: list[Task] = [partial(batch, c) for c in batches]
        try:
            self.s3.run_many(tasks, parallelism=self.context.parallelism)
        except ReconcilerError:
            self.save()
            raise
        self._raise([f"{f.key}: {f.code}: {f.message}" for f in failures], len(paths), "deleted")

    def finish(self, forgotten: AspectChange | None, invalidation: AspectChange | None) -> None:
        """The manifest written: entries of objects already gone left out, the paths to
        invalidate recorded as due (before they are invalidated)."""
        current = self._manifest()
        for path in dict(forgotten.before or {}) if forgotten else {}:
            current.objects.pop(str(path), None)
        if invalidation is not None:
            after = invalidation.after or {}
            current = dataclasses.replace(
                current,
                invalidation=tuple(after.get("paths") or ()),
                distribution=after.get("distribution"),
            )
        self.manifest = current
        self.save()

    def delete_manifest(self) -> None:
        """The manifest goes last (what it still names was changed behind the spec's back
        since this content put it there: no longer this content's)."""
        failed = self.s3.run(
            self.s3.deleting_batch(self.bucket, [(manifest.key_of(self.name), None)])
        )
        if failed:
            raise ReconcilerError(
                f"its manifest could not be deleted: {failed[0].code}: {failed[0].message}",
                address=self.address,
            )

    # -- the invalidation --------------------------------------------------------------------

    def invalidate(self, aspect: AspectChange) -> None:
        cloudfront = self.context.clients.cloudfront
        if cloudfront is None:
            raise ReconcilerError("no CloudFront client to invalidate with", address=self.address)
        after = aspect.after or {}
        name = str(after.get("distribution"))
        paths = [str(p) for p in after.get("paths") or []]
        distribution_id = find_distribution(cloudfront, stack=self.context.stack, name=name)
        for index in range(0, len(paths), 3000):
            batch = paths[index : index + 3000]
            seed = f"{self.context.stack}\n{self.name}\n{self.change.live_fingerprint}\n{batch}"
            reference = "reconciler-" + hashlib.sha256(seed.encode()).hexdigest()[:32]

            def create(batch: list[str] = batch, reference: str = reference) -> None:
                cloudfront.create_invalidation(
                    distribution_id, batch, caller_reference=reference, address=self.address
                )

            retrying(
                create,
                again=lambda exc: isinstance(exc, ApiError) and exc.code == TOO_MANY,
                backoff=IN_PROGRESS,
                sleep=self.context.sleep,
            )
        self.manifest = dataclasses.replace(self._manifest(), invalidation=(), distribution=None)
        self.save()


def steps(change: ResourceChange, context: ApplyContext) -> list[Step]:
    """The steps of a content's change, in order."""
    run = _Steps(change, context)
    objects = [a for a in change.aspects if path_of(change.name, a.aspect) is not None]
    others = {a.aspect: a for a in change.aspects if path_of(change.name, a.aspect) is None}
    writes = [a for a in objects if a.action is not Action.DELETE]
    deletes = [a for a in objects if a.action is Action.DELETE]
    pages = [a for a in writes if _page(a)]
    assets = [a for a in writes if not _page(a)]
    found: list[Step] = []
    if assets:
        found.append(Step("assets", "upload", lambda: run.write(assets)))
    if pages:
        found.append(Step("pages", "upload", lambda: run.write(pages)))
    if deletes:
        found.append(Step("objects", "delete", lambda: run.delete(deletes)))
    if UNFINISHED in others:
        found.append(Step(UNFINISHED, "abort", lambda: run.abort(others[UNFINISHED])))
    if change.action is Action.DELETE:
        found.append(Step(MANIFEST, "delete", run.delete_manifest))
        return found
    invalidation = others.get(INVALIDATION)
    found.append(Step(MANIFEST, "update", partial(run.finish, others.get(MANIFEST), invalidation)))
    if invalidation is not None:
        found.append(Step(INVALIDATION, "create", partial(run.invalidate, invalidation)))
    return found


def _page(aspect: AspectChange) -> bool:
    from reconciler.kinds.content.headers import is_page  # noqa: PLC0415

    return is_page(aspect.after or {})

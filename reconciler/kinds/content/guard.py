"""The content kind's safety rules, checked by its steps at the moment each runs, whatever the
plan says (`reconciler.apply.guard` says why):

- before an object is written, the content must be declared present, its path a file of the
  source (a plan file naming another is refused) and not protected when an object is there,
  and the headers to write the spec's own for that path (the bytes are checked against the
  plan's SHA-256 as they are read);
- before objects are deleted, the manifest is read again: it must be this stack's manifest of
  this content and name every one of them (only objects this content put there are ever
  deleted); the spec must ask for deletes (``delete: true``, or the content declared absent or
  no longer declared), none may be protected, and there may be no more than ``max_deletes``.
"""

from __future__ import annotations

import os
from typing import Any

from reconciler.apply.guard import Guard, refuse
from reconciler.aws.s3 import S3Client
from reconciler.kinds.content import globs, headers, manifest
from reconciler.kinds.content.declared import contents
from reconciler.kinds.content.model import Content
from reconciler.plan.model import ResourceChange


def declared(guard: Guard, change: ResourceChange) -> Content:
    found = contents(guard.spec).get(change.name)
    if found is None or found.state == "absent":
        raise refuse(change, "the spec does not declare the content present: nothing is written")
    return found


def source_paths(content: Content) -> frozenset[str]:
    """The source's paths now (their names only), as the headers of siblings depend on them."""
    found = set()
    for folder, _, files in os.walk(content.source):
        for name in files:
            found.add(
                os.path.relpath(os.path.join(folder, name), content.source).replace(os.sep, "/")
            )
    return frozenset(found)


def writing(
    guard: Guard,
    change: ResourceChange,
    path: str,
    after: dict[str, Any],
    *,
    exists: bool,
    paths: frozenset[str],
) -> None:
    """Checks that ``after`` may be written to ``path``'s object now."""
    content = declared(guard, change)
    if path not in paths:
        raise refuse(change, f"{path} is not a file of the source {content.source}")
    if exists and globs.first(content.protect, path) is not None:
        raise refuse(change, f"{path} is protected (protect): it is never overwritten")
    want = headers.wanted(content, path, paths)
    if {k: v for k, v in after.items() if k not in ("sha256", "size")} != want:
        raise refuse(change, f"the headers to write to {path} are not the spec's")


def deleting(
    guard: Guard, s3: S3Client, change: ResourceChange, paths: list[str]
) -> manifest.Manifest:
    """Checks that the objects of ``paths`` may be deleted now; the manifest read again."""
    content = contents(guard.spec).get(change.name)
    if content is not None and content.state != "absent":
        if not content.delete:
            raise refuse(change, "the spec does not set delete: true: no object is deleted")
        protected = [p for p in paths if globs.first(content.protect, p) is not None]
        if protected:
            raise refuse(change, f"{protected[0]} is protected (protect): it is never deleted")
        if content.max_deletes is not None and len(paths) > content.max_deletes:
            raise refuse(
                change, f"{len(paths)} deletes are more than max_deletes ({content.max_deletes})"
            )
    bucket = change_bucket(guard, change)
    key = manifest.key_of(change.name)
    read = s3.run(s3.objects.getting_object(bucket, key))
    if read is None:
        raise refuse(change, f"its manifest s3://{bucket}/{key} is gone: nothing is deleted")
    try:
        found = manifest.parse(read.body)
    except manifest.ManifestError as exc:
        raise refuse(change, f"its manifest is not one this reconciler wrote ({exc})") from exc
    if found.stack != guard.stack or found.content != change.name:
        raise refuse(
            change,
            f"its manifest is content {found.content!r} of stack {found.stack!r}: the "
            "reconciler never deletes what it does not own",
        )
    strangers = [p for p in paths if p not in found.objects]
    if strangers:
        raise refuse(
            change,
            f"{strangers[0]} is not in the manifest: only objects this content put there are "
            "deleted",
        )
    return found


def change_bucket(guard: Guard, change: ResourceChange) -> str:
    """The bucket a change is about: the spec's, or (no longer declared) the plan's."""
    content = contents(guard.spec).get(change.name)
    if content is not None:
        return content.bucket
    where = location(change.id)
    if where is None:
        raise refuse(change, "the bucket of a content no longer declared is not known")
    return where[0]


def location(found: str | None) -> tuple[str, str] | None:
    """The bucket and prefix of a change's id (``s3://BUCKET/PREFIX``)."""
    if not found or not found.startswith("s3://"):
        return None
    bucket, _, prefix = found[len("s3://") :].partition("/")
    return (bucket, prefix) if bucket else None

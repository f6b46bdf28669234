"""Reading contents: per content, one listing of its prefix and one read of its manifest (run
with every other content's, ``parallelism`` at once), the source directory hashed on threads
meanwhile, then a HEAD of only those objects the manifest cannot vouch for: one that is in the
source and in the bucket but that the manifest does not name (put there by someone else, or by
an apply that was interrupted before it wrote the manifest), or whose listed ETag or size is
not the one the manifest recorded (changed behind the spec's back). A plan of unchanged files
costs the listing's pages and the manifest.

For pruning (a plan of everything), the manifests below ``.reconciler/content/`` in the spec's
buckets are listed, and those of this stack the spec no longer declares read. A read that
fails is that content's failure; the other contents are still read.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from reconciler.aws.s3 import S3Client
from reconciler.aws.steps import Steps, Task
from reconciler.errors import NoSuchBucket
from reconciler.kinds.base import ReadContext, Runner
from reconciler.kinds.bucket.declared import buckets
from reconciler.kinds.content import manifest, objects
from reconciler.kinds.content.declared import contents
from reconciler.kinds.content.live import ContentLive, ContentRead, Headed, Listed
from reconciler.kinds.content.local import LocalTree, scan
from reconciler.kinds.content.model import Content
from reconciler.live.failures import READ_FAILURES, describe_failure


def sha256_hex(checksum: str | None) -> str | None:
    """S3's whole-object SHA-256 checksum (base64) in hex; ``None`` for a composite one (a
    multipart upload's, ``...-N``) or none."""
    if not checksum or "-" in checksum:
        return None
    try:
        raw = base64.b64decode(checksum, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw.hex() if len(raw) == 32 else None


@dataclass
class _Found:
    name: str
    bucket: str
    prefix: str
    listing: dict[str, Listed] | None = None
    manifest: manifest.Manifest | None = None
    heads: dict[str, Headed] = field(default_factory=dict)
    local: LocalTree | None = None
    failures: list[str] = field(default_factory=list)
    #: The manifests the listing saw (a listing of the bucket's root holds them).
    manifests: list[str] | None = None

    def done(self) -> ContentRead:
        return ContentRead(
            self.name,
            self.bucket,
            self.prefix,
            self.listing,
            self.manifest,
            dict(sorted(self.heads.items())),
            self.local,
            tuple(sorted(self.failures)),
        )


def _listing(s3: S3Client, found: _Found) -> Steps[None]:
    try:
        listed = yield from s3.objects.listing_objects(found.bucket, prefix=found.prefix)
    except NoSuchBucket:
        found.listing = None
        return
    except READ_FAILURES as exc:
        found.failures.append(describe_failure("objects", exc))
        return
    cut = len(found.prefix)
    if not found.prefix:
        found.manifests = [
            o.key
            for o in listed
            if o.key.startswith(manifest.DIRECTORY) and o.key.endswith(".json")
        ]
    found.listing = {
        o.key[cut:]: Listed(o.etag, o.size, o.storage_class)
        for o in listed
        if o.key.startswith(found.prefix)  # (a store answering other keys: not trusted)
        and not o.key.startswith(manifest.RESERVED)
        and o.key[cut:]
    }


def _manifest(s3: S3Client, found: _Found, stack: str) -> Steps[None]:
    key = manifest.key_of(found.name)
    try:
        body = yield from s3.objects.getting_object(found.bucket, key)
    except NoSuchBucket:
        return
    except READ_FAILURES as exc:
        found.failures.append(describe_failure("manifest", exc))
        return
    if body is None:
        return
    try:
        read = manifest.parse(body.body)
    except manifest.ManifestError as exc:
        found.failures.append(
            f"manifest s3://{found.bucket}/{key} is not one this reconciler wrote: {exc}"
        )
        return
    if read.stack != stack or read.content != found.name:
        found.failures.append(
            f"manifest s3://{found.bucket}/{key} is content {read.content!r} of stack "
            f"{read.stack!r}: two stacks never manage one resource"
        )
        return
    found.manifest = read


def _head(s3: S3Client, found: _Found, path: str) -> Steps[None]:
    try:
        head = yield from s3.objects.heading_object(found.bucket, found.prefix + path)
    except READ_FAILURES as exc:
        found.failures.append(describe_failure(f"object {path}", exc))
        return
    if head is not None:
        found.heads[path] = Headed(
            head.etag,
            head.size,
            objects.from_object(head.headers),
            sha256_hex(head.checksum_sha256),
        )


def unvouched(found: ContentRead | _Found) -> list[str]:
    """The source's paths whose object the manifest cannot vouch for (each gets a HEAD)."""
    if found.listing is None or found.local is None:
        return []
    recorded = found.manifest.objects if found.manifest else {}
    out = []
    for path in sorted(found.local.files):
        listed = found.listing.get(path)
        if listed is None:
            continue
        entry = recorded.get(path)
        if entry is None or entry.etag != listed.etag or entry.size != listed.size:
            out.append(path)
    return out


def read_contents(s3: S3Client, context: ReadContext, run: Runner) -> ContentLive:
    spec, covered = context.spec, context.covered
    wanted = {
        name: content
        for name, content in sorted(contents(spec).items())
        if covered is None or name in covered
    }
    found = {n: _Found(n, c.bucket, c.prefix) for n, c in wanted.items()}
    with ThreadPoolExecutor(max_workers=2) as pool:
        scans: dict[str, Future[LocalTree]] = {
            n: pool.submit(_scan, c) for n, c in wanted.items() if c.state != "absent"
        }
        tasks: list[Task] = []
        for f in found.values():
            tasks += [_bind(_listing, s3, f), _bind(_manifest, s3, f, spec.stack)]
        run("content", tasks)
        for name, future in scans.items():
            found[name].local = future.result()
    run("content objects", [_bind(_head, s3, f, p) for f in found.values() for p in unvouched(f)])
    seen = {f.bucket: f.manifests for f in found.values() if f.manifests is not None}
    pruned = _owned_undeclared(s3, context, run, seen) if covered is None else {}
    return ContentLive({n: f.done() for n, f in found.items()}, pruned)


def _scan(content: Content) -> LocalTree:
    return scan(
        content.source,
        prefix=content.prefix,
        exclude=list(content.exclude),
        reserved=manifest.RESERVED,
    )


def _owned_undeclared(
    s3: S3Client, context: ReadContext, run: Runner, seen: dict[str, list[str]]
) -> dict[str, ContentRead]:
    """The contents this stack's manifests name, in the spec's buckets, that the spec no longer
    declares (with their manifest and listing, to delete what they put there); ``seen``: the
    manifest keys of buckets whose root was listed already (no listing more for them)."""
    spec = context.spec
    declared = contents(spec)
    names = sorted(
        {b for b, v in buckets(spec).items() if v.state != "absent"}
        | {c.bucket for c in declared.values()}
    )
    keys: dict[str, list[str]] = dict(seen)

    def listing(bucket: str) -> Steps[None]:
        # A bucket whose manifests cannot be listed (its own read fails too): none pruned.
        try:
            listed = yield from s3.objects.listing_objects(bucket, prefix=manifest.DIRECTORY)
        except READ_FAILURES:
            return
        keys[bucket] = [o.key for o in listed if o.key.endswith(".json")]

    run("content manifests", [_bind(listing, b) for b in names if b not in seen])
    found: dict[str, _Found] = {}
    for bucket, listed in sorted(keys.items()):
        for key in listed:
            name = key[len(manifest.DIRECTORY) : -len(".json")]
            if name and name not in declared and name not in found:
                found[name] = _Found(name, bucket, "")
    run("content manifests", [_bind(_manifest, s3, f, spec.stack) for f in found.values()])
    owned = {}
    for name, f in found.items():
        if f.manifest is None:
            continue  # another stack's (or unreadable): never pruned
        f.prefix = f.manifest.prefix
        owned[name] = f
    run("content objects", [_bind(_listing, s3, f) for f in owned.values()])
    return {n: f.done() for n, f in sorted(owned.items())}


def _bind(fn: Callable[..., Steps[None]], *args: Any) -> Task:
    return lambda: fn(*args)

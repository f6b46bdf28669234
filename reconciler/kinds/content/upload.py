"""Writing a content's objects: uploads (one PUT, or a multipart upload above
`MULTIPART_THRESHOLD` with its parts sent in parallel), metadata-only updates (a copy onto
itself), adoptions (the object verified by S3's checksum and recorded), all at once on the one
driver, at most ``parallelism`` under way and within the endpoint's adaptive concurrency.

Each file is read off the driver's loop (`Offload`) and its SHA-256 checked against the plan's
as it is read: a file that changed since the plan is that object's failure, never uploaded.
Every part carries its SHA-256 checksum, which S3 verifies.

A multipart upload is recorded in the manifest (its upload id, the file's SHA-256, the part
size) before any part is sent, so a run after an interruption (a killed process, a lost
connection) finds it: when the file is the same, the parts already there whose checksum (or,
where the store keeps none, whose MD5 ETag) matches the file's are kept and the rest sent, then
the upload completed; otherwise it is aborted. One object's failure is its own: the others
are still written, and the manifest records every one that was.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from reconciler.aws.s3 import S3Client
from reconciler.aws.s3_objects import checksum_header
from reconciler.aws.s3_types import UploadedPart
from reconciler.aws.steps import Offload, Steps, Task
from reconciler.errors import ReconcilerError
from reconciler.kinds.content import objects
from reconciler.kinds.content.manifest import Entry, Manifest, Upload
from reconciler.kinds.content.read import sha256_hex

#: Files of this size or more go up as multipart uploads.
MULTIPART_THRESHOLD = 16 * 1024 * 1024
#: The size of each part but the last.
PART_SIZE = 8 * 1024 * 1024

UPLOAD, COPY, ADOPT = "upload", "copy", "adopt"


@dataclass(frozen=True)
class Work:
    """One object to write: ``how`` is `UPLOAD`, `COPY` or `ADOPT`; ``after`` the object as the
    plan says it (``sha256``, ``size``, headers); ``file`` the file on disk."""

    path: str
    key: str
    how: str
    after: dict[str, Any]
    file: str

    @property
    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.after.items() if k not in ("sha256", "size")}


def read_file(name: str) -> tuple[bytes, bytes]:
    with open(name, "rb") as handle:
        data = handle.read()
    return data, hashlib.sha256(data).digest()


def read_part(name: str, offset: int, length: int) -> tuple[bytes, bytes]:
    with open(name, "rb") as handle:
        handle.seek(offset)
        data = handle.read(length)
    return data, hashlib.sha256(data).digest()


def part_digests(name: str, part_size: int) -> tuple[str, list[tuple[bytes, str, int]]]:
    """The file's SHA-256 (hex) and, per part, its SHA-256, MD5 (hex) and size."""
    whole = hashlib.sha256()
    parts = []
    with open(name, "rb") as handle:
        while chunk := handle.read(part_size):
            whole.update(chunk)
            md5 = hashlib.md5(chunk, usedforsecurity=False).hexdigest()
            parts.append((hashlib.sha256(chunk).digest(), md5, len(chunk)))
    return whole.hexdigest(), parts


@dataclass
class _Large:
    """One multipart upload under way."""

    work: Work
    upload_id: str = ""
    digests: list[tuple[bytes, str, int]] = field(default_factory=list)
    parts: dict[int, UploadedPart] = field(default_factory=dict)
    failed: bool = False


def _kept(part: UploadedPart, digest: tuple[bytes, str, int]) -> bool:
    """Whether a part already uploaded holds the file's bytes of that part."""
    sha, md5, size = digest
    if part.size is not None and part.size != size:
        return False
    if part.checksum_sha256:
        return part.checksum_sha256 == checksum_header(sha)
    return part.etag.strip('"') == md5


class Writer:
    """Writes objects of one content, recording each in ``manifest`` (its ``objects`` and
    ``uploads`` are updated in place as writes succeed); ``save`` writes the manifest."""

    def __init__(
        self,
        s3: S3Client,
        *,
        bucket: str,
        manifest: Manifest,
        parallelism: int,
        save: Callable[[], None],
    ) -> None:
        self.s3 = s3
        self.bucket = bucket
        self.manifest = manifest
        self.parallelism = max(parallelism, 1)
        self.save = save
        self.failures: list[str] = []

    def _run(self, tasks: list[Task]) -> None:
        self.s3.run_many(tasks, parallelism=self.parallelism)

    def _guarded(self, path: str, steps: Callable[[], Steps[None]]) -> Task:
        def task() -> Steps[None]:
            try:
                yield from steps()
            except (ReconcilerError, OSError) as exc:
                why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
                self.failures.append(f"{path}: {why}")

        return task

    def _record(self, work: Work, etag: str | None, version: str | None) -> None:
        self.manifest.objects[work.path] = Entry(
            work.after["sha256"], int(work.after["size"]), etag, work.values, version
        )

    def _changed(self, work: Work) -> ReconcilerError:
        return ReconcilerError(f"{work.file} changed since the plan was made: plan again")

    # -- one PUT, a copy, an adoption ----------------------------------------------------------

    def _put(self, work: Work) -> Steps[None]:
        data, digest = yield Offload(lambda: read_file(work.file))
        if digest.hex() != work.after["sha256"]:
            raise self._changed(work)
        written = yield from self.s3.objects.putting_object(
            self.bucket, work.key, data, headers=objects.object_headers(work.values), sha256=digest
        )
        self._record(work, written.etag, written.version_id)

    def _copy(self, work: Work) -> Steps[None]:
        written = yield from self.s3.objects.copying_headers(
            self.bucket, work.key, headers=objects.object_headers(work.values)
        )
        self._record(work, written.etag, written.version_id)

    def _adopt(self, work: Work) -> Steps[None]:
        head = yield from self.s3.objects.heading_object(self.bucket, work.key)
        if head is None or sha256_hex(head.checksum_sha256) != work.after["sha256"]:
            raise ReconcilerError(
                "the object there no longer holds the planned bytes (by S3's checksum): plan again"
            )
        self._record(work, head.etag, head.version_id)

    # -- multipart uploads ---------------------------------------------------------------------

    def _prepare(self, large: _Large) -> Steps[None]:
        """The parts' digests, and the upload to send them in: the one recorded for the same
        file (its matching parts kept), or a new one (a recorded one for other bytes
        aborted)."""
        work = large.work
        whole, large.digests = yield Offload(lambda: part_digests(work.file, PART_SIZE))
        if whole != work.after["sha256"]:
            raise self._changed(work)
        recorded = self.manifest.uploads.get(work.path)
        if recorded is not None and (recorded.sha256, recorded.part_size) == (whole, PART_SIZE):
            parts = yield from self.s3.objects.listing_parts(
                self.bucket, work.key, upload_id=recorded.upload_id
            )
            if parts is not None:
                large.upload_id = recorded.upload_id
                for part in parts:
                    index = part.number - 1
                    if 0 <= index < len(large.digests) and _kept(part, large.digests[index]):
                        sha = checksum_header(large.digests[index][0])
                        large.parts[part.number] = UploadedPart(part.number, part.etag, sha)
                return
        if recorded is not None:
            yield from self.s3.objects.aborting_upload(
                self.bucket, work.key, upload_id=recorded.upload_id
            )
            del self.manifest.uploads[work.path]
        large.upload_id = yield from self.s3.objects.creating_upload(
            self.bucket, work.key, headers=objects.object_headers(work.values)
        )
        self.manifest.uploads[work.path] = Upload(large.upload_id, whole, PART_SIZE)

    def _part(self, large: _Large, number: int) -> Steps[None]:
        work = large.work
        offset = (number - 1) * PART_SIZE
        data, digest = yield Offload(lambda: read_part(work.file, offset, PART_SIZE))
        if digest != large.digests[number - 1][0]:
            large.failed = True
            raise self._changed(work)
        large.parts[number] = yield from self.s3.objects.uploading_part(
            self.bucket,
            work.key,
            upload_id=large.upload_id,
            number=number,
            body=data,
            sha256=digest,
        )

    def _complete(self, large: _Large) -> Steps[None]:
        work = large.work
        parts = [large.parts[n] for n in sorted(large.parts)]
        written = yield from self.s3.objects.completing_upload(
            self.bucket, work.key, upload_id=large.upload_id, parts=parts
        )
        self._record(work, written.etag, written.version_id)
        self.manifest.uploads.pop(work.path, None)

    # -- all at once ---------------------------------------------------------------------------

    def write(self, works: list[Work]) -> None:
        """Write every one of ``works``; what failed is in ``failures``."""
        large = [
            _Large(w)
            for w in works
            if w.how == UPLOAD and int(w.after["size"]) >= MULTIPART_THRESHOLD
        ]
        big = {id(x.work) for x in large}
        before = dict(self.manifest.uploads)
        self._run([self._guarded(x.work.path, partial(self._prepare, x)) for x in large])
        if self.manifest.uploads != before:
            self.save()  # the uploads are recorded before any part is sent
        ready = [x for x in large if x.upload_id]
        steps: dict[str, Callable[[Work], Steps[None]]] = {
            UPLOAD: self._put,
            COPY: self._copy,
            ADOPT: self._adopt,
        }
        tasks = [self._guarded(w.path, partial(steps[w.how], w)) for w in works if id(w) not in big]
        for x in ready:
            for number in range(1, len(x.digests) + 1):
                if number not in x.parts:
                    tasks.append(self._guarded(x.work.path, partial(self._part, x, number)))
        self._run(tasks)
        whole = [x for x in ready if not x.failed and len(x.parts) == len(x.digests)]
        self._run([self._guarded(x.work.path, partial(self._complete, x)) for x in whole])

    def abort(self, unfinished: dict[str, str], prefix: str) -> None:
        """Abort the multipart uploads an interrupted apply left (path → upload id)."""

        def abort(path: str, upload_id: str) -> Steps[None]:
            yield from self.s3.objects.aborting_upload(
                self.bucket, prefix + path, upload_id=upload_id
            )
            self.manifest.uploads.pop(path, None)

        self._run([self._guarded(p, partial(abort, p, u)) for p, u in sorted(unfinished.items())])

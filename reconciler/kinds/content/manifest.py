"""The manifest: one object a content keeps in its bucket, saying what it put there.

Per path: the SHA-256 and size of the bytes it uploaded, the headers it gave them, and the
ETag S3 answered (``objects``); the multipart uploads it started and has not finished
(``uploads``), so that a run after an interruption completes or aborts them; the paths whose
invalidation was due when it was last written (``invalidation``), so that one that failed is
made by the next apply. A plan needs one listing of the prefix and this one read, not a HEAD
per object: an object whose listed ETag or size is not the one recorded was changed behind the
spec's back. Only the objects it names are ever deleted.

It lives at ``.reconciler/content/NAME.json`` at the bucket's root (outside every prefix a
content may own), written whole after each phase of an apply. Read back, it is input from
outside like any answer: checked whole, and a manifest that is not one this reconciler wrote
is the content's error (nothing is deleted on its word).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

#: Where manifests live in a bucket.
RESERVED = ".reconciler/"
DIRECTORY = RESERVED + "content/"
FORMAT = 1


def key_of(name: str) -> str:
    return f"{DIRECTORY}{name}.json"


@dataclass(frozen=True)
class Entry:
    """One object this content put there: what it uploaded, the headers it gave it, and the
    ETag S3 answered (``version``: its version id on a versioned bucket)."""

    sha256: str
    size: int
    etag: str | None
    headers: dict[str, Any] = field(default_factory=dict)
    version: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"sha256": self.sha256, "size": self.size, "etag": self.etag}
        if self.headers:
            out["headers"] = self.headers
        if self.version:
            out["version"] = self.version
        return out


@dataclass(frozen=True)
class Upload:
    """A multipart upload this content started and has not completed."""

    upload_id: str
    sha256: str
    part_size: int

    def to_json(self) -> dict[str, Any]:
        return {"upload_id": self.upload_id, "sha256": self.sha256, "part_size": self.part_size}


@dataclass(frozen=True)
class Manifest:
    stack: str
    content: str
    prefix: str
    objects: dict[str, Entry] = field(default_factory=dict)
    uploads: dict[str, Upload] = field(default_factory=dict)
    #: Paths (URL paths, as invalidated) still to be invalidated, and in which distribution.
    invalidation: tuple[str, ...] = ()
    distribution: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "format": FORMAT,
            "stack": self.stack,
            "content": self.content,
            "prefix": self.prefix,
            "objects": {k: e.to_json() for k, e in sorted(self.objects.items())},
        }
        if self.uploads:
            out["uploads"] = {k: u.to_json() for k, u in sorted(self.uploads.items())}
        if self.invalidation:
            out["invalidation"] = {
                "distribution": self.distribution,
                "paths": list(self.invalidation),
            }
        return out

    def dumps(self) -> bytes:
        return json.dumps(self.to_json(), sort_keys=True, separators=(",", ":")).encode()

    def with_objects(self, objects: dict[str, Entry]) -> Manifest:
        return replace(self, objects=objects)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class _Entry(_Strict):
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)
    etag: str | None
    headers: dict[str, Any] = {}
    version: str | None = None


class _Upload(_Strict):
    upload_id: str = Field(min_length=1, max_length=2048)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    part_size: int = Field(ge=1)


class _Invalidation(_Strict):
    distribution: str | None
    paths: list[str]


class _Manifest(_Strict):
    format: int
    stack: str
    content: str
    prefix: str
    objects: dict[str, _Entry]
    uploads: dict[str, _Upload] = {}
    invalidation: _Invalidation | None = None


class ManifestError(ValueError):
    """A manifest this reconciler did not write (or cannot read)."""


def parse(body: bytes) -> Manifest:
    """The manifest in ``body``; `ManifestError` saying what is wrong otherwise."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise ManifestError("it is not JSON") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, dict) else None
        raise ManifestError(f"its format is {found!r}, not {FORMAT}")
    try:
        checked = _Manifest.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ManifestError(f"{where}: {first['msg']}") from exc
    pending = checked.invalidation
    return Manifest(
        stack=checked.stack,
        content=checked.content,
        prefix=checked.prefix,
        objects={
            k: Entry(e.sha256, e.size, e.etag, dict(e.headers), e.version)
            for k, e in checked.objects.items()
        },
        uploads={k: Upload(u.upload_id, u.sha256, u.part_size) for k, u in checked.uploads.items()},
        invalidation=tuple(pending.paths) if pending else (),
        distribution=pending.distribution if pending else None,
    )

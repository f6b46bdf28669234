"""The content kind's part of the live state: per content, the bucket's listing of its prefix,
its manifest, a HEAD of the objects the manifest cannot vouch for, and the source directory's
files (the other side of the comparison, read when the plan is)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reconciler.kinds.content.declared import KIND
from reconciler.kinds.content.local import LocalTree
from reconciler.kinds.content.manifest import Manifest
from reconciler.live.model import LiveState


@dataclass(frozen=True)
class Listed:
    """One object of the listing, by its path below the prefix."""

    etag: str | None
    size: int
    storage_class: str | None = None


@dataclass(frozen=True)
class Headed:
    """What a HEAD told of an object the manifest does not vouch for: its size, its headers
    (in the spec's words) and S3's SHA-256 of it (hex, when the store keeps a whole-object
    one)."""

    etag: str | None
    size: int
    headers: dict[str, Any]
    sha256: str | None = None


@dataclass(frozen=True)
class ContentRead:
    """One content as read. ``listing`` is ``None`` when the bucket does not exist (yet);
    ``local`` when the source was not read (a deletion); ``failures``: reads that failed,
    each saying why (the content's plan is then an error)."""

    name: str
    bucket: str
    prefix: str
    listing: dict[str, Listed] | None
    manifest: Manifest | None = None
    heads: dict[str, Headed] = field(default_factory=dict)
    local: LocalTree | None = None
    failures: tuple[str, ...] = ()


@dataclass(frozen=True)
class ContentLive:
    """The declared contents read, by name, and those this stack's manifests name that the spec
    no longer declares (to prune)."""

    contents: dict[str, ContentRead]
    owned_undeclared: dict[str, ContentRead] = field(default_factory=dict)


def content_live(state: LiveState) -> ContentLive:
    found = state.of(KIND)
    return found if isinstance(found, ContentLive) else ContentLive(contents={})

"""The bucket kind's part of the live state, in the spec's vocabulary: what its planner
compares the spec against."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reconciler.live.model import STACK_TAG, LiveState

#: The kind's key in the live state.
KIND = "bucket"


@dataclass(frozen=True)
class LiveBucket:
    """One bucket as read. ``aspects`` holds the aspects that were read, as spec values
    (``None``: never configured). ``empty`` is read only where a delete is possible.
    ``foreign`` means the name exists but belongs to someone else (HeadBucket answered 403)."""

    name: str
    exists: bool
    region: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    owner_id: str | None = None
    aspects: dict[str, Any] = field(default_factory=dict)
    empty: bool | None = None
    foreign: bool = False
    #: Reads that failed (each names the aspect, the reason and the request id): the bucket's
    #: live state is unknown, so it is an error in the plan and nothing is changed on it.
    failures: tuple[str, ...] = ()
    #: Aspects read only in case they are set (import, ``drift --all-aspects``) that the
    #: endpoint does not implement, each with why: not configured, and not an error.
    unsupported: dict[str, str] = field(default_factory=dict)

    @property
    def stack(self) -> str | None:
        return self.tags.get(STACK_TAG)


@dataclass(frozen=True)
class BucketLive:
    """The bucket kind's part of the live state: declared buckets (found or not), the
    account's other buckets this stack owns, those that no stack owns (``unowned``: undeclared
    and without a ``reconciler:stack`` tag), and the regions of buckets that other resources
    use but the spec does not declare (``None``: no such bucket)."""

    buckets: dict[str, LiveBucket]
    owned_undeclared: tuple[str, ...] = ()
    unowned: tuple[str, ...] = ()
    other_buckets: dict[str, str | None] = field(default_factory=dict)
    #: Undeclared buckets the spec refers to (logging targets, origin and log buckets of
    #: distributions), with what was read of them to check the reference.
    referenced: dict[str, LiveBucket] = field(default_factory=dict)
    #: ``False`` when the endpoint does not implement bucket tagging (some S3-compatible
    #: stores): ownership cannot be recorded, so nothing is pruned or adopted by tag.
    tagging: bool = True
    #: Undeclared buckets whose tags could not be read, with why: whether this stack owns
    #: them is unknown, so they are never pruned.
    unreadable: dict[str, str] = field(default_factory=dict)


def bucket_live(state: LiveState) -> BucketLive:
    """The buckets of ``state`` (none, when they were not read)."""
    found = state.of(KIND)
    return found if isinstance(found, BucketLive) else BucketLive(buckets={})

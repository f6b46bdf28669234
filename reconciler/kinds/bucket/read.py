"""Reading buckets: only what the spec declares, in parallel on a bounded pool.

A declared bucket that exists costs its HeadBucket (region; skipped when the listing already
says), its tags (ownership) and one read per declared aspect. The account's bucket list is read
once, for existence and pruning; an undeclared bucket costs one tag read to learn whether this
stack owns it, and an owned one its region and an emptiness check before it may be deleted.

Reads are grouped in phases (existence → tags and aspects → emptiness); each read is written as
steps (`aws.steps`) and a phase runs them all on one event loop (`aws.loop`), ``parallelism``
at once; no read waits on another. With at least as many buckets as ``parallelism``, a bucket's
tags and aspects are read one after another (one connection: on AWS each bucket is its own host,
and a read on a new connection costs a TLS handshake and a round trip more); with fewer, every
read of every bucket is under way at once.

One odd answer is that bucket's problem, not the run's: a read that fails (an error answer after
the retries, a body that cannot be read, no answer at all) is recorded on the bucket it was for,
naming what was read and why it failed, and every other bucket is still read. An endpoint that
does not implement bucket tagging (some S3-compatible stores) is noted once for the whole state.
Only the account listing and credentials are needed by every bucket, so their failures still
end the read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reconciler.aws.s3 import S3Client
from reconciler.aws.steps import Steps, Task
from reconciler.errors import Unsupported
from reconciler.kinds.base import Runner
from reconciler.kinds.bucket.aspects import registry as aspects
from reconciler.kinds.bucket.aspects.base import Aspect, Decoded
from reconciler.kinds.bucket.live import BucketLive, LiveBucket
from reconciler.live.failures import READ_FAILURES, describe_failure, not_implemented
from reconciler.live.model import STACK_TAG


def read_aspect(s3: S3Client, bucket: str, unit: Aspect) -> Decoded:
    """One aspect of ``bucket`` as a spec value (and the owner id when the read tells it)."""
    return s3.run(reading_aspect(s3, bucket, unit))


def reading_aspect(s3: S3Client, bucket: str, unit: Aspect) -> Steps[Decoded]:
    """`read_aspect` as steps (every page of a listing of items)."""
    calls = unit.calls
    items: list[Any] = []
    token: str | None = None
    pages = None
    while True:
        response = yield from s3.getting_configuration(
            bucket,
            calls.subresource,
            operation=calls.get.operation,
            action=calls.get.action,
            absent=unit.unconfigured.codes,
            params=(("continuation-token", token),) if token else (),
        )
        if response is None:
            return Decoded(unit.unconfigured.value())
        read = unit.read(
            response.body,
            address=f"bucket.{bucket}",
            source=f"{response.root} (HTTP {response.status})" if response.root else None,
        )
        if calls.items is None:
            return read
        items += read.value or []
        token = read.next_token
        if not token:
            return Decoded(items)
        if pages is None:
            pages = s3.pages(calls.get.operation, bucket)
        pages.follow(token)  # (a token given twice, or too many pages: the bucket's error)


@dataclass
class BucketRequest:
    """What to read of buckets: declared buckets with their declared aspects, whether to look
    for owned undeclared buckets (pruning; ``only_undeclared``: only those names), and which
    declared buckets may be deleted (emptiness); ``referenced``: undeclared buckets other
    resources refer to (logging targets, a distribution's origins and log bucket), each with the
    aspects its reference needs checked."""

    stack: str
    declared: dict[str, frozenset[str]]
    deletable: frozenset[str] = frozenset()
    prune: bool = True
    only_undeclared: frozenset[str] | None = None
    referenced: dict[str, frozenset[str]] = field(default_factory=dict)
    #: Per bucket, the declared aspects read only in case they are set (import, ``drift
    #: --all-aspects``): an endpoint that does not implement one leaves it out, not an error.
    optional: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass
class _Found:
    exists: bool = False
    region: str | None = None
    foreign: bool = False
    tags: dict[str, str] = field(default_factory=dict)
    owner_id: str | None = None
    aspects: dict[str, Any] = field(default_factory=dict)
    empty: bool | None = None
    failures: list[str] = field(default_factory=list)
    unsupported: dict[str, str] = field(default_factory=dict)


def read_buckets(
    s3: S3Client, request: BucketRequest, run: Runner, *, parallelism: int
) -> BucketLive:
    """The buckets ``request`` names, read in phases, each run by ``run`` (``parallelism``
    reads at once)."""
    reading = _Reading(s3, request)
    run("existence", [_bind(reading.head, n) for n in request.declared])
    found = reading.found
    undeclared: dict[str, _Found] = {}
    if request.prune:
        names = [n for n in reading.listing if n not in request.declared]
        if request.only_undeclared is not None:
            names = [n for n in names if n in request.only_undeclared]
        undeclared = {n: _Found(exists=True) for n in names}
    readable = [n for n, f in found.items() if f.exists and not f.foreign and not f.failures]
    second: list[Task]
    if len(readable) >= parallelism:
        # Enough buckets to keep every slot busy: each bucket's reads follow one another
        # on one connection. On AWS each bucket is its own host; spread over the slots, its
        # reads would each open a connection (a TLS handshake and a round trip more).
        second = [_bind(reading.everything, n) for n in readable]
    else:
        second = [_bind(reading.tags, n, found[n]) for n in readable]
        second += [_bind(reading.aspect, n, a) for n in readable for a in reading.aspects(n)]
    second += [_bind(reading.tags, n, f) for n, f in undeclared.items()]
    run("reading", second)

    owned = {n: f for n, f in undeclared.items() if f.tags.get(STACK_TAG) == request.stack}
    run("regions", [_bind(reading.region, n, f) for n, f in owned.items()])
    third = [_bind(reading.emptiness, n, f) for n, f in owned.items() if f.exists]
    third += [
        _bind(reading.emptiness, n, found[n])
        for n in request.deletable
        if n in found
        and found[n].exists
        and not found[n].foreign
        and found[n].tags.get(STACK_TAG) == request.stack
    ]
    run("emptiness", third)

    buckets = {n: _live(n, f) for n, f in found.items()}
    buckets.update({n: _live(n, f) for n, f in owned.items() if f.exists})
    referenced = _read_referenced(s3, request, run)
    unreadable = reading.unreadable
    return BucketLive(
        buckets=buckets,
        owned_undeclared=tuple(sorted(n for n in owned if owned[n].exists)),
        unowned=tuple(
            sorted(
                n for n, f in undeclared.items() if STACK_TAG not in f.tags and n not in unreadable
            )
        ),
        other_buckets={n: b.region if b.exists else None for n, b in referenced.items()},
        referenced=referenced,
        tagging=reading.tagging,
        unreadable=dict(sorted(unreadable.items())),
    )


def _read_referenced(s3: S3Client, request: BucketRequest, run: Runner) -> dict[str, LiveBucket]:
    """Each undeclared bucket other resources refer to: whether it exists, its region, and
    the aspects its reference needs (a failed read is that bucket's failure)."""
    names = [n for n in sorted(request.referenced) if n not in request.declared]
    found = {n: _Found() for n in names}

    def head(name: str) -> Steps[None]:
        yield from _heading_into(s3, found[name], name)
        if found[name].exists and found[name].region is None:
            found[name].region = s3.region  # a store that tells no region

    run("referenced buckets", [_bind(head, n) for n in names])
    aspects = [
        _bind(_reading_into, s3, found[n], n, a)
        for n in names
        if found[n].exists and not found[n].foreign
        for a in sorted(request.referenced[n])
    ]
    run("referenced buckets", aspects)
    return {n: _live(n, f) for n, f in found.items()}


class _Reading:
    """One read of the live state: the account listing, what was found per bucket, and the
    reads each phase runs (each records its own failure on the bucket it was for)."""

    def __init__(self, s3: S3Client, request: BucketRequest) -> None:
        self.s3 = s3
        self.request = request
        self.listing = {b.name: b for b in s3.list_buckets()}
        self.found = {name: _Found() for name in request.declared}
        self.tagging = True
        self.unreadable: dict[str, str] = {}

    def head(self, name: str) -> Steps[None]:
        target = self.found[name]
        summary = self.listing.get(name)
        if summary is not None and summary.region:
            self.s3.remember_region(name, summary.region)
            target.exists, target.region = True, summary.region
            return
        yield from _heading_into(self.s3, target, name)

    def tags(self, name: str, target: _Found) -> Steps[None]:
        try:
            read = yield from reading_aspect(self.s3, name, aspects.TAGS)
            target.tags = read.value or {}
        except Unsupported:
            self.tagging = False
        except READ_FAILURES as exc:
            if name in self.found:
                target.failures.append(describe_failure("tags", exc))
            else:
                self.unreadable[name] = describe_failure("tags", exc)

    def aspects(self, name: str) -> list[str]:
        """The aspects of declared bucket ``name`` to read (none of one the plan may delete)."""
        if name in self.request.deletable:
            return []
        return sorted(self.request.declared[name])

    def everything(self, name: str) -> Steps[None]:
        """Declared bucket ``name``'s tags and aspects, one read after another."""
        yield from self.tags(name, self.found[name])
        for which in self.aspects(name):
            yield from self.aspect(name, which)

    def aspect(self, name: str, which: str) -> Steps[None]:
        optional = which in self.request.optional.get(name, frozenset())
        yield from _reading_into(self.s3, self.found[name], name, which, optional=optional)

    def region(self, name: str, target: _Found) -> Steps[None]:
        try:
            answer = yield from self.s3.heading_bucket(name)
        except READ_FAILURES as exc:
            self.unreadable[name] = describe_failure("region", exc)
            target.exists = False
            return
        target.region = answer.region if answer else None
        target.exists = answer is not None

    def emptiness(self, name: str, target: _Found) -> Steps[None]:
        try:
            target.empty = not (yield from self.s3.looking_for_objects(name))
        except READ_FAILURES as exc:
            target.failures.append(describe_failure("objects (emptiness)", exc))


def _heading_into(s3: S3Client, target: _Found, name: str) -> Steps[None]:
    """Whether bucket ``name`` exists, its region, and whether it is someone else's, into
    ``target`` (a failure is recorded there)."""
    try:
        answer = yield from s3.heading_bucket(name)
    except READ_FAILURES as exc:
        target.failures.append(describe_failure("existence", exc))
        return
    if answer is not None:
        target.exists, target.region = True, answer.region
        target.foreign = not answer.accessible


def _reading_into(
    s3: S3Client, target: _Found, name: str, which: str, *, optional: bool = False
) -> Steps[None]:
    """Read one aspect of bucket ``name`` into ``target`` (a failure is recorded there; an
    ``optional`` one the endpoint does not implement is noted as such)."""
    try:
        read = yield from reading_aspect(s3, name, aspects.get(which))
    except Unsupported as exc:
        if optional:
            target.unsupported[which] = not_implemented(which, exc)
        else:
            target.failures.append(describe_failure(which, exc))
        return
    except READ_FAILURES as exc:
        target.failures.append(describe_failure(which, exc))
        return
    target.aspects[which] = read.value
    if read.owner_id:
        target.owner_id = read.owner_id


def _live(name: str, found: _Found) -> LiveBucket:
    return LiveBucket(
        name=name,
        exists=found.exists,
        region=found.region,
        tags=found.tags,
        owner_id=found.owner_id,
        aspects=found.aspects,
        empty=found.empty,
        foreign=found.foreign,
        failures=tuple(sorted(found.failures)),  # the order reads end in is not a fact
        unsupported=dict(sorted(found.unsupported.items())),
    )


def _bind(fn: Callable[..., Steps[None]], *args: Any) -> Task:
    return lambda: fn(*args)

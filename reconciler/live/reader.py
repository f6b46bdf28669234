"""Reading the live state: only what the spec declares, in parallel on a bounded pool.

A declared bucket that exists costs its HeadBucket (region; skipped when the listing already
says), its tags (ownership) and one read per declared aspect. The account's bucket list is read
once, for existence and pruning; an undeclared bucket costs one tag read to learn whether this
stack owns it, and an owned one its region and an emptiness check before it may be deleted.

Reads are grouped in phases (existence → tags and aspects → emptiness) and each phase runs on
one thread pool; no task waits on another, so the pool cannot deadlock.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from reconciler.aws.cloudfront import CloudFrontClient
from reconciler.aws.s3 import S3Client
from reconciler.live import normalise
from reconciler.live.distributions import read_distributions
from reconciler.live.model import STACK_TAG, LiveBucket, LiveDistribution, LiveState

T = TypeVar("T")
R = TypeVar("R")

Progress = Callable[[str, int, int], None]


def _read_aspect(s3: S3Client, bucket: str, aspect: str) -> tuple[Any, str | None]:
    """One aspect as a spec value, and the owner id when the read tells it."""
    if aspect == "acl":
        policy = s3.get_bucket_acl(bucket)
        return normalise.acl(policy), policy.owner.id
    if aspect == "object_ownership":
        return s3.get_bucket_ownership_controls(bucket), None
    if aspect == "public_access_block":
        return normalise.public_access_block(s3.get_public_access_block(bucket)), None
    if aspect == "policy":
        return normalise.policy(s3.get_bucket_policy(bucket)), None
    if aspect == "encryption":
        return normalise.encryption(s3.get_bucket_encryption(bucket)), None
    if aspect == "versioning":
        return normalise.versioning(s3.get_bucket_versioning(bucket)), None
    if aspect == "lifecycle":
        return normalise.lifecycle(s3.get_bucket_lifecycle(bucket)), None
    if aspect == "cors":
        return normalise.cors(s3.get_bucket_cors(bucket)), None
    if aspect == "website":
        return normalise.website(s3.get_bucket_website(bucket)), None
    if aspect == "logging":
        return normalise.logging(s3.get_bucket_logging(bucket)), None
    raise ValueError(f"unknown aspect {aspect!r}")


@dataclass
class ReadRequest:
    """What to read: declared buckets with their declared aspects, whether to look for owned
    undeclared buckets (pruning), and which declared buckets may be deleted (emptiness).
    ``distributions``: read the account's distributions (``aliases``: the declared ones, whose
    holders may be adopted; ``distribution_ids``: those whose configuration must be read in any
    case); ``other_buckets``: undeclared buckets whose region a distribution
    needs (origins)."""

    stack: str
    declared: dict[str, frozenset[str]]
    deletable: frozenset[str] = frozenset()
    prune: bool = True
    only_undeclared: frozenset[str] | None = None
    distributions: bool = True
    aliases: frozenset[str] = frozenset()
    distribution_ids: frozenset[str] = frozenset()
    other_buckets: frozenset[str] = frozenset()


@dataclass
class _Found:
    exists: bool = False
    region: str | None = None
    foreign: bool = False
    tags: dict[str, str] = field(default_factory=dict)
    owner_id: str | None = None
    aspects: dict[str, Any] = field(default_factory=dict)
    empty: bool | None = None


class LiveReader:
    """Reads live state through an `S3Client` (and a `CloudFrontClient`, without which no
    distribution is read); ``parallelism`` bounds concurrent requests."""

    def __init__(
        self,
        s3: S3Client,
        *,
        cloudfront: CloudFrontClient | None = None,
        parallelism: int = 16,
        progress: Progress | None = None,
    ) -> None:
        self._s3 = s3
        self._cloudfront = cloudfront
        self._parallelism = parallelism
        self._progress = progress

    def _run(self, label: str, tasks: list[Callable[[], None]]) -> None:
        if not tasks:
            return
        done = 0
        if self._progress:
            self._progress(label, 0, len(tasks))
        with ThreadPoolExecutor(max_workers=self._parallelism) as pool:
            futures = [pool.submit(task) for task in tasks]
            try:
                for future in futures:
                    future.result()
                    done += 1
                    if self._progress:
                        self._progress(label, done, len(tasks))
            except BaseException:
                for future in futures:
                    future.cancel()
                raise

    def _read_for_distributions(
        self, request: ReadRequest, declared: dict[str, _Found]
    ) -> tuple[tuple[LiveDistribution, ...] | None, dict[str, str | None]]:
        """The account's distributions, and the regions of undeclared origin buckets."""
        distributions = None
        if self._cloudfront is not None and request.distributions:
            distributions = read_distributions(
                self._cloudfront,
                self._run,
                stack=request.stack,
                aliases=request.aliases,
                ids=request.distribution_ids,
            )
        s3 = self._s3
        others: dict[str, str | None] = {}

        def other(name: str) -> None:
            answer = s3.head_bucket(name)
            others[name] = (answer.region or s3.region) if answer else None

        extra = [n for n in sorted(request.other_buckets) if n not in declared]
        self._run("origin buckets", [_bind(other, n) for n in extra])
        return distributions, others

    def read(self, request: ReadRequest) -> LiveState:
        s3 = self._s3
        listing = {b.name: b for b in s3.list_buckets()}
        found = {name: _Found() for name in request.declared}

        def head(name: str) -> None:
            summary = listing.get(name)
            if summary is not None and summary.region:
                s3.remember_region(name, summary.region)
                found[name].exists, found[name].region = True, summary.region
                return
            answer = s3.head_bucket(name)
            if answer is not None:
                found[name].exists, found[name].region = True, answer.region
                found[name].foreign = not answer.accessible

        heads = [_bind(head, n) for n in request.declared]
        self._run("existence", heads)

        def tags(name: str, target: _Found) -> None:
            target.tags = s3.get_bucket_tagging(name) or {}

        def aspect(name: str, which: str) -> None:
            value, owner = _read_aspect(s3, name, which)
            found[name].aspects[which] = value
            if owner:
                found[name].owner_id = owner

        undeclared: dict[str, _Found] = {}
        if request.prune:
            names = [n for n in listing if n not in request.declared]
            if request.only_undeclared is not None:
                names = [n for n in names if n in request.only_undeclared]
            undeclared = {n: _Found(exists=True) for n in names}
        readable = [n for n, f in found.items() if f.exists and not f.foreign]
        second: list[Callable[[], None]] = [_bind(tags, n, found[n]) for n in readable]
        second += [
            _bind(aspect, n, a)
            for n in readable
            if n not in request.deletable
            for a in sorted(request.declared[n])
        ]
        second += [_bind(tags, n, f) for n, f in undeclared.items()]
        self._run("reading", second)

        owned = {n: f for n, f in undeclared.items() if f.tags.get(STACK_TAG) == request.stack}

        def region(name: str) -> None:
            answer = s3.head_bucket(name)
            owned[name].region = answer.region if answer else None
            owned[name].exists = answer is not None

        def emptiness(name: str, target: _Found) -> None:
            target.empty = not s3.has_objects(name)

        self._run("regions", [_bind(region, n) for n in owned])
        third = [_bind(emptiness, n, f) for n, f in owned.items() if f.exists]
        third += [
            _bind(emptiness, n, found[n])
            for n in request.deletable
            if n in found
            and found[n].exists
            and not found[n].foreign
            and found[n].tags.get(STACK_TAG) == request.stack
        ]
        self._run("emptiness", third)

        buckets = {n: _live(n, f) for n, f in found.items()}
        buckets.update({n: _live(n, f) for n, f in owned.items() if f.exists})
        distributions, others = self._read_for_distributions(request, found)
        return LiveState(
            buckets=buckets,
            owned_undeclared=tuple(sorted(n for n in owned if owned[n].exists)),
            unowned=tuple(sorted(n for n, f in undeclared.items() if STACK_TAG not in f.tags)),
            distributions=distributions,
            other_buckets=others,
        )


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
    )


def _bind(fn: Callable[..., None], *args: Any) -> Callable[[], None]:
    return lambda: fn(*args)

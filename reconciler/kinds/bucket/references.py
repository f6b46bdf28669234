"""Checks of the buckets a spec refers to but does not declare, against what was read of them:
what a bucket's aspects refer to (a logging target: each unit states its own check), and a
distribution's log bucket. The spec's own rules check declared targets offline; these are the
promised checks of the rest, made when planning, so that a plan whose apply would fail
half-way (``InvalidTargetBucketForLogging``) is an error before any write. A declared target
whose spec leaves out what its check needs (a report destination without ``policy``:
unmanaged) has that read when planning, and is checked with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from reconciler.kinds.bucket.aspects import object_ownership
from reconciler.kinds.bucket.aspects import registry as aspects
from reconciler.kinds.bucket.aspects.base import Aspect, Problem, Referenced
from reconciler.kinds.bucket.declared import buckets
from reconciler.kinds.bucket.live import LiveBucket
from reconciler.kinds.bucket.model import Bucket
from reconciler.spec.model import Spec

#: A distribution's log bucket must allow ACLs.
OWNERSHIP = object_ownership.ASPECT.key


def _found(name: str, what: str, live: LiveBucket | None) -> Iterator[str]:
    """What keeps an undeclared bucket from serving as ``what``: unreadable, missing, foreign."""
    if live is None:
        return
    for failure in live.failures:
        yield f"{what} {name!r} cannot be checked: {failure}"
    if live.failures:
        return
    if not live.exists:
        yield f"{what} {name!r} does not exist, and this spec does not declare it"
    elif live.foreign:
        yield f"{what} {name!r} belongs to another AWS account"


def referenced_bucket(
    unit: Aspect, value: Any, region: str, name: str, live: LiveBucket | None
) -> Iterator[Problem]:
    """Why an undeclared bucket that ``unit``'s value refers to cannot serve (paths are below
    the aspect): unreadable, missing, foreign, or what the unit's own check finds."""
    refers = unit.refers
    if live is None or refers is None or refers.check is None:
        return
    problems = list(_found(name, refers.label, live))
    if problems:
        yield from ((p, refers.at) for p in problems)
        return
    target = Referenced(name=name, region=live.region, aspects=dict(live.aspects))
    yield from refers.check(value, region, target)


def _left_out(unit: Aspect, target: Bucket) -> list[str]:
    reads = unit.refers.when_left_out if unit.refers else ()
    return [a for a in reads if getattr(target, a) is None]


def declared_reads(spec: Spec, reading: Iterable[str]) -> dict[str, frozenset[str]]:
    """Per declared bucket that a bucket being read refers to, what its reference check needs
    that its spec leaves out (read of it when planning)."""
    found: dict[str, frozenset[str]] = {}
    for name in reading:
        bucket = buckets(spec)[name]
        if bucket.state == "absent":
            continue
        for unit in aspects.ASPECTS:
            value = getattr(bucket, unit.key)
            needed = unit.refers is not None and unit.refers.when_left_out
            for target in unit.references(value) if value and needed else ():
                declared = buckets(spec).get(target)
                if declared is not None and declared.state != "absent":
                    left = frozenset(_left_out(unit, declared))
                    if left:
                        found[target] = found.get(target, frozenset()) | left
    return found


def declared_bucket(
    unit: Aspect, value: Any, region: str, target: Bucket, live: LiveBucket | None
) -> Iterator[Problem]:
    """Why a declared bucket (``target`` as the spec says, ``live`` as read) cannot serve
    ``unit``'s value, where its spec leaves out what the check needs: checked with the live
    values of those (a bucket still to be created has none). Its other values are the spec's,
    which its offline rules checked."""
    left = _left_out(unit, target)
    refers = unit.refers
    if not left or refers is None or refers.check is None or live is None or live.failures:
        return
    name = live.name
    values = {a: getattr(target, a) for a in refers.reads}
    values |= {a: live.aspects.get(a) for a in left}
    where = target.region or live.region
    yield from refers.check(value, region, Referenced(name, where, values))


def distribution_log_bucket(name: str, live: LiveBucket | None) -> Iterator[str]:
    """Why an undeclared bucket cannot take a distribution's standard logs."""
    problems = list(_found(name, "logging bucket", live))
    yield from problems
    enforced = live is not None and object_ownership.disables_acls(live.aspects.get(OWNERSHIP))
    if not problems and enforced:
        yield (
            f"logging bucket {name!r} has object_ownership BucketOwnerEnforced: CloudFront "
            "writes standard logs through ACLs, which it disables"
        )

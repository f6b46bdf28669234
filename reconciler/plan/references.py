"""Checks of the buckets a spec refers to but does not declare, against what was read of them:
what a bucket's aspects refer to (a logging target: each unit states its own check), and a
distribution's log bucket. The spec's own rules check declared targets offline; these are the
promised checks of the rest, made when planning, so that a plan whose apply would fail
half-way (``InvalidTargetBucketForLogging``) is an error before any write.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from reconciler.aspects import object_ownership
from reconciler.aspects.base import Aspect, Problem, Referenced
from reconciler.live.model import LiveBucket

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
    if live is None or unit.check_reference is None:
        return
    problems = list(_found(name, unit.reference_label, live))
    if problems:
        yield from ((p, unit.reference_at) for p in problems)
        return
    target = Referenced(name=name, region=live.region, aspects=dict(live.aspects))
    yield from unit.check_reference(value, region, target)


def distribution_log_bucket(name: str, live: LiveBucket | None) -> Iterator[str]:
    """Why an undeclared bucket cannot take a distribution's standard logs."""
    problems = list(_found(name, "logging bucket", live))
    yield from problems
    enforced = live is not None and live.aspects.get(OWNERSHIP) == "BucketOwnerEnforced"
    if not problems and enforced:
        yield (
            f"logging bucket {name!r} has object_ownership BucketOwnerEnforced: CloudFront "
            "writes standard logs through ACLs, which it disables"
        )

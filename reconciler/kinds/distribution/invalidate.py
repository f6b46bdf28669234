"""``reconciler invalidate``: clear paths from a declared distribution's edge caches.

The distribution is found as a plan finds it, by its ``reconciler:stack`` and ``reconciler:name``
tags. Paths are checked before any call: each starts with ``/``, holds no whitespace or control
character, and uses ``*`` only as its last character (CloudFront's wildcard). One invocation
uses one caller reference, so a request the transport retries after a lost answer is recognised
by CloudFront as the same invalidation, never a second one.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from reconciler.aws.cloudfront import CloudFrontClient, Invalidation
from reconciler.errors import PlanError, ReconcilerError
from reconciler.kinds.distribution.live import NAME_TAG
from reconciler.live.model import STACK_TAG

COMPLETED = "Completed"  # moto before 5.2.6 answers COMPLETED: compared without case


def path_problems(paths: list[str]) -> list[str]:
    """What is wrong with each bad path (empty when all are fine)."""
    problems = []
    for path in paths:
        if not path.startswith("/"):
            problems.append(f"{path!r}: a path starts with '/'")
        elif any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in path):
            problems.append(f"{path!r}: no whitespace or control characters (URL-encode them)")
        elif "*" in path[:-1]:
            problems.append(f"{path!r}: '*' is allowed only as the last character")
        elif len(path) > 4000:
            problems.append(f"{path[:40]!r}...: longer than 4000 characters")
    return problems


def check_paths(name: str, paths: list[str]) -> None:
    problems = path_problems(paths)
    if problems:
        raise PlanError(f"distribution.{name}: invalid path(s): " + "; ".join(problems))


def find_distribution(cloudfront: CloudFrontClient, *, stack: str, name: str) -> str:
    """The id of the distribution this stack declares as ``name``."""
    found = [
        s.id
        for s in cloudfront.list_distributions()
        if (tags := cloudfront.list_tags(s.arn, address=f"distribution {s.id}")).get(STACK_TAG)
        == stack
        and tags.get(NAME_TAG) == name
    ]
    address = f"distribution.{name}"
    if not found:
        raise ReconcilerError(
            f"no distribution is tagged {STACK_TAG}={stack}, {NAME_TAG}={name}: apply the spec "
            "first",
            address=address,
        )
    if len(found) > 1:
        raise ReconcilerError(
            f"{len(found)} distributions carry the tags of this name ({', '.join(found)})",
            address=address,
        )
    return found[0]


def invalidate(
    cloudfront: CloudFrontClient,
    distribution_id: str,
    paths: list[str],
    *,
    address: str,
    wait: bool,
    interval: float = 10.0,
    timeout: float = 1200.0,
    sleep: Callable[[float], None],
    progress: Callable[[str], None] | None = None,
) -> Invalidation:
    made = cloudfront.create_invalidation(
        distribution_id, paths, caller_reference=f"reconciler-{uuid.uuid4().hex}", address=address
    )
    waited = 0.0
    while wait and made.status.lower() != COMPLETED.lower():
        if waited >= timeout:
            raise ReconcilerError(
                f"invalidation {made.id} is still {made.status} after {waited:.0f} s; "
                "CloudFront carries on by itself",
                address=address,
            )
        sleep(interval)
        waited += interval
        made = cloudfront.get_invalidation(distribution_id, made.id, address=address)
        if progress:
            progress(f"{address}: invalidation {made.id} {made.status}, waited {waited:.0f} s")
    return made

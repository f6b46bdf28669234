"""A bucket's offline rules: its name, its region, what ``state: absent`` allows, then each
aspect's own (its unit's ``rules``)."""

from __future__ import annotations

from collections.abc import Iterator

from reconciler.errors import Severity
from reconciler.kinds.bucket.aspects import registry as aspects
from reconciler.kinds.bucket.declared import buckets
from reconciler.kinds.bucket.model import Bucket
from reconciler.names import bucket_name_problem
from reconciler.spec.findings import Finding, RuleContext, absent
from reconciler.spec.regions import region_problem
from reconciler.spec.source import Path


def check(ctx: RuleContext) -> Iterator[Finding]:
    """Findings for every bucket of the spec."""
    for name, bucket in buckets(ctx.spec).items():
        yield from _bucket(ctx, name, bucket)


def _bucket(ctx: RuleContext, name: str, bucket: Bucket) -> Iterator[Finding]:
    path: Path = ("buckets", name)
    problem = bucket_name_problem(name)
    if problem:
        yield Finding(path, f"invalid bucket name: {problem}", at_key=True)
    wrong = (
        region_problem(bucket.region, check=ctx.spec.region_check)
        if bucket.region is not None
        else None
    )
    if wrong:
        yield Finding((*path, "region"), wrong)
    if bucket.state == "absent":
        yield from absent(path, "bucket", prevent_destroy=bucket.prevent_destroy)
        return
    if bucket.force_destroy:
        yield Finding(
            (*path, "force_destroy"),
            "force_destroy has effect only when the bucket is deleted (state: absent, or destroy)",
            severity=Severity.WARNING,
        )
    yield from aspects.check(ctx, name, bucket, path)

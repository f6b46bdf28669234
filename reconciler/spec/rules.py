"""The AWS rules that can be checked without asking AWS, so a broken spec fails before any
API call, with a message that says what to change.

Each check returns findings (a path into the spec, a message, error or warning); the loader puts
them at file positions. Warnings mark what can only be verified against live state (a logging
target the spec does not declare) or what AWS accepts but will likely bite.
"""

from __future__ import annotations

from collections.abc import Iterator

from reconciler.aspects import registry as aspects
from reconciler.names import bucket_name_problem
from reconciler.spec import distribution_rules
from reconciler.spec.bucket import Bucket
from reconciler.spec.findings import Finding, RuleContext
from reconciler.spec.model import Spec
from reconciler.spec.regions import region_problem
from reconciler.spec.source import Path
from reconciler.spec.tag_rules import TAG_TEXT

__all__ = ["Finding", "check"]


def check(
    spec: Spec, *, declared: set[str] | None = None, check_stack: bool = True
) -> list[Finding]:
    """Findings for a spec. ``declared`` names every bucket the files declare, including those
    whose shape was invalid (and so are missing from ``spec``): references to them are not
    reported as undeclared."""
    context = RuleContext(spec, declared if declared is not None else set(spec.buckets))
    findings = list(_stack(spec)) if check_stack else []
    for name, bucket in spec.buckets.items():
        findings.extend(_bucket(context, name, bucket))
    findings.extend(distribution_rules.check(spec, context))
    return findings


def _stack(spec: Spec) -> Iterator[Finding]:
    if not spec.stack.strip():
        yield Finding(("stack",), "must not be empty")
    elif len(spec.stack) > 128 or not TAG_TEXT.match(spec.stack):
        yield Finding(
            ("stack",),
            "must be at most 128 letters, digits, spaces or _.:/=+-@ (it becomes a tag value)",
        )


# -- buckets ---------------------------------------------------------------------------------


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
        yield from distribution_rules.absent(path, "bucket", prevent_destroy=bucket.prevent_destroy)
        return
    if bucket.force_destroy:
        yield Finding(
            (*path, "force_destroy"),
            "force_destroy has effect only when the bucket is deleted (state: absent, or destroy)",
            severity="warning",
        )
    yield from aspects.check(ctx, name, bucket, path)

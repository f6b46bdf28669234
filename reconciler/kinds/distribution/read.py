"""Reading the account's distributions: one listing, one tag read each, and the configuration of
those a plan may change.

A distribution is found by its tags (``reconciler:stack`` and ``reconciler:name``), so every
distribution's tags are read; the listing already tells the aliases. The
configuration (one ``GetDistributionConfig``) is read only for this stack's distributions and for
untagged ones holding an alias the spec declares (adoption candidates): a no-change plan of N
tagged distributions costs one listing plus 2 N requests. A read that fails for one
distribution is recorded on it (``failures``); the others are still read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from reconciler.aws.cloudfront import CloudFrontClient
from reconciler.aws.steps import Steps, Task
from reconciler.kinds.distribution.config import read_config
from reconciler.kinds.distribution.live import LiveDistribution
from reconciler.live.failures import READ_FAILURES, describe_failure

Run = Callable[[str, list[Task]], None]


def read_distributions(
    cloudfront: CloudFrontClient,
    run: Run,
    *,
    stack: str,
    aliases: frozenset[str],
    ids: frozenset[str] = frozenset(),
) -> tuple[LiveDistribution, ...]:
    """Every distribution with its tags; the configuration of this stack's, of those holding
    one of ``aliases``, and of those named by ``ids`` (a saved plan's)."""
    found = [
        LiveDistribution(
            id=s.id,
            arn=s.arn,
            aliases=tuple(a.lower() for a in s.aliases),
        )
        for s in cloudfront.list_distributions()
    ]
    tags: dict[str, dict[str, str]] = {}
    failed: dict[str, list[str]] = {}

    def read_tags(one: LiveDistribution) -> Steps[None]:
        try:
            tags[one.id] = yield from cloudfront.listing_tags(one.arn, f"distribution {one.id}")
        except READ_FAILURES as exc:
            failed.setdefault(one.id, []).append(describe_failure("tags", exc))

    run("distributions", [_bind(read_tags, d) for d in found])
    found = [replace(d, tags=tags.get(d.id, {})) for d in found]

    def relevant(one: LiveDistribution) -> bool:
        return (
            one.stack == stack
            or one.id in ids
            or (one.stack is None and bool(set(one.aliases) & aliases))
        )

    fields: dict[str, dict[str, object]] = {}

    def read_fields(one: LiveDistribution) -> Steps[None]:
        try:
            config, _ = yield from cloudfront.getting_distribution_config(
                one.id, f"distribution {one.id}"
            )
            fields[one.id] = read_config(config)
        except READ_FAILURES as exc:
            failed.setdefault(one.id, []).append(describe_failure("configuration", exc))

    wanted = [d for d in found if relevant(d) and d.id not in failed]
    run("distribution configs", [_bind(read_fields, d) for d in wanted])
    return tuple(
        replace(d, fields=fields.get(d.id), failures=tuple(failed.get(d.id, ()))) for d in found
    )


def _bind(fn: Callable[[LiveDistribution], Steps[None]], one: LiveDistribution) -> Task:
    return lambda: fn(one)

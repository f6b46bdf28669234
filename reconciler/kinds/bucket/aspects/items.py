"""What the aspects kept as items by id share (Intelligent-Tiering, inventory, metrics,
analytics): the listing's pages, the comparison keyed by id, the prefix-and-tags filter, report
destinations, and the offline rules every such list obeys."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any
from xml.etree.ElementTree import Element

from reconciler import xmlcodec as xml
from reconciler.errors import Severity
from reconciler.kinds.bucket.aspects import filters, policy
from reconciler.kinds.bucket.aspects.base import (
    Aspect,
    Call,
    Decoded,
    Items,
    Problem,
    Referenced,
    Refers,
    Rules,
    S3Calls,
    Unconfigured,
    WriteContext,
)
from reconciler.kinds.bucket.canonical import Context, Json
from reconciler.kinds.bucket.declared import declared_bucket
from reconciler.kinds.bucket.model_analytics import PrefixTagsFilter, ReportDestination
from reconciler.spec.findings import Finding, RuleContext
from reconciler.spec.source import Path

MAX_ITEMS = 1000
#: Diff paths by id: ``inventory[weekly].schedule``.
KEYED = frozenset({""})
_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
BUCKET_ARN = "arn:aws:s3:::"
#: The service principal that writes inventory and analytics reports.
REPORTS_PRINCIPAL = "s3.amazonaws.com"


def aspect(
    key: str,
    *,
    name: str,
    subresource: str,
    item: Callable[[Element], Any],
    encode: Callable[[Any, WriteContext], bytes],
    canonical_item: Callable[[Any], Json],
    rules: Rules,
    refers: Refers | None = None,
) -> Aspect:
    """The record of an aspect kept as items by id, from what differs between them: ``name``
    as S3's operations spell it (``Inventory``: ``ListBucketInventoryConfigurations``,
    ``s3:GetInventoryConfiguration``, ...), how one item reads, writes and compares, its rules,
    and the buckets its items send reports to (`report_destinations`)."""
    element = f"{name}Configuration"
    get, put = f"s3:Get{name}Configuration", f"s3:Put{name}Configuration"
    return Aspect(
        key=key,
        calls=S3Calls(
            subresource=subresource,
            document=element,
            get=Call(f"ListBucket{name}Configurations", get),
            put=Call(f"PutBucket{name}Configuration", put),
            delete=Call(f"DeleteBucket{name}Configuration", put),
            items=Items(element),
        ),
        decode=listing(element, item),
        encode=encode,
        unconfigured=Unconfigured(compares_as={}, reads_as=[]),
        canonical=keyed(canonical_item),
        follows=("tags",),
        rules=rules,
        salvage_elements=True,
        keyed=KEYED,
        refers=refers,
    )


def listing(element: str, item: Callable[[Element], Any]) -> Callable[[Element], Decoded]:
    """A decoder of one page of a listing: its items, and where the next page starts."""

    def decode(root: Element) -> Decoded:
        found = [item(node) for node in xml.children(root, element)]
        token = (
            xml.text(root, "NextContinuationToken") if xml.boolean(root, "IsTruncated") else None
        )
        return Decoded(found, next_token=token or None)

    return decode


def keyed(item: Callable[[Any], Json]) -> Callable[[Any, Context, bool], Json]:
    """The canonical form of a list of items: a map by id (order never matters)."""

    def canonical(value: Any, ctx: Context, desired: bool) -> Json:
        return {entry.id: item(entry) for entry in sorted(value, key=lambda e: e.id)}

    return canonical


def decode_filter(node: Element | None) -> PrefixTagsFilter | None:
    fields = filters.decode_fields(node)
    fields = {k: v for k, v in fields.items() if k in ("prefix", "tags")}
    return PrefixTagsFilter(**fields) if fields else None


def encode_filter(parent: Element, flt: PrefixTagsFilter | None) -> None:
    """``<Filter>`` only when the configuration has one (none: the whole bucket)."""
    if flt is not None and (flt.prefix or flt.tags):
        filters.encode(parent, flt)  # type: ignore[arg-type]


def bucket_arn(bucket: str) -> str:
    return bucket if bucket.startswith("arn:") else BUCKET_ARN + bucket


def bucket_name(bucket: str) -> str:
    return bucket[len(BUCKET_ARN) :] if bucket.startswith(BUCKET_ARN) else bucket


def report_destinations(what: str, get: Callable[[Any], ReportDestination | None]) -> Refers:
    """The buckets a list's items send reports to (this account's), given where an item names
    one (``get``) and what it is called (``inventory destination``): read and checked by their
    policy when the spec does not declare it, or declares it and leaves the policy out."""

    def names(value: Any) -> tuple[str, ...]:
        found = {get(item) for item in value}
        return tuple(sorted({bucket_name(d.bucket) for d in found if d and not d.account}))

    reads = (policy.ASPECT.key,)
    return Refers(
        names, f"{what} bucket", reads=reads, check=check_destination(what), when_left_out=reads
    )


def accepts_reports(policy_document: Any) -> bool:
    """Whether a bucket's policy lets S3 write reports into it."""
    return policy.lets_service_put(policy_document, REPORTS_PRINCIPAL)


def _unmanaged_or_accepts(declared: Any) -> bool:
    """A declared destination's policy: left out, it is unmanaged (the live one is checked
    when planning); declared, it must let S3 write reports."""
    return declared is None or accepts_reports(declared)


def _needs(what: str, name: str) -> str:
    return (
        f"{what} bucket {name!r} does not let S3 write reports: give it a policy statement "
        f"that allows the service principal {REPORTS_PRINCIPAL} to s3:PutObject"
    )


def check_destination(what: str) -> Callable[[Any, str, Referenced], Iterator[Problem]]:
    """The check of a report destination from its live policy: an undeclared one, or a
    declared one whose spec leaves the policy out."""

    def check(value: Any, region: str, target: Referenced) -> Iterator[Problem]:
        if not accepts_reports(target.aspects.get(policy.ASPECT.key)):
            yield (_needs(what, target.name), ())

    return check


def check_items(
    ctx: RuleContext,
    items: list[Any],
    where: Path,
    *,
    what: str,
    destination: Callable[[Any], ReportDestination | None] = lambda item: None,
    destination_at: tuple[str, ...] = (),
) -> Iterator[Finding]:
    """Ids unique and well-formed, at most 1,000 items, destinations that can take reports."""
    if len(items) > MAX_ITEMS:
        yield Finding(where, f"at most {MAX_ITEMS} {what} configurations (found {len(items)})")
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        if item is None:
            continue
        at = (*where, index)
        if not _ID.match(item.id):
            yield Finding(
                (*at, "id"), "an id is 1 to 64 letters, digits, periods, hyphens or underscores"
            )
        if item.id in seen:
            yield Finding((*at, "id"), f"the id {item.id!r} is used twice (also [{seen[item.id]}])")
        seen.setdefault(item.id, index)
        dest = destination(item)
        if dest is None or dest.account:
            continue
        name = bucket_name(dest.bucket)
        target = declared_bucket(ctx, name)
        at_dest = (*at, *destination_at, "bucket")
        if target is None:
            yield Finding(
                at_dest,
                f"{what} destination bucket {name!r} is not declared in this spec: its "
                "existence and policy are checked against AWS when planning",
                severity=Severity.WARNING,
            )
        elif target is not False and target.state == "absent":
            yield Finding(at_dest, f"{what} destination bucket {name!r} is declared state: absent")
        elif target is not False and not _unmanaged_or_accepts(target.policy):
            yield Finding(at_dest, _needs(f"{what} destination", name))

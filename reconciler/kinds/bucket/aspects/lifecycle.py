"""``lifecycle``: lifecycle rules, keyed by id (``rules[expire-logs].expiration.days``), with
the offline rules S3 enforces on transitions and expirations."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Any
from xml.etree.ElementTree import Element

from reconciler import xmlcodec as xml
from reconciler.kinds.bucket.aspects import filters
from reconciler.kinds.bucket.aspects.base import (
    Aspect,
    Call,
    Decoded,
    S3Calls,
    Unconfigured,
    WriteContext,
)
from reconciler.kinds.bucket.canonical import Context, Json, date_text, drop_none, dump
from reconciler.kinds.bucket.model import (
    Bucket,
    Expiration,
    LifecycleRule,
    NoncurrentVersionExpiration,
    NoncurrentVersionTransition,
    Transition,
)
from reconciler.spec.findings import Finding, RuleContext
from reconciler.spec.source import Path

#: The root element S3 answers and takes.
DOCUMENT = "LifecycleConfiguration"

MAX_RULES = 1000
# The storage-class waterfall: transitions in a rule must move down it as time passes.
CLASS_ORDER = ["STANDARD_IA", "INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR", "GLACIER",
               "DEEP_ARCHIVE"]  # fmt: skip
THIRTY_DAY_CLASSES = ("STANDARD_IA", "ONEZONE_IA")


def _date(node: Element, tag: str) -> Any:
    value = xml.text(node, tag)
    return value[:10] if value else None


def _rule(index: int, node: Element) -> LifecycleRule:
    exp = node.find("Expiration")
    nve = node.find("NoncurrentVersionExpiration")
    abort = node.find("AbortIncompleteMultipartUpload")
    return LifecycleRule(
        id=xml.text(node, "ID") or f"#{index}",
        enabled=(xml.text(node, "Status") or "Enabled") == "Enabled",
        filter=filters.decode(node),
        expiration=None
        if exp is None
        else Expiration(
            days=xml.integer(exp, "Days"),
            date=_date(exp, "Date"),
            expired_object_delete_marker=xml.boolean(exp, "ExpiredObjectDeleteMarker"),
        ),
        transitions=[
            Transition(
                storage_class=xml.text(t, "StorageClass") or "",  # type: ignore[arg-type]
                days=xml.integer(t, "Days"),
                date=_date(t, "Date"),
            )
            for t in xml.children(node, "Transition")
        ],
        noncurrent_version_expiration=None
        if nve is None or xml.integer(nve, "NoncurrentDays") is None
        else NoncurrentVersionExpiration(
            noncurrent_days=xml.integer(nve, "NoncurrentDays") or 0,
            newer_noncurrent_versions=xml.integer(nve, "NewerNoncurrentVersions"),
        ),
        noncurrent_version_transitions=[
            NoncurrentVersionTransition(
                storage_class=xml.text(t, "StorageClass") or "",  # type: ignore[arg-type]
                noncurrent_days=xml.integer(t, "NoncurrentDays") or 0,
                newer_noncurrent_versions=xml.integer(t, "NewerNoncurrentVersions"),
            )
            for t in xml.children(node, "NoncurrentVersionTransition")
        ],
        abort_incomplete_multipart_upload_days=(
            xml.integer(abort, "DaysAfterInitiation") if abort is not None else None
        ),
    )


def _decode(root: Element) -> Decoded:
    return Decoded([_rule(i, node) for i, node in enumerate(xml.children(root, "Rule"))])


def _date_value(value: Any) -> str:
    return f"{value.isoformat()}T00:00:00.000Z"


def _encode(value: Any, ctx: WriteContext) -> bytes:
    root = xml.root(DOCUMENT)
    for rule in value:
        node = xml.add(root, "Rule")
        xml.add_if(node, "ID", rule.id)
        filters.encode(node, rule.filter)
        xml.add(node, "Status", "Enabled" if rule.enabled else "Disabled")
        if rule.expiration is not None:
            exp = xml.add(node, "Expiration")
            xml.add_if(exp, "Days", rule.expiration.days)
            if rule.expiration.date is not None:
                xml.add(exp, "Date", _date_value(rule.expiration.date))
            xml.add_if(
                exp, "ExpiredObjectDeleteMarker", rule.expiration.expired_object_delete_marker
            )
        for transition in rule.transitions:
            node_t = xml.add(node, "Transition")
            xml.add_if(node_t, "Days", transition.days)
            if transition.date is not None:
                xml.add(node_t, "Date", _date_value(transition.date))
            xml.add(node_t, "StorageClass", transition.storage_class)
        if rule.noncurrent_version_expiration is not None:
            nve = xml.add(node, "NoncurrentVersionExpiration")
            xml.add(nve, "NoncurrentDays", rule.noncurrent_version_expiration.noncurrent_days)
            xml.add_if(
                nve,
                "NewerNoncurrentVersions",
                rule.noncurrent_version_expiration.newer_noncurrent_versions,
            )
        for nvt in rule.noncurrent_version_transitions:
            node_n = xml.add(node, "NoncurrentVersionTransition")
            xml.add(node_n, "NoncurrentDays", nvt.noncurrent_days)
            xml.add(node_n, "StorageClass", nvt.storage_class)
            xml.add_if(node_n, "NewerNoncurrentVersions", nvt.newer_noncurrent_versions)
        if rule.abort_incomplete_multipart_upload_days is not None:
            abort = xml.add(node, "AbortIncompleteMultipartUpload")
            xml.add(abort, "DaysAfterInitiation", rule.abort_incomplete_multipart_upload_days)
    return xml.serialise(root)


def _canonical_rule(rule: LifecycleRule) -> Json:
    out: dict[str, Any] = {"enabled": rule.enabled, "filter": filters.canonical(rule.filter)}
    if rule.expiration is not None:
        exp = rule.expiration
        expiration = drop_none(
            {
                "days": exp.days,
                "date": date_text(exp.date),
                "expired_object_delete_marker": exp.expired_object_delete_marker or None,
            }
        )
        if expiration:
            out["expiration"] = expiration
    if rule.transitions:
        out["transitions"] = sorted(
            (
                drop_none(
                    {"storage_class": t.storage_class, "days": t.days, "date": date_text(t.date)}
                )
                for t in rule.transitions
            ),
            key=lambda t: (t.get("days", -1), t.get("date", ""), t["storage_class"]),
        )
    if rule.noncurrent_version_expiration is not None:
        out["noncurrent_version_expiration"] = dump(rule.noncurrent_version_expiration)
    if rule.noncurrent_version_transitions:
        out["noncurrent_version_transitions"] = sorted(
            (dump(t) for t in rule.noncurrent_version_transitions),
            key=lambda t: (t["noncurrent_days"], t["storage_class"]),
        )
    if rule.abort_incomplete_multipart_upload_days is not None:
        out["abort_incomplete_multipart_upload_days"] = rule.abort_incomplete_multipart_upload_days
    return out


def _canonical(value: Any, ctx: Context, desired: bool) -> Json:
    keyed: dict[str, Any] = {}
    for index, rule in enumerate(value):
        keyed[rule.id or f"#{index}"] = _canonical_rule(rule)
    return {"rules": dict(sorted(keyed.items()))}


def _rules(ctx: RuleContext, name: str, bucket: Bucket, path: Path) -> Iterator[Finding]:
    if bucket.lifecycle is not None:
        yield from _check(bucket.lifecycle, (*path, "lifecycle"))


def _check(rules: Sequence[LifecycleRule | None], path: Path) -> Iterator[Finding]:
    if len(rules) > MAX_RULES:
        yield Finding(path, f"at most {MAX_RULES} lifecycle rules (found {len(rules)})")
    seen: dict[str, int] = {}
    for index, rule in enumerate(rules):
        if rule is None:
            continue  # its shape is wrong, reported already (see loader.SALVAGED_LISTS)
        where = (*path, index)
        shown = rule.id if len(rule.id) <= 40 else rule.id[:37] + "..."
        label = f"lifecycle rule {shown!r}"
        if not rule.id:
            yield Finding((*where, "id"), "a lifecycle rule needs a non-empty id")
        elif len(rule.id) > 255:
            yield Finding((*where, "id"), f"{label}: the id must be at most 255 characters")
        if rule.id in seen:
            yield Finding(
                (*where, "id"),
                f"{label}: the id is used twice (also {path[-1]}[{seen[rule.id]}]); rules are "
                "matched by id",
            )
        seen.setdefault(rule.id, index)
        yield from _lifecycle_rule(rule, where, label)


def _lifecycle_rule(rule: LifecycleRule, where: Path, label: str) -> Iterator[Finding]:
    tagged = rule.filter is not None and bool(rule.filter.tags)
    if not (
        rule.expiration
        or rule.transitions
        or rule.noncurrent_version_expiration
        or rule.noncurrent_version_transitions
        or rule.abort_incomplete_multipart_upload_days is not None
    ):
        yield Finding(
            where,
            f"{label}: has no action; give expiration, transitions, "
            "noncurrent_version_expiration, noncurrent_version_transitions or "
            "abort_incomplete_multipart_upload_days",
        )
    yield from filters.check(rule.filter, where, label)
    exp = rule.expiration
    if exp is not None:
        marker = bool(exp.expired_object_delete_marker)
        if exp.days is not None and exp.date is not None:
            yield Finding((*where, "expiration"), f"{label}: give either days or date, not both")
        elif marker and (exp.days is not None or exp.date is not None):
            yield Finding(
                (*where, "expiration"),
                f"{label}: expired_object_delete_marker cannot be combined with days or date",
            )
        elif exp.days is None and exp.date is None and not marker:
            yield Finding(
                (*where, "expiration"),
                f"{label}: expiration needs days, date or expired_object_delete_marker: true",
            )
        if marker and tagged:
            yield Finding(
                (*where, "expiration"),
                f"{label}: expired_object_delete_marker cannot be used with a tag filter",
            )
    if rule.abort_incomplete_multipart_upload_days is not None and tagged:
        yield Finding(
            (*where, "abort_incomplete_multipart_upload_days"),
            f"{label}: abort_incomplete_multipart_upload_days cannot be used with a tag filter",
        )
    yield from _transitions(rule, where, label)


def _transitions(rule: LifecycleRule, where: Path, label: str) -> Iterator[Finding]:
    by_days: list[tuple[str, int]] = []
    forms = set()
    classes: set[str] = set()
    for index, transition in enumerate(rule.transitions):
        at = (*where, "transitions", index)
        cls = transition.storage_class
        if cls in classes:
            yield Finding(at, f"{label}: two transitions to {cls}")
        classes.add(cls)
        if (transition.days is None) == (transition.date is None):
            yield Finding(
                at,
                f"{label}: the transition to {cls} needs either days or date, not both or neither",
            )
            continue
        forms.add("days" if transition.days is not None else "date")
        if transition.days is not None:
            if cls in THIRTY_DAY_CLASSES and transition.days < 30:
                yield Finding(
                    at,
                    f"{label}: a transition to {cls} must be at least 30 days "
                    f"after creation (got {transition.days})",
                )
            by_days.append((cls, transition.days))
    if len(forms) > 1:
        yield Finding(
            (*where, "transitions"), f"{label}: transitions must all use days or all use dates"
        )
    ordered = sorted(by_days, key=lambda item: CLASS_ORDER.index(item[0]))
    for (first, first_days), (later, later_days) in itertools.pairwise(ordered):
        gap = 30 if first in THIRTY_DAY_CLASSES else 1
        if later_days < first_days + gap:
            yield Finding(
                (*where, "transitions"),
                f"{label}: the transition to {later} "
                f"({later_days} days) must come at least {gap} days after the one to "
                f"{first} ({first_days} days)",
            )
    exp = rule.expiration
    if exp is not None and exp.days is not None and by_days:
        last = max(days for _, days in by_days)
        if exp.days <= last:
            yield Finding(
                (*where, "expiration"),
                f"{label}: expiration ({exp.days} days) must "
                f"come after the last transition ({last} days)",
            )
    for index, nvt in enumerate(rule.noncurrent_version_transitions):
        if nvt.storage_class in THIRTY_DAY_CLASSES and nvt.noncurrent_days < 30:
            yield Finding(
                (*where, "noncurrent_version_transitions", index),
                f"{label}: a noncurrent transition to {nvt.storage_class} must be at "
                f"least 30 days (got {nvt.noncurrent_days})",
            )
    nve = rule.noncurrent_version_expiration
    if nve is not None and rule.noncurrent_version_transitions:
        last = max(t.noncurrent_days for t in rule.noncurrent_version_transitions)
        if nve.noncurrent_days <= last:
            yield Finding(
                (*where, "noncurrent_version_expiration"),
                f"{label}: noncurrent versions must expire after their last "
                f"transition ({nve.noncurrent_days} <= {last} days)",
            )


ASPECT = Aspect(
    key="lifecycle",
    calls=S3Calls(
        subresource="lifecycle",
        document=DOCUMENT,
        get=Call("GetBucketLifecycleConfiguration", "s3:GetLifecycleConfiguration"),
        put=Call("PutBucketLifecycleConfiguration", "s3:PutLifecycleConfiguration"),
        delete=Call("DeleteBucketLifecycle", "s3:PutLifecycleConfiguration"),
    ),
    decode=_decode,
    encode=_encode,
    unconfigured=Unconfigured(
        compares_as={"rules": {}}, codes=("NoSuchLifecycleConfiguration",), reads_as=[]
    ),
    canonical=_canonical,
    salvage_elements=True,
    follows=("versioning",),
    rules=_rules,
)

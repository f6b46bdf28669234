"""``notifications``: event notifications to SQS queues, SNS topics, Lambda functions and
Amazon EventBridge. S3 has no delete for them: ``false`` writes an empty configuration.

A configuration written without an id gets one S3 makes up; where the spec leaves ids out,
they are not compared (and where it gives them, they are).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element

from reconciler import xmlcodec as xml
from reconciler.kinds.bucket.aspects.base import (
    Aspect,
    Call,
    Decoded,
    S3Calls,
    Unconfigured,
    WriteContext,
)
from reconciler.kinds.bucket.canonical import Context, Json, drop_none
from reconciler.kinds.bucket.model import Bucket
from reconciler.kinds.bucket.model_events import KeyFilter, Notification, Notifications
from reconciler.spec.findings import Finding, RuleContext
from reconciler.spec.source import Path

#: The root element S3 answers and takes.
DOCUMENT = "NotificationConfiguration"
#: Per spec list: the element S3 writes, the element naming the target, and the ARN's service.
KINDS = {
    "topics": ("TopicConfiguration", "Topic", "sns"),
    "queues": ("QueueConfiguration", "Queue", "sqs"),
    "lambdas": ("CloudFunctionConfiguration", "CloudFunction", "lambda"),
}
EVENTBRIDGE = "EventBridgeConfiguration"
#: The event types a notification may subscribe to (the S3 user guide's list).
EVENTS = frozenset(
    {
        "s3:ObjectCreated:*",
        "s3:ObjectCreated:Put",
        "s3:ObjectCreated:Post",
        "s3:ObjectCreated:Copy",
        "s3:ObjectCreated:CompleteMultipartUpload",
        "s3:ObjectRemoved:*",
        "s3:ObjectRemoved:Delete",
        "s3:ObjectRemoved:DeleteMarkerCreated",
        "s3:ObjectRestore:*",
        "s3:ObjectRestore:Post",
        "s3:ObjectRestore:Completed",
        "s3:ObjectRestore:Delete",
        "s3:ReducedRedundancyLostObject",
        "s3:Replication:*",
        "s3:Replication:OperationFailedReplication",
        "s3:Replication:OperationMissedThreshold",
        "s3:Replication:OperationReplicatedAfterThreshold",
        "s3:Replication:OperationNotTracked",
        "s3:LifecycleExpiration:*",
        "s3:LifecycleExpiration:Delete",
        "s3:LifecycleExpiration:DeleteMarkerCreated",
        "s3:LifecycleTransition",
        "s3:IntelligentTiering",
        "s3:ObjectTagging:*",
        "s3:ObjectTagging:Put",
        "s3:ObjectTagging:Delete",
        "s3:ObjectAcl:Put",
    }
)
#: The note a spec without ids leaves for the comparison.
_WITHOUT_IDS = "notifications.without_ids"


def _entry(node: Element, target: str) -> Notification:
    rules = {}
    key = node.find("Filter/S3Key")
    for rule in xml.children(key, "FilterRule") if key is not None else ():
        rules[(xml.text(rule, "Name") or "").lower()] = xml.text(rule, "Value") or ""
    return Notification(
        id=xml.text(node, "Id") or None,
        arn=xml.text(node, target) or "",
        events=[e.text or "" for e in xml.children(node, "Event")],
        filter=KeyFilter(**rules) if rules else None,
    )


def _decode(root: Element) -> Decoded:
    found = {
        kind: [_entry(node, target) for node in xml.children(root, element)]
        for kind, (element, target, _) in KINDS.items()
    }
    eventbridge = root.find(EVENTBRIDGE) is not None
    if not eventbridge and not any(found.values()):
        return Decoded(None)
    return Decoded(Notifications(eventbridge=eventbridge, **found))


def _configuration(value: Notifications | None) -> bytes:
    root = xml.root(DOCUMENT)
    for kind, (element, target, _) in KINDS.items():
        for entry in getattr(value, kind) if value is not None else ():
            node = xml.add(root, element)
            xml.add_if(node, "Id", entry.id)
            xml.add(node, target, entry.arn)
            for event in entry.events:
                xml.add(node, "Event", event)
            if entry.filter is not None and (entry.filter.prefix or entry.filter.suffix):
                key = xml.add(xml.add(node, "Filter"), "S3Key")
                for name in ("prefix", "suffix"):
                    if getattr(entry.filter, name):
                        rule = xml.add(key, "FilterRule")
                        xml.add(rule, "Name", name)
                        xml.add(rule, "Value", getattr(entry.filter, name))
    if value is not None and value.eventbridge:
        xml.add(root, EVENTBRIDGE)
    return xml.serialise(root)


def _encode(value: Any, ctx: WriteContext) -> bytes:
    return _configuration(value)


def _canonical_entry(entry: Notification, ids: bool) -> Json:
    flt = entry.filter
    return drop_none(
        {
            "id": entry.id if ids else None,
            "arn": entry.arn,
            "events": sorted(set(entry.events)),
            "prefix": (flt.prefix or None) if flt else None,
            "suffix": (flt.suffix or None) if flt else None,
        }
    )


def _canonical(value: Any, ctx: Context, desired: bool) -> Json:
    ids = not ctx.notes.get(_WITHOUT_IDS, False)
    out: dict[str, Any] = {"eventbridge": bool(value.eventbridge)}
    for kind in KINDS:
        entries = [_canonical_entry(e, ids) for e in getattr(value, kind)]
        if ids:  # by id: a change reads queues[new-objects].events
            out[kind] = {e.pop("id", ""): e for e in sorted(entries, key=lambda e: e.get("id", ""))}
        else:
            out[kind] = sorted(entries, key=lambda e: (e["arn"], e["events"]))
    return out


def _prepare(value: Any, ctx: Context) -> Iterator[tuple[str, tuple[str, ...]]]:
    if any(e.id is None for kind in KINDS for e in getattr(value, kind)):
        ctx.notes[_WITHOUT_IDS] = True
    return iter(())


def _events_overlap(one: str, other: str) -> bool:
    def covers(wide: str, narrow: str) -> bool:
        return wide.endswith(":*") and narrow.startswith(wide[:-1])

    return one == other or covers(one, other) or covers(other, one)


def _filters_overlap(one: KeyFilter | None, other: KeyFilter | None) -> bool:
    def part(a: str | None, b: str | None, *, prefix: bool) -> bool:
        a, b = a or "", b or ""
        return a.startswith(b) or b.startswith(a) if prefix else a.endswith(b) or b.endswith(a)

    return part(one.prefix if one else None, other.prefix if other else None, prefix=True) and part(
        one.suffix if one else None, other.suffix if other else None, prefix=False
    )


def _rules(ctx: RuleContext, name: str, bucket: Bucket, path: Path) -> Iterator[Finding]:
    config = bucket.notifications
    if not config:
        return
    where = (*path, "notifications")
    ids: dict[str, str] = {}
    placed: list[tuple[str, Notification]] = []
    for kind, (_, _, service) in KINDS.items():
        for index, entry in enumerate(getattr(config, kind)):
            at = (*where, kind, index)
            label = f"{kind}[{index}]"
            if entry.id is not None and entry.id in ids:
                yield Finding(
                    (*at, "id"), f"the id {entry.id!r} is used twice (also {ids[entry.id]})"
                )
            if entry.id is not None:
                ids.setdefault(entry.id, label)
            if not entry.arn.startswith(f"arn:aws:{service}:") and not (
                entry.arn.startswith("arn:aws-") and f":{service}:" in entry.arn
            ):
                yield Finding(
                    (*at, "arn"), f"{kind} takes {service.upper()} ARNs (arn:aws:{service}:...)"
                )
            if not entry.events:
                yield Finding((*at, "events"), "a notification needs at least one event")
            for event_index, event in enumerate(entry.events):
                if event not in EVENTS:
                    yield Finding(
                        (*at, "events", event_index),
                        f"{event!r} is not an S3 event type (such as s3:ObjectCreated:*)",
                    )
            for other_label, other in placed:
                if _filters_overlap(entry.filter, other.filter) and any(
                    _events_overlap(a, b) for a, b in itertools.product(entry.events, other.events)
                ):
                    yield Finding(
                        at,
                        f"overlaps {other_label}: the same event for overlapping keys "
                        "(S3 refuses configurations that share an event type unless their "
                        "prefixes or suffixes keep them apart)",
                    )
            placed.append((label, entry))


ASPECT = Aspect(
    key="notifications",
    calls=S3Calls(
        subresource="notification",
        document=DOCUMENT,
        get=Call("GetBucketNotificationConfiguration", "s3:GetBucketNotification"),
        put=Call("PutBucketNotificationConfiguration", "s3:PutBucketNotification"),
    ),
    decode=_decode,
    encode=_encode,
    unconfigured=Unconfigured(
        compares_as={"eventbridge": False, "queues": {}, "topics": {}, "lambdas": {}},
        written_as=lambda: _configuration(None),
    ),
    canonical=_canonical,
    follows=("tags",),
    rules=_rules,
    prepare=_prepare,
    keyed=frozenset(KINDS),
)

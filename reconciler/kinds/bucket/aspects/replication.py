"""``replication``: replication rules to other buckets (same or another region or account).

What AWS fills in is filled in on both sides: a rule's ``Status`` (enabled), its priority (0),
``DeleteMarkerReplication`` left out (disabled), a filter of the empty prefix (every object; some
stores answer it for a rule written without one), a destination named by bucket or by ARN. A
configuration without rules reads as none (S3 requires at least one).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element

from reconciler import xmlcodec as xml
from reconciler.errors import Severity
from reconciler.kinds.bucket.aspects import filters, versioning
from reconciler.kinds.bucket.aspects.base import (
    Aspect,
    Call,
    Decoded,
    Problem,
    Referenced,
    Refers,
    S3Calls,
    Unconfigured,
    WriteContext,
)
from reconciler.kinds.bucket.canonical import Context, Json, drop_none
from reconciler.kinds.bucket.declared import declared_bucket
from reconciler.kinds.bucket.model import Bucket
from reconciler.kinds.bucket.model_base import LifecycleFilter
from reconciler.kinds.bucket.model_protection import (
    Replication,
    ReplicationDestination,
    ReplicationRule,
)
from reconciler.spec.findings import Finding, RuleContext
from reconciler.spec.source import Path

#: The root element S3 answers and takes.
DOCUMENT = "ReplicationConfiguration"
MAX_RULES = 1000
BUCKET_ARN = "arn:aws:s3:::"
#: S3 Replication Time Control's one threshold.
RTC_MINUTES = 15


def bucket_arn(bucket: str) -> str:
    return bucket if bucket.startswith("arn:") else BUCKET_ARN + bucket


def bucket_name(bucket: str) -> str:
    """The bucket a destination names (an ARN's last part)."""
    return bucket[len(BUCKET_ARN) :] if bucket.startswith(BUCKET_ARN) else bucket


def _status(node: Element | None) -> bool:
    return node is not None and xml.text(node, "Status") == "Enabled"


def _rule(index: int, node: Element) -> ReplicationRule:
    dest = node.find("Destination")
    translation = dest.find("AccessControlTranslation") if dest is not None else None
    fields = filters.decode_fields(node.find("Filter"))
    if node.find("Filter") is None and xml.text(node, "Prefix") is not None:
        fields = {"prefix": xml.text(node, "Prefix")}  # the first schema's rule-level prefix
    fields.pop("object_size_greater_than", None)
    fields.pop("object_size_less_than", None)
    return ReplicationRule(
        id=xml.text(node, "ID") or f"#{index}",
        priority=xml.integer(node, "Priority"),
        enabled=xml.text(node, "Status") != "Disabled",
        filter=LifecycleFilter(**fields) if fields else None,
        delete_marker_replication=_status(node.find("DeleteMarkerReplication")),
        destination=ReplicationDestination(
            bucket=xml.text(dest, "Bucket") or "" if dest is not None else "",
            storage_class=(xml.text(dest, "StorageClass") or None) if dest is not None else None,  # type: ignore[arg-type]
            account=(xml.text(dest, "Account") or None) if dest is not None else None,
            owner_override=translation is not None
            and xml.text(translation, "Owner") == "Destination",
            replication_time=dest is not None and _status(dest.find("ReplicationTime")),
        ),
    )


def _decode(root: Element) -> Decoded:
    rules = [_rule(i, node) for i, node in enumerate(xml.children(root, "Rule"))]
    if not rules:
        # S3 takes 1 to 1,000 rules: a configuration without one replicates nothing. Some
        # stores (Ceph RGW) answer every bucket so (an empty Role, no Rule): not configured.
        return Decoded(None)
    return Decoded(Replication(role=xml.text(root, "Role") or "", rules=rules))


def _minutes(parent: Element, tag: str, inner: str) -> None:
    node = xml.add(parent, tag)
    xml.add(node, "Status", "Enabled")
    xml.add(xml.add(node, inner), "Minutes", RTC_MINUTES)


def _encode(value: Any, ctx: WriteContext) -> bytes:
    config: Replication = value
    root = xml.root(DOCUMENT)
    xml.add(root, "Role", config.role)
    for rule in config.rules:
        node = xml.add(root, "Rule")
        xml.add(node, "ID", rule.id)
        xml.add(node, "Priority", rule.priority or 0)
        filters.encode(node, rule.filter)
        xml.add(node, "Status", "Enabled" if rule.enabled else "Disabled")
        dest = xml.add(node, "Destination")
        xml.add(dest, "Bucket", bucket_arn(rule.destination.bucket))
        xml.add_if(dest, "Account", rule.destination.account)
        xml.add_if(dest, "StorageClass", rule.destination.storage_class)
        if rule.destination.owner_override:
            xml.add(xml.add(dest, "AccessControlTranslation"), "Owner", "Destination")
        if rule.destination.replication_time:
            _minutes(dest, "ReplicationTime", "Time")
            _minutes(dest, "Metrics", "EventThreshold")
        marker = xml.add(node, "DeleteMarkerReplication")
        xml.add(marker, "Status", "Enabled" if rule.delete_marker_replication else "Disabled")
    return xml.serialise(root)


def _canonical(value: Any, ctx: Context, desired: bool) -> Json:
    config: Replication = value
    return {
        "role": config.role,
        "rules": {
            rule.id: {
                "priority": rule.priority or 0,
                "enabled": rule.enabled,
                "filter": filters.canonical(rule.filter),
                "delete_marker_replication": rule.delete_marker_replication,
                "destination": drop_none(
                    {
                        "bucket": bucket_arn(rule.destination.bucket),
                        "storage_class": rule.destination.storage_class,
                        "account": rule.destination.account,
                        "owner_override": rule.destination.owner_override,
                        "replication_time": rule.destination.replication_time,
                    }
                ),
            }
            for rule in sorted(config.rules, key=lambda r: r.id)
        },
    }


def _references(value: Any) -> tuple[str, ...]:
    return tuple(
        sorted(
            {bucket_name(r.destination.bucket) for r in value.rules if not r.destination.account}
        )
    )


def _check_destination(value: Any, region: str, target: Referenced) -> Iterator[Problem]:
    if target.aspects.get(versioning.ASPECT.key) != "enabled":
        yield (
            f"replication destination bucket {target.name!r} does not have versioning "
            "enabled: S3 replicates only into a versioned bucket",
            ("rules",),
        )


def _rule_findings(ctx: RuleContext, config: Replication, where: Path) -> Iterator[Finding]:
    ids: dict[str, int] = {}
    priorities: dict[int, int] = {}
    for index, rule in enumerate(config.rules):
        at = (*where, "rules", index)
        if rule.id in ids:
            yield Finding(
                (*at, "id"), f"the id {rule.id!r} is used twice (also rules[{ids[rule.id]}])"
            )
        ids.setdefault(rule.id, index)
        if rule.priority is None and len(config.rules) > 1:
            yield Finding(at, "with several rules, each needs a priority (they must differ)")
        elif rule.priority is not None and rule.priority in priorities:
            yield Finding(
                (*at, "priority"),
                f"priority {rule.priority} is used twice (also rules[{priorities[rule.priority]}])",
            )
        if rule.priority is not None:
            priorities.setdefault(rule.priority, index)
        if rule.delete_marker_replication and rule.filter is not None and rule.filter.tags:
            yield Finding(
                (*at, "delete_marker_replication"),
                "delete markers cannot be replicated by a rule whose filter has tags",
            )
        if rule.filter is not None and (
            rule.filter.object_size_greater_than is not None
            or rule.filter.object_size_less_than is not None
        ):
            yield Finding((*at, "filter"), "a replication filter takes a prefix and tags only")
        dest = rule.destination
        if dest.owner_override and not dest.account:
            yield Finding((*at, "destination", "owner_override"), "owner_override needs account")
        target_name = bucket_name(dest.bucket)
        target = declared_bucket(ctx, target_name) if not dest.account else False
        if target is None:
            yield Finding(
                (*at, "destination", "bucket"),
                f"destination bucket {target_name!r} is not declared in this spec: its "
                "existence and versioning are checked against AWS when planning",
                severity=Severity.WARNING,
            )
        elif target is not False:
            if target.state == "absent":
                yield Finding(
                    (*at, "destination", "bucket"),
                    f"destination bucket {target_name!r} is declared state: absent",
                )
            elif target.versioning != "enabled":
                yield Finding(
                    (*at, "destination", "bucket"),
                    f"destination bucket {target_name!r} needs versioning: enabled (S3 "
                    "replicates only into a versioned bucket)",
                )


def _rules(ctx: RuleContext, name: str, bucket: Bucket, path: Path) -> Iterator[Finding]:
    config = bucket.replication
    if not config:
        return
    where = (*path, "replication")
    if bucket.versioning != "enabled":
        yield Finding(where, "replication needs versioning: enabled on this bucket")
    if not config.role.startswith("arn:") or ":role/" not in config.role:
        yield Finding((*where, "role"), "the role is an IAM role's ARN (arn:aws:iam::ID:role/NAME)")
    if not config.rules:
        yield Finding(
            (*where, "rules"), "a replication configuration needs a rule (false deletes it)"
        )
    if len(config.rules) > MAX_RULES:
        yield Finding((*where, "rules"), f"at most {MAX_RULES} rules (found {len(config.rules)})")
    yield from _rule_findings(ctx, config, where)


ASPECT = Aspect(
    key="replication",
    calls=S3Calls(
        subresource="replication",
        document=DOCUMENT,
        get=Call("GetBucketReplication", "s3:GetReplicationConfiguration"),
        put=Call("PutBucketReplication", "s3:PutReplicationConfiguration"),
        delete=Call("DeleteBucketReplication", "s3:PutReplicationConfiguration"),
    ),
    decode=_decode,
    encode=_encode,
    unconfigured=Unconfigured(compares_as=None, codes=("ReplicationConfigurationNotFoundError",)),
    canonical=_canonical,
    follows=("versioning",),
    rules=_rules,
    refers=Refers(
        names=_references,
        label="replication destination bucket",
        at=("rules",),
        reads=(versioning.ASPECT.key,),
        check=_check_destination,
    ),
)

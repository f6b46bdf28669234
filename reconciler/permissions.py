"""``reconciler permissions``: the least-privilege IAM policy a command needs for one spec.

Built from the same facts the reader and the writer act on: the operations each declared aspect
reads and writes, the operations a bucket's existence, ownership and deletion take, and the IAM
action each operation is authorized as (`reconciler.aws.iam`). Buckets are named by ARN; only
the statement that finds the stack's undeclared buckets (to prune them) covers every bucket of
the account, since ownership is a tag that only reading tells. Leave that statement out and the
plan still works: undeclared buckets are then reported as of unknown ownership and never pruned.
CloudFront actions appear only when the spec manages distributions.

``destroy`` (and ``plan --destroy``) needs what applying the spec with every declared resource
``state: absent`` needs: the same reads, and the deletes alone; a distribution is disabled
(updated) before it is deleted, never created.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Literal

from reconciler.aspects import registry as aspects
from reconciler.aspects.base import Aspect
from reconciler.aws.iam import OPERATIONS, bucket_arn
from reconciler.destroy import absent
from reconciler.plan.planner import declared_aspects
from reconciler.spec.model import Spec

Command = Literal["plan", "apply", "drift", "import", "destroy"]
COMMANDS: tuple[Command, ...] = ("plan", "apply", "drift", "import", "destroy")

_EXISTENCE = ("HeadBucket",)
_EMPTINESS = ("ListObjectVersions",)
_DISTRIBUTION_READS = ("ListDistributions", "ListTagsForResource", "GetDistributionConfig")
_DISTRIBUTION_DELETES = ("GetDistribution", "UpdateDistribution", "DeleteDistribution")
_DISTRIBUTION_WRITES = (
    *_DISTRIBUTION_DELETES,
    "CreateDistributionWithTags",
    "TagResource",
    "UntagResource",
)


def _actions(operations: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({a for op in operations for a in OPERATIONS[op][0]}))


def _aspect_actions(unit: Aspect, *, write: bool) -> list[str]:
    """The IAM actions reading an aspect takes, and writing it (``write``)."""
    calls = unit.calls
    found = [calls.get.action]
    if write:
        found += [calls.put.action, *unit.extra_write_actions]
        if calls.delete is not None:
            found.append(calls.delete.action)
    return found


def _bucket_actions(spec: Spec, name: str, command: Command) -> tuple[str, ...]:
    bucket = spec.buckets[name]
    operations = list(_EXISTENCE)
    actions = list(_aspect_actions(aspects.TAGS, write=False))
    if command == "import":
        keys = list(aspects.ORDER)
    else:
        keys = [] if bucket.state == "absent" else declared_aspects(bucket)
    for key in keys:
        actions += _aspect_actions(aspects.get(key), write=command == "apply")
    if bucket.state == "absent" and command != "import":
        operations += _EMPTINESS
        if command == "apply":
            operations.append("DeleteBucket")
    elif command == "apply":
        operations.append("CreateBucket")
    return tuple(sorted({*actions, *_actions(operations)}))


def _statement(sid: str, actions: Iterable[str], resources: list[str]) -> dict[str, Any]:
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Action": sorted(actions),
        "Resource": resources[0] if len(resources) == 1 else sorted(resources),
    }


def policy(spec: Spec, command: Command) -> dict[str, Any]:
    """The IAM policy document ``command`` needs for ``spec``."""
    if command == "destroy":
        document = policy(absent(spec), "apply")
        for statement in document["Statement"]:
            if statement["Sid"] == "Distributions":
                reads = [*_DISTRIBUTION_READS, *_DISTRIBUTION_DELETES]
                statement["Action"] = sorted(_actions(reads))
        return document
    statements = [_statement("ListBuckets", _actions(["ListBuckets"]), ["*"])]
    groups: dict[tuple[str, ...], list[str]] = {}
    for name in sorted(spec.buckets):
        groups.setdefault(_bucket_actions(spec, name, command), []).append(name)
    used = {
        o.bucket
        for d in spec.distributions.values()
        for o in d.origins or []
        if o.bucket and o.bucket not in spec.buckets
    }
    if used and command != "import":
        groups.setdefault(_actions(["HeadBucket"]), []).extend(sorted(used))
    for index, (actions, names) in enumerate(sorted(groups.items()), start=1):
        sid = "DeclaredBuckets" if len(groups) == 1 else f"DeclaredBuckets{index}"
        statements.append(_statement(sid, actions, [bucket_arn(n) for n in names]))
    objects = [
        n for n, b in sorted(spec.buckets.items()) if b.state == "absent" and b.force_destroy
    ]
    if objects and command == "apply":
        statements.append(
            _statement(
                "EmptyForceDestroyedBuckets",
                _actions(["DeleteObjects"]),
                [bucket_arn(n) + "/*" for n in objects],
            )
        )
    if command != "import":
        # Ownership is a tag: finding the stack's undeclared buckets means reading every one.
        prune = [*_EXISTENCE, *_EMPTINESS] + (["DeleteBucket"] if command == "apply" else [])
        found = {*_actions(prune), *_aspect_actions(aspects.TAGS, write=False)}
        statements.append(_statement("FindAndPruneOwnedBuckets", found, ["arn:aws:s3:::*"]))
    if spec.manages_distributions:
        operations = list(_DISTRIBUTION_READS)
        if command == "apply":
            operations += _DISTRIBUTION_WRITES
        statements.append(_statement("Distributions", _actions(operations), ["*"]))
    return {"Version": "2012-10-17", "Statement": statements}


def policy_text(spec: Spec, command: Command) -> str:
    return json.dumps(policy(spec, command), indent=2) + "\n"

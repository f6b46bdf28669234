"""``reconciler permissions``: the least-privilege IAM policy a command needs for one spec.

Built from the same facts the reader and the writer act on: the operations each declared aspect
reads and writes, the operations a bucket's existence, ownership and deletion take, and the IAM
action each operation is authorized as (`reconciler.aws.iam`). Buckets are named by ARN; only
the statement that finds the stack's undeclared buckets (to prune them) covers every bucket of
the account, since ownership is a tag that only reading tells. Leave that statement out and the
plan still works: undeclared buckets are then reported as of unknown ownership and never pruned.
CloudFront actions appear only when the spec manages distributions.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Literal

from reconciler.aws.iam import OPERATIONS, bucket_arn
from reconciler.live.model import ASPECT_ORDER
from reconciler.plan.planner import declared_aspects
from reconciler.spec.model import Spec

Command = Literal["plan", "apply", "drift", "import"]
COMMANDS: tuple[Command, ...] = ("plan", "apply", "drift", "import")

#: Per aspect: the operations that read it, and those that write or delete it.
ASPECT_OPERATIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "tags": (("GetBucketTagging",), ("PutBucketTagging",)),
    "object_ownership": (
        ("GetBucketOwnershipControls",),
        ("PutBucketOwnershipControls", "DeleteBucketOwnershipControls"),
    ),
    "public_access_block": (
        ("GetPublicAccessBlock",),
        ("PutPublicAccessBlock", "DeletePublicAccessBlock"),
    ),
    # A new grant list names the owner, which the writer reads first.
    "acl": (("GetBucketAcl",), ("PutBucketAcl", "GetBucketAcl")),
    "policy": (("GetBucketPolicy",), ("PutBucketPolicy", "DeleteBucketPolicy")),
    "encryption": (("GetBucketEncryption",), ("PutBucketEncryption", "DeleteBucketEncryption")),
    "versioning": (("GetBucketVersioning",), ("PutBucketVersioning",)),
    "lifecycle": (
        ("GetBucketLifecycleConfiguration",),
        ("PutBucketLifecycleConfiguration", "DeleteBucketLifecycle"),
    ),
    "cors": (("GetBucketCors",), ("PutBucketCors", "DeleteBucketCors")),
    "website": (("GetBucketWebsite",), ("PutBucketWebsite", "DeleteBucketWebsite")),
    "logging": (("GetBucketLogging",), ("PutBucketLogging",)),
}
assert set(ASPECT_OPERATIONS) == set(ASPECT_ORDER), "every aspect states its operations"

_EXISTENCE = ("HeadBucket", "GetBucketTagging")
_EMPTINESS = ("ListObjectVersions",)
_DISTRIBUTION_READS = ("ListDistributions", "ListTagsForResource", "GetDistributionConfig")
_DISTRIBUTION_WRITES = (
    "GetDistribution",
    "CreateDistributionWithTags",
    "UpdateDistribution",
    "DeleteDistribution",
    "TagResource",
    "UntagResource",
)


def _actions(operations: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({a for op in operations for a in OPERATIONS[op][0]}))


def _bucket_operations(spec: Spec, name: str, command: Command) -> list[str]:
    bucket = spec.buckets[name]
    operations = list(_EXISTENCE)
    if command == "import":
        aspects = list(ASPECT_ORDER)
    else:
        aspects = [] if bucket.state == "absent" else declared_aspects(bucket)
    for aspect in aspects:
        reads, writes = ASPECT_OPERATIONS[aspect]
        operations += reads
        if command == "apply":
            operations += writes
    if bucket.state == "absent" and command != "import":
        operations += _EMPTINESS
        if command == "apply":
            operations.append("DeleteBucket")
    elif command == "apply":
        operations.append("CreateBucket")
    return operations


def _statement(sid: str, actions: Iterable[str], resources: list[str]) -> dict[str, Any]:
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Action": sorted(actions),
        "Resource": resources[0] if len(resources) == 1 else sorted(resources),
    }


def policy(spec: Spec, command: Command) -> dict[str, Any]:
    """The IAM policy document ``command`` needs for ``spec``."""
    statements = [_statement("ListBuckets", _actions(["ListBuckets"]), ["*"])]
    groups: dict[tuple[str, ...], list[str]] = {}
    for name in sorted(spec.buckets):
        groups.setdefault(_actions(_bucket_operations(spec, name, command)), []).append(name)
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
        statements.append(
            _statement("FindAndPruneOwnedBuckets", _actions(prune), ["arn:aws:s3:::*"])
        )
    if spec.manages_distributions:
        operations = list(_DISTRIBUTION_READS)
        if command == "apply":
            operations += _DISTRIBUTION_WRITES
        statements.append(_statement("Distributions", _actions(operations), ["*"]))
    return {"Version": "2012-10-17", "Statement": statements}


def policy_text(spec: Spec, command: Command) -> str:
    return json.dumps(policy(spec, command), indent=2) + "\n"

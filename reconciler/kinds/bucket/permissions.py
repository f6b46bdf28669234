"""What the bucket kind needs of IAM: per declared bucket, the operations its existence and
ownership take and the calls of each aspect it declares (`Aspect.calls`), reads for plan and
drift, writes and deletes too for apply; the undeclared buckets other resources refer to,
read as far as their references need; and the account's buckets, read for their tags to find
the stack's undeclared ones (to prune them: ownership is a tag only reading tells)."""

from __future__ import annotations

from typing import Any

from reconciler.aws.iam import bucket_arn
from reconciler.iam_policy import Command, actions, statement
from reconciler.kinds.bucket.aspects import registry as aspects
from reconciler.kinds.bucket.aspects.base import Aspect
from reconciler.kinds.bucket.declared import buckets
from reconciler.plan.scope import Scope, referenced
from reconciler.spec.model import Spec

_EXISTENCE = ("HeadBucket",)
_EMPTINESS = ("ListObjectVersions",)


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
    bucket = buckets(spec)[name]
    operations = list(_EXISTENCE)
    granted = list(_aspect_actions(aspects.TAGS, write=False))
    if command == "import":
        keys = list(aspects.ORDER)
    else:
        keys = [] if bucket.state == "absent" else aspects.declared(bucket)
    writes = command in ("apply", "destroy")
    for key in keys:
        granted += _aspect_actions(aspects.get(key), write=writes)
    if bucket.state == "absent" and command != "import":
        operations += _EMPTINESS
        if writes:
            operations.append("DeleteBucket")
    elif writes:
        operations.append("CreateBucket")
    return tuple(sorted({*granted, *actions(operations)}))


def statements(spec: Spec, command: Command) -> list[dict[str, Any]]:
    """The statements ``command`` needs for the buckets of ``spec`` (for ``destroy``, a spec
    whose buckets are all absent)."""
    found = [statement("ListBuckets", actions(["ListBuckets"]), ["*"])]
    groups: dict[tuple[str, ...], list[str]] = {}
    declared = buckets(spec)
    for name in sorted(declared):
        groups.setdefault(_bucket_actions(spec, name, command), []).append(name)
    if command != "import":
        for name, needs in sorted(referenced(spec, Scope()).get("bucket", {}).items()):
            reads = {*actions(_EXISTENCE)}
            reads |= {a for key in needs for a in _aspect_actions(aspects.get(key), write=False)}
            groups.setdefault(tuple(sorted(reads)), []).append(name)
    for index, (granted, names) in enumerate(sorted(groups.items()), start=1):
        sid = "DeclaredBuckets" if len(groups) == 1 else f"DeclaredBuckets{index}"
        found.append(statement(sid, granted, [bucket_arn(n) for n in names]))
    emptied = [n for n, b in sorted(declared.items()) if b.state == "absent" and b.force_destroy]
    if emptied and command in ("apply", "destroy"):
        found.append(
            statement(
                "EmptyForceDestroyedBuckets",
                actions(["DeleteObjects"]),
                [bucket_arn(n) + "/*" for n in emptied],
            )
        )
    if command != "import":
        # Ownership is a tag: finding the stack's undeclared buckets means reading every one.
        deletes = ["DeleteBucket"] if command in ("apply", "destroy") else []
        prune = {*actions([*_EXISTENCE, *_EMPTINESS, *deletes])}
        prune |= set(_aspect_actions(aspects.TAGS, write=False))
        found.append(statement("FindAndPruneOwnedBuckets", prune, ["arn:aws:s3:::*"]))
    return found

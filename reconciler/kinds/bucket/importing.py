"""Importing buckets: every aspect read (those a store lacks left out, with a note), and a
document per bucket holding its region, its tags and every aspect that is configured; an aspect
that reads as it does on a bucket nobody configured (no versioning, the private ACL, no public
access block, ...) is left out (unmanaged)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from reconciler.errors import PlanError
from reconciler.importing import Documents, checked, own_tags, refuse_foreign
from reconciler.kinds.base import Clients, Runner
from reconciler.kinds.bucket.aspects import registry as aspects
from reconciler.kinds.bucket.declaration import DECLARATION
from reconciler.kinds.bucket.live import BucketLive, bucket_live
from reconciler.kinds.bucket.model import Bucket
from reconciler.kinds.bucket.read import BucketRequest, read_buckets
from reconciler.live.model import LiveState
from reconciler.spec.common import spec_json


def unmanaged(clients: Clients, run: Runner, *, stack: str, parallelism: int) -> list[str]:
    """The account's buckets that no stack owns."""
    found = read_buckets(
        clients.s3,
        BucketRequest(stack=stack, declared={}, prune=True),
        run,
        parallelism=parallelism,
    )
    return list(found.unowned)


def read(
    clients: Clients, run: Runner, names: Iterable[str], *, stack: str, parallelism: int
) -> BucketLive:
    """Every aspect of the named buckets (one a store lacks is left out, not an error)."""
    every = frozenset(aspects.DECLARABLE)
    wanted = sorted(set(names))
    request = BucketRequest(
        stack=stack,
        declared=dict.fromkeys(wanted, every),
        optional=dict.fromkeys(wanted, every),
        prune=False,
    )
    return read_buckets(clients.s3, request, run, parallelism=parallelism)


def document(name: str, live: BucketLive, stack: str) -> dict[str, Any]:
    found = live.buckets[name]
    address = str(DECLARATION.address(name))
    if not found.exists:
        raise PlanError("no such bucket", address=address)
    if found.foreign:
        raise PlanError("the name belongs to another AWS account", address=address)
    refuse_foreign(address, found.stack, stack)
    if found.failures:
        # Leaving out what could not be read would write a spec that says less than the bucket
        # has: the import stops, naming what failed.
        raise PlanError(
            "its live configuration could not be read: " + "; ".join(found.failures),
            address=address,
        )
    doc: dict[str, Any] = {"region": found.region} if found.region else {}
    tags = own_tags(found.tags)
    if tags:
        doc["tags"] = tags
    for key in aspects.DECLARABLE:
        value = found.aspects.get(key)
        if not aspects.never_configured(key, value, found.owner_id):
            doc[key] = value
    for unit in aspects.ASPECTS:
        if unit.import_hint is not None:
            unit.import_hint(doc, found.aspects)
    order = ["region", *aspects.ORDER]
    doc = dict(sorted(doc.items(), key=lambda item: order.index(item[0])))
    model = checked(Bucket, address, doc)
    return {k: spec_json(getattr(model, k)) for k in doc}


def documents(live: LiveState, stack: str) -> Documents:
    """A document per bucket read."""
    found = bucket_live(live)
    out = Documents()
    for name in sorted(found.buckets):
        out.documents[name] = document(name, found, stack)
        address = DECLARATION.address(name)
        out.notes += [
            f"{address}: left out: {why}" for why in found.buckets[name].unsupported.values()
        ]
    return out

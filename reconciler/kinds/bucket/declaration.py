"""The bucket kind, as the spec sees it: ``buckets:``, a map of bucket names to `Bucket`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from reconciler.address import Address
from reconciler.kinds.bucket import rules
from reconciler.kinds.bucket.aspects import registry as aspects
from reconciler.kinds.bucket.declared import SECTION
from reconciler.kinds.bucket.model import Bucket
from reconciler.kinds.declaration import Declaration, Reference

if TYPE_CHECKING:
    from reconciler.spec.model import Spec

KIND = "bucket"


def references(spec: Spec, name: str, bucket: Bucket) -> Iterator[Reference]:
    """The other buckets a present bucket's aspects name (a logging target, a replication
    destination, ...), each with what its unit reads of an undeclared one."""
    if bucket.state == "absent":
        return
    for unit in aspects.ASPECTS:
        reads = frozenset(unit.refers.reads) if unit.refers else frozenset()
        for target in unit.references(getattr(bucket, unit.key)):
            if target != name:
                yield Reference(Address(KIND, target), reads)


def destroyed(bucket: Bucket) -> Bucket:
    return bucket.model_copy(update={"state": "absent"})


DECLARATION = Declaration(
    kind=KIND,
    section=SECTION,
    model=Bucket,
    description="Buckets, by name. Names may use ${var.NAME}.",
    noun="bucket",
    always_managed=True,
    rules=rules.check,
    references=references,
    destroyed=destroyed,
    salvaged=frozenset(a.key for a in aspects.ASPECTS if a.salvage_elements),
)

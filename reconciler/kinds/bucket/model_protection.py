"""The desired state of a bucket's object lock and replication."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from reconciler.kinds.bucket.model_base import LifecycleFilter, Positive
from reconciler.spec.common import AnyCase, ObjectStorageClass, SpecModel

RetentionMode = Annotated[Literal["GOVERNANCE", "COMPLIANCE"], AnyCase]


class ObjectLock(SpecModel):
    """The default retention of new object versions (object lock itself, once enabled on a
    bucket, can never be turned off)."""

    mode: RetentionMode = Field(description="GOVERNANCE or COMPLIANCE.")
    days: Positive | None = Field(None, description="Retain this many days (or give years).")
    years: Positive | None = Field(None, description="Retain this many years (or give days).")


class ReplicationDestination(SpecModel):
    bucket: str = Field(description="The destination: a declared bucket's name, or its ARN.")
    storage_class: ObjectStorageClass | None = Field(
        None, description="Storage class of the replicas; left out, the source object's."
    )
    account: str | None = Field(
        None, description="The destination bucket's account id (cross-account replication)."
    )
    owner_override: bool = Field(
        False, description="Make the destination account own the replicas (needs account)."
    )
    replication_time: bool = Field(
        False,
        description="S3 Replication Time Control: replicas within 15 minutes, with metrics.",
    )


class ReplicationRule(SpecModel):
    id: str = Field(description="The rule's unique id.")
    priority: Annotated[int, Field(ge=0)] | None = Field(
        None, description="Which rule wins where filters overlap (higher wins); unique."
    )
    enabled: bool = Field(True, description="Whether the rule is in force.")
    filter: LifecycleFilter | None = Field(
        None, description="Which objects to replicate (prefix, tags); left out: every object."
    )
    delete_marker_replication: bool = Field(
        False, description="Replicate delete markers (only with a filter without tags)."
    )
    destination: ReplicationDestination = Field(description="Where replicas go.")


class Replication(SpecModel):
    role: str = Field(description="The IAM role S3 assumes to replicate (its ARN).")
    rules: list[ReplicationRule] = Field(description="The replication rules, by id.")

"""The desired state of a bucket's id-keyed configurations: Intelligent-Tiering archive
settings, inventory reports, request metrics and storage-class analytics."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from reconciler.spec.common import AnyCase, SpecModel, Tags

InventoryFormat = Annotated[Literal["CSV", "ORC", "Parquet"], AnyCase]
InventorySchedule = Annotated[Literal["Daily", "Weekly"], AnyCase]
IncludedVersions = Annotated[Literal["All", "Current"], AnyCase]
InventoryField = Literal[
    "Size",
    "LastModifiedDate",
    "StorageClass",
    "ETag",
    "IsMultipartUploaded",
    "ReplicationStatus",
    "EncryptionStatus",
    "ObjectLockRetainUntilDate",
    "ObjectLockMode",
    "ObjectLockLegalHoldStatus",
    "IntelligentTieringAccessTier",
    "BucketKeyStatus",
    "ChecksumAlgorithm",
    "ObjectAccessControlList",
    "ObjectOwner",
]


class PrefixTagsFilter(SpecModel):
    prefix: str | None = Field(None, description="Key prefix.")
    tags: Tags | None = Field(None, description="Object tags that must all match.")


class PrefixFilter(SpecModel):
    prefix: str = Field(description="Key prefix.")


class IntelligentTiering(SpecModel):
    id: str = Field(description="The configuration's unique id.")
    enabled: bool = Field(True, description="Whether it is in force.")
    filter: PrefixTagsFilter | None = Field(None, description="Which objects; left out: all.")
    archive_access_days: Annotated[int, Field(ge=90, le=730)] | None = Field(
        None, description="Move to the Archive Access tier after this many days (90-730)."
    )
    deep_archive_access_days: Annotated[int, Field(ge=180, le=730)] | None = Field(
        None, description="Move to the Deep Archive Access tier after this many days (180-730)."
    )


class ReportDestination(SpecModel):
    bucket: str = Field(description="The bucket reports go to: a declared name, or its ARN.")
    prefix: str | None = Field(None, description="Key prefix of the reports.")
    account: str | None = Field(None, description="The destination bucket's account id.")


class InventoryDestination(ReportDestination):
    format: InventoryFormat = Field("CSV", description="CSV, ORC or Parquet.")


class Inventory(SpecModel):
    id: str = Field(description="The report's unique id.")
    enabled: bool = Field(True, description="Whether reports are made.")
    destination: InventoryDestination = Field(description="Where reports go.")
    schedule: InventorySchedule = Field("Weekly", description="Daily or Weekly.")
    included_versions: IncludedVersions = Field("Current", description="All or Current.")
    filter: PrefixFilter | None = Field(None, description="Only objects under a prefix.")
    optional_fields: list[InventoryField] = Field(
        default_factory=list, description="Extra columns (Size, LastModifiedDate, ...)."
    )


class Metrics(SpecModel):
    id: str = Field(description="The configuration's unique id.")
    filter: PrefixTagsFilter | None = Field(
        None, description="Which objects; left out: the whole bucket."
    )
    access_point: str | None = Field(None, description="Only requests through this access point.")


class AnalyticsExport(ReportDestination):
    pass


class Analytics(SpecModel):
    id: str = Field(description="The configuration's unique id.")
    filter: PrefixTagsFilter | None = Field(None, description="Which objects; left out: all.")
    export: AnalyticsExport | None = Field(
        None, description="Export the daily analysis as CSV to this bucket."
    )

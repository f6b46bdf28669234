"""Types several bucket aspects share: day counts, storage classes, the object filter."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from reconciler.spec.common import AnyCase, SpecModel, Tags

StorageClass = Annotated[
    Literal[
        "STANDARD_IA", "INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"
    ],
    AnyCase,
]
NonNegative = Annotated[int, Field(ge=0)]
Positive = Annotated[int, Field(ge=1)]


class LifecycleFilter(SpecModel):
    """Which objects a rule applies to; several conditions must all hold."""

    prefix: str | None = Field(None, description='Key prefix; "" means every object.')
    tags: Tags | None = Field(None, description="Object tags that must all match.")
    object_size_greater_than: NonNegative | None = Field(
        None, description="Only objects larger than this many bytes."
    )
    object_size_less_than: Positive | None = Field(
        None, description="Only objects smaller than this many bytes."
    )

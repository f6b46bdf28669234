"""The whole spec: a stack of buckets and distributions, with the variables and defaults that
were used to write it (kept so the JSON Schema describes every key a file may hold)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from reconciler.kinds.bucket.model import Bucket
from reconciler.kinds.distribution.model import Distribution
from reconciler.spec.common import SpecModel


def _scalar_only(value: Any) -> Any:
    if isinstance(value, dict | list) or value is None:
        raise ValueError("a variable's value must be text, a number or true/false")
    return value


VarValue = Annotated[str | int | float | bool, BeforeValidator(_scalar_only)]


class Defaults(SpecModel):
    bucket: Bucket | None = Field(
        None, description="Applied under every bucket; tags merge, the bucket's value wins."
    )
    distribution: Distribution | None = Field(
        None, description="Applied under every distribution; tags merge, its value wins."
    )


class Spec(SpecModel):
    """A reconciler spec: what a stack's buckets and distributions must look like."""

    version: Literal[1] = Field(description="The spec format's version: 1.")
    stack: str = Field(
        description="The ownership scope: resources carry the tag reconciler:stack=<stack>."
    )
    vars: dict[str, VarValue] = Field(
        default_factory=dict,
        description="Variables for ${var.NAME}; --var NAME=VALUE overrides them.",
    )
    defaults: Defaults | None = Field(None, description="Values applied under every resource.")
    region_check: bool = Field(
        True,
        description="Check bucket regions against AWS's regions (a typo is an error with a "
        "suggestion). false: any region name, for a region newer than this release or an "
        "S3-compatible store's own names.",
    )
    buckets: dict[str, Bucket] = Field(
        default_factory=dict, description="Buckets, by name. Names may use ${var.NAME}."
    )
    distributions: dict[str, Distribution] = Field(
        default_factory=dict,
        description="CloudFront distributions, by logical name. Left out, the stack does not "
        "manage distributions (no CloudFront request at all); {} means it owns none (owned "
        "ones are deleted).",
    )

    @property
    def manages_distributions(self) -> bool:
        """Whether the spec says anything about distributions: ``distributions:`` left out
        means unmanaged (never read, never pruned), as for every other field."""
        return "distributions" in self.model_fields_set

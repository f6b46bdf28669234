"""The whole spec: a stack's resources, a section per kind, with the variables and defaults
that were used to write it (kept so the JSON Schema describes every key a file may hold).

The model is made from the kinds' declarations (`reconciler.kinds.registry`): a section per
kind (``buckets:``, ...), and under ``defaults:`` a key per kind. Code outside a kind reaches a
section through its declaration (`Declaration.resources`), never by name."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BeforeValidator, Field, create_model

from reconciler.kinds.registry import declarations
from reconciler.spec.common import SpecModel


def _scalar_only(value: Any) -> Any:
    if isinstance(value, dict | list) or value is None:
        raise ValueError("a variable's value must be text, a number or true/false")
    return value


VarValue = Annotated[str | int | float | bool, BeforeValidator(_scalar_only)]


if TYPE_CHECKING:
    Defaults = SpecModel
else:
    Defaults = create_model(
        "Defaults",
        __base__=SpecModel,
        __doc__="Values applied under every resource of a kind.",
        **{
            d.kind: (
                d.model | None,
                Field(
                    None,
                    description=f"Applied under every {d.noun}; tags merge, the {d.noun}'s "
                    "value wins.",
                ),
            )
            for d in declarations()
        },
    )


class SpecBase(SpecModel):
    """A reconciler spec: what a stack's resources must look like."""

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

    def manages(self, section: str, *, always: bool = False) -> bool:
        """Whether the spec says anything about a kind's ``section``: left out, the kind is
        unmanaged (never read, never pruned), as every other field, unless ``always``."""
        return always or section in self.model_fields_set


if TYPE_CHECKING:
    Spec = SpecBase
else:
    Spec = create_model(
        "Spec",
        __base__=SpecBase,
        __doc__=SpecBase.__doc__,
        **{
            d.section: (dict[str, d.model], Field(default_factory=dict, description=d.description))
            for d in declarations()
        },
    )

"""What every spec model shares: frozen, unknown keys refused, and one way of saying
"this aspect must be absent".

The contract's rule of meaning is three-valued: a field left out is unmanaged (``None`` here, and
never read or changed); an empty value or ``false`` means "must be absent"; anything else is the
desired value. Fields that take ``false`` are declared as a discriminated union (``SWITCH``),
so a mistake inside the mapping is reported against the mapping's own keys, not as a mismatch of
every alternative.
"""

from __future__ import annotations

import contextlib
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Tag,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)

#: Union tags appear in pydantic error locations; names of this form are dropped from paths.
OFF_TAG = "<off>"
ON_TAG = "<on>"
CANNED_TAG = "<canned>"
GRANTS_TAG = "<grants>"


def is_union_tag(part: object) -> bool:
    return isinstance(part, str) and part.startswith("<") and part.endswith(">")


Off = Literal[False]


def _any_case(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    try:
        return handler(value)
    except ValidationError:
        if isinstance(value, str):
            for variant in (value.lower(), value.upper(), value.capitalize()):
                if variant != value:
                    with contextlib.suppress(ValidationError):
                        return handler(variant)
        raise


#: On a choice of words: AWS's own spelling is accepted as well as the documented one
#: (``versioning: Enabled`` reads as ``enabled``); the spec keeps the documented one, and an
#: error lists it.
AnyCase = WrapValidator(_any_case)


#: Whether a declared resource must exist (``present``) or be deleted (``absent``).
ResourceState = Annotated[Literal["present", "absent"], AnyCase]

#: The storage classes an object can be written in (a replica's, an uploaded file's).
ObjectStorageClass = Annotated[
    Literal[
        "STANDARD",
        "REDUCED_REDUNDANCY",
        "STANDARD_IA",
        "ONEZONE_IA",
        "INTELLIGENT_TIERING",
        "GLACIER",
        "GLACIER_IR",
        "DEEP_ARCHIVE",
    ],
    AnyCase,
]


class SpecModel(BaseModel):
    """Base of every spec model: immutable, and unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


def _switch(value: Any) -> str:
    return OFF_TAG if value is False else ON_TAG


#: Annotations for the two sides of a ``false | model`` field; see `bucket` for their use:
#: ``Annotated[Annotated[Off, OFF] | Annotated[Model, ON], SWITCH]``.
OFF = Tag(OFF_TAG)
ON = Tag(ON_TAG)
SWITCH = Discriminator(_switch)


Tags = dict[str, str]


def spec_json(value: Any) -> Any:
    """A spec value as the user would write it: models without unset fields or empty lists."""
    if isinstance(value, SpecModel):
        return _prune(value.model_dump(mode="json", exclude_none=True))
    if isinstance(value, list):
        return [spec_json(v) for v in value]
    return value


def _prune(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _prune(v) for k, v in value.items() if v != []}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value

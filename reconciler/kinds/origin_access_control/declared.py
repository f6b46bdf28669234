"""The spec's origin access controls, as the kind's units (and the distribution kind, which
refers to them) reach them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reconciler.kinds.origin_access_control.model import OriginAccessControl

if TYPE_CHECKING:
    from reconciler.spec.model import Spec

#: The spec's section of origin access controls, and the kind's name.
SECTION = "origin_access_controls"
KIND = "origin_access_control"


def origin_access_controls(spec: Spec) -> dict[str, OriginAccessControl]:
    """The spec's origin access controls, by logical name."""
    found: dict[str, OriginAccessControl] = getattr(spec, SECTION)
    return found


def name_of(logical: str, declared: OriginAccessControl) -> str:
    """Its name in CloudFront: the declared one, or the logical name."""
    return declared.name or logical

"""The origin access control kind, as the spec sees it: ``origin_access_controls:``, a map of
logical names to `OriginAccessControl` (CloudFront picks the id)."""

from __future__ import annotations

from reconciler.kinds.declaration import Declaration
from reconciler.kinds.origin_access_control import rules
from reconciler.kinds.origin_access_control.declared import KIND, SECTION
from reconciler.kinds.origin_access_control.model import OriginAccessControl


def destroyed(control: OriginAccessControl) -> OriginAccessControl:
    return control.model_copy(update={"state": "absent"})


DECLARATION = Declaration(
    kind=KIND,
    section=SECTION,
    model=OriginAccessControl,
    description="CloudFront origin access controls, by logical name; a distribution's S3 "
    "origin names one with origin_access_control. Left out, the stack manages none (no "
    "request for them); {} means it owns none (owned ones are deleted).",
    noun="origin access control",
    rules=rules.check,
    destroyed=destroyed,
    merged=(),
)

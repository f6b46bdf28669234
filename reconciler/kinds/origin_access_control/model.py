"""The desired state of a CloudFront origin access control."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from reconciler.spec.common import ResourceState, SpecModel


class OriginAccessControl(SpecModel):
    """An origin access control (what AWS advises for S3 origins instead of origin access
    identities): a distribution's S3 origin names it by its logical name."""

    name: str | None = Field(
        None,
        description="Its name in CloudFront, unique in the account (1 to 64 characters). "
        "Default: the logical name.",
    )
    description: str = Field("", description="What it is for (CloudFront's Description).")
    origin_type: Literal["s3", "mediastore", "lambda", "mediapackagev2"] = Field(
        "s3", description="The kind of origin it signs requests to."
    )
    signing_behavior: Literal["always", "never", "no-override"] = Field(
        "always",
        description="always: sign every request (replacing a viewer's Authorization header); "
        "never; no-override: sign unless the viewer's request has one.",
    )
    signing_protocol: Literal["sigv4"] = Field("sigv4", description="How requests are signed.")
    state: ResourceState = Field("present", description="present, or absent to delete it.")
    prevent_destroy: bool = Field(False, description="Make any plan that deletes it an error.")

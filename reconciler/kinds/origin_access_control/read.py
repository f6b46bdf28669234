"""Reading origin access controls: one listing (paged) holds all there is to know of each."""

from __future__ import annotations

from reconciler.aws.cloudfront import CloudFrontClient
from reconciler.aws.cloudfront_oac import OriginAccessControl, OriginAccessControls
from reconciler.aws.steps import Steps
from reconciler.kinds.base import Runner
from reconciler.kinds.origin_access_control.live import LiveOriginAccessControl


def live(found: OriginAccessControl) -> LiveOriginAccessControl:
    return LiveOriginAccessControl.of(
        id=found.id,
        name=found.name,
        description=found.description,
        signing_protocol=found.signing_protocol,
        signing_behavior=found.signing_behavior,
        origin_type=found.origin_type,
    )


def read_controls(cloudfront: CloudFrontClient, run: Runner) -> tuple[LiveOriginAccessControl, ...]:
    """Every origin access control of the account."""
    found: list[LiveOriginAccessControl] = []

    def listing() -> Steps[None]:
        answered = yield from OriginAccessControls(cloudfront).listing()
        found.extend(live(c) for c in answered)

    run("origin access controls", [listing])
    return tuple(sorted(found, key=lambda c: (c.name, c.id)))

"""The origin access control kind's part of the live state, and how one says whose it is.

An origin access control has no tags, so its ownership is written in its description, after
what the spec says there: ``(reconciler:stack=STACK, reconciler:name=NAME)``. The planner
compares the description without it; one CloudFront made or a person wrote has none, and an
origin access control is adopted (the mark added) only when the spec declares its name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reconciler.live.model import STACK_TAG, LiveState

#: The kind's key in the live state.
KIND = "origin_access_control"
NAME_KEY = "reconciler:name"
_MARK = re.compile(
    rf"(?:^| )\({re.escape(STACK_TAG)}=(?P<stack>[^,()]+), {NAME_KEY}=(?P<name>[^,()]+)\)$"
)
#: CloudFront's limit on a description.
MAX_DESCRIPTION = 256


def mark(description: str, *, stack: str, name: str) -> str:
    """``description`` with the ownership mark after it."""
    owned = f"({STACK_TAG}={stack}, {NAME_KEY}={name})"
    return f"{description} {owned}" if description else owned


@dataclass(frozen=True)
class LiveOriginAccessControl:
    """One origin access control of the account: ``description`` without the ownership mark,
    ``stack`` and ``logical`` from the mark (``None``: none)."""

    id: str
    name: str
    description: str
    signing_protocol: str
    signing_behavior: str
    origin_type: str
    stack: str | None = None
    logical: str | None = None

    @classmethod
    def of(
        cls,
        *,
        id: str,
        name: str,
        description: str,
        signing_protocol: str,
        signing_behavior: str,
        origin_type: str,
    ) -> LiveOriginAccessControl:
        found = _MARK.search(description)
        return cls(
            id=id,
            name=name,
            description=description[: found.start()] if found else description,
            signing_protocol=signing_protocol,
            signing_behavior=signing_behavior,
            origin_type=origin_type,
            stack=found["stack"] if found else None,
            logical=found["name"] if found else None,
        )

    @property
    def fields(self) -> dict[str, str]:
        """Its settings in the spec's spelling (what a plan compares)."""
        return {
            "name": self.name,
            "description": self.description,
            "origin_type": self.origin_type,
            "signing_behavior": self.signing_behavior,
            "signing_protocol": self.signing_protocol,
        }


def controls_live(state: LiveState) -> tuple[LiveOriginAccessControl, ...] | None:
    """The account's origin access controls in ``state`` (``None``: not read)."""
    found: tuple[LiveOriginAccessControl, ...] | None = state.of(KIND)
    return found


def owned(
    found: tuple[LiveOriginAccessControl, ...], stack: str, logical: str
) -> LiveOriginAccessControl | None:
    """The one of ``stack`` named ``logical`` by its mark."""
    return next((c for c in found if c.stack == stack and c.logical == logical), None)

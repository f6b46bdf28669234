"""The distribution kind's part of the live state: the account's distributions, in the spec's
vocabulary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reconciler.live.model import STACK_TAG, LiveState

#: How a distribution is found again: CloudFront picks its id, the spec names it.
NAME_TAG = "reconciler:name"
#: The kind's key in the live state.
KIND = "distribution"


@dataclass(frozen=True)
class LiveDistribution:
    """One distribution of the account. ``aliases`` come from the listing, the tags from one
    read each; ``fields`` (every spec field, in the spec's spelling) is read only
    for the distributions a plan may change: this stack's, and those holding a declared alias."""

    id: str
    arn: str
    aliases: tuple[str, ...]
    tags: dict[str, str] = field(default_factory=dict)
    fields: dict[str, Any] | None = None
    #: Reads that failed (its tags, or its configuration), each saying why.
    failures: tuple[str, ...] = ()

    @property
    def stack(self) -> str | None:
        return self.tags.get(STACK_TAG)

    @property
    def name(self) -> str | None:
        return self.tags.get(NAME_TAG)


def distributions_live(state: LiveState) -> tuple[LiveDistribution, ...] | None:
    """The account's distributions in ``state`` (``None``: not read)."""
    found: tuple[LiveDistribution, ...] | None = state.of(KIND)
    return found

"""The spec's distributions, as the distribution kind's units reach them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reconciler.kinds.distribution.model import Distribution

if TYPE_CHECKING:
    from reconciler.spec.model import Spec

#: The spec's section of distributions.
SECTION = "distributions"


def distributions(spec: Spec) -> dict[str, Distribution]:
    """The spec's distributions, by logical name."""
    found: dict[str, Distribution] = getattr(spec, SECTION)
    return found


def manages_distributions(spec: Spec) -> bool:
    """Whether the spec says anything about distributions: ``distributions:`` left out means
    unmanaged (never read, never pruned), as for every other field."""
    return spec.manages(SECTION)

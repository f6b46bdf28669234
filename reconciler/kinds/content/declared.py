"""The spec's content entries, as the content kind's units reach them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reconciler.kinds.content.model import Content

if TYPE_CHECKING:
    from reconciler.spec.model import Spec

#: The spec's section of content.
SECTION = "content"
#: The kind's name: the first part of its addresses, its key in the live state.
KIND = "content"


def contents(spec: Spec) -> dict[str, Content]:
    """The spec's content entries, by logical name."""
    found: dict[str, Content] = getattr(spec, SECTION)
    return found

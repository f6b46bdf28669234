"""The content kind, as the spec sees it: ``content:``, a map of logical names to `Content`
(a local directory kept in a declared bucket)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from reconciler.address import Address
from reconciler.kinds.content import rules
from reconciler.kinds.content.declared import KIND, SECTION
from reconciler.kinds.content.model import Content
from reconciler.kinds.declaration import Declaration, Reference

if TYPE_CHECKING:
    from reconciler.spec.model import Spec

#: The kinds a content refers to.
_BUCKET, _DISTRIBUTION = "bucket", "distribution"


def references(spec: Spec, name: str, content: Content) -> Iterator[Reference]:
    """Its bucket, and the distribution it invalidates: both written before it."""
    yield Reference(Address(_BUCKET, content.bucket))
    if content.invalidate and content.state != "absent":
        yield Reference(Address(_DISTRIBUTION, content.invalidate))


def destroyed(content: Content) -> Content:
    return content.model_copy(update={"state": "absent"})


DECLARATION = Declaration(
    kind=KIND,
    section=SECTION,
    model=Content,
    description="Site content, by logical name: a local directory kept in a declared bucket, "
    "its changed paths invalidated. Left out, the stack manages no content; {} means it owns "
    "none (what its manifests name is deleted).",
    noun="content",
    rules=rules.check,
    references=references,
    destroyed=destroyed,
    deleting="will be deleted: the objects it put there, and its manifest",
    local_paths=("source",),
)

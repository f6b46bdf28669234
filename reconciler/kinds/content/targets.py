"""What a content's invalidation is planned from, in the rest of the spec: the distribution it
names (``invalidate``), the origin path of that distribution's origin on the content's bucket
(URL paths are keys less it), and the index documents (the bucket website's, the
distribution's root object), whose directories are invalidated with them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reconciler.kinds.bucket.declared import buckets
from reconciler.kinds.content import invalidation
from reconciler.kinds.content.addresses import path_of
from reconciler.kinds.content.live import ContentRead
from reconciler.kinds.content.model import Content
from reconciler.kinds.distribution.declared import distributions
from reconciler.plan.model import Action, AspectChange

if TYPE_CHECKING:
    from reconciler.spec.model import Spec

INVALIDATION = "invalidation"


def origin_path(spec: Spec, content: Content) -> str | None:
    """The origin path of the invalidated distribution's origin on the content's bucket
    (``None``: no such origin, or no distribution)."""
    dist = distributions(spec).get(content.invalidate or "")
    if dist is None:
        return None
    for origin in dist.origins or []:
        if origin.bucket == content.bucket:
            return origin.origin_path
    return None


def index_names(spec: Spec, content: Content) -> frozenset[str]:
    names = set()
    bucket = buckets(spec).get(content.bucket)
    website = bucket.website if bucket is not None else None
    if website and website.index_document:
        names.add(website.index_document)
    dist = distributions(spec).get(content.invalidate or "")
    if dist is not None and dist.default_root_object:
        names.add(dist.default_root_object)
    return frozenset(names)


def invalidation_aspect(
    spec: Spec,
    name: str,
    *,
    content: Content,
    read: ContentRead,
    changed: list[AspectChange],
    paths: frozenset[str],
) -> AspectChange | None:
    """The invalidation after the ``changed`` objects' aspects (and any that was due), or
    ``None`` when nothing is to be invalidated."""
    if not content.invalidate:
        return None
    base = origin_path(spec, content)
    if base is None:
        return None
    prefix = content.prefix
    served = {
        u
        for p in paths | set(read.manifest.objects if read.manifest else {})
        if (u := invalidation.url_path(prefix + p, base)) is not None
    }
    touched = {
        u
        for a in changed
        if (p := path_of(name, a.aspect)) is not None
        and (u := invalidation.url_path(prefix + p, base)) is not None
    }
    manifest = read.manifest
    due = (
        set(manifest.invalidation)
        if manifest and manifest.distribution == content.invalidate
        else set()
    )
    if not touched and not due:
        return None
    planned = invalidation.plan(touched, served, index=index_names(spec, content))
    merged = invalidation.merged(planned, due)
    after = {
        "distribution": content.invalidate,
        "paths": list(merged.paths),
        "batches": len(merged.batches),
        "cost": merged.summary(),
    }
    return AspectChange(INVALIDATION, Action.CREATE, None, after)

"""The headers a file is served with, as the spec declares them: the first rule of ``headers``
whose glob matches the file's path gives them all, Content-Type comes from the file's name
when the rule does not say (`media`), and a precompressed sibling (``app.js.br`` beside
``app.js``) is served as its original's type with its Content-Encoding.

An object's headers are kept, in the plan and in the manifest, as a map in the spec's words
(``content_type``, ``cache_control``, ...; a header S3 leaves at its default is left out), so
that the spec's value and the live one compare as values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.kinds.content import globs, media
from reconciler.kinds.content.model import Content, HeaderRule

#: The headers a rule may set, in the order the plan shows them.
FIELDS = (
    "content_type",
    "content_encoding",
    "cache_control",
    "content_disposition",
    "content_language",
    "metadata",
    "storage_class",
)
#: The headers compared whatever the spec says (the others only when a rule declares them).
ALWAYS = frozenset({"content_type", "content_encoding", "cache_control", "metadata"})


def rule_for(content: Content, path: str) -> tuple[int, HeaderRule] | None:
    """The first header rule matching ``path``, with its index."""
    index = globs.first([r.match for r in content.headers], path)
    return None if index is None else (index, content.headers[index])


def wanted(content: Content, path: str, paths: frozenset[str]) -> dict[str, Any]:
    """The headers ``path`` is to be served with (``paths``: every file of the source, for
    precompressed siblings)."""
    found = rule_for(content, path)
    rule = found[1] if found else None
    sibling = media.precompressed(path, paths)
    typed = media.media_type(sibling[0] if sibling else path, content.content_types)
    out: dict[str, Any] = {
        "content_type": (rule.content_type if rule and rule.content_type else typed),
        "content_encoding": (
            rule.content_encoding
            if rule and rule.content_encoding
            else sibling[1]
            if sibling
            else None
        ),
    }
    if rule is not None:
        out |= {
            "cache_control": rule.cache_control,
            "content_disposition": rule.content_disposition,
            "content_language": rule.content_language,
            "metadata": dict(sorted(rule.metadata.items())) if rule.metadata else None,
            "storage_class": rule.storage_class,
        }
    return {k: out[k] for k in FIELDS if out.get(k) is not None}


def compared(values: Mapping[str, Any], declared: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` as compared with ``declared`` (the spec's): the headers every file has, and
    those the spec declares for it (a storage class left out is not compared)."""
    keep = ALWAYS | set(declared)
    return {k: v for k, v in values.items() if k in keep}


def is_page(values: Mapping[str, Any]) -> bool:
    """Whether an object with these headers is an HTML page (uploaded after every asset)."""
    content_type = str(values.get("content_type") or "").split(";")[0].strip().lower()
    return content_type in ("text/html", "application/xhtml+xml")

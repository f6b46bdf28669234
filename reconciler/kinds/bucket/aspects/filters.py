"""The object filter lifecycle rules use (and replication, Intelligent-Tiering, inventory,
metrics and analytics share its shape): prefix, tags, object sizes. Several conditions are
wrapped in ``And`` on the wire; a lone condition is not."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element

from reconciler import xmlcodec as xml
from reconciler.kinds.bucket.canonical import Json
from reconciler.kinds.bucket.model_base import LifecycleFilter
from reconciler.spec.findings import Finding
from reconciler.spec.source import Path
from reconciler.spec.tag_rules import check_tags


def encode(parent: Element, flt: LifecycleFilter | None, *, tag: str = "Filter") -> None:
    """Append ``<Filter>``: no filter is the empty prefix (every object)."""
    node = xml.add(parent, tag)
    if flt is None:
        xml.add(node, "Prefix", "")
        return
    tags = sorted((flt.tags or {}).items())
    low = getattr(flt, "object_size_greater_than", None)
    high = getattr(flt, "object_size_less_than", None)
    conditions = (1 if flt.prefix else 0) + len(tags) + (low is not None) + (high is not None)
    if conditions == 0:
        if flt.prefix is not None:
            xml.add(node, "Prefix", flt.prefix)
        return
    target = xml.add(node, "And") if conditions > 1 else node
    if flt.prefix:
        xml.add(target, "Prefix", flt.prefix)
    for key, value in tags:
        element = xml.add(target, "Tag")
        xml.add(element, "Key", key)
        xml.add(element, "Value", value)
    xml.add_if(target, "ObjectSizeGreaterThan", low)
    xml.add_if(target, "ObjectSizeLessThan", high)


def decode_fields(node: Element | None) -> dict[str, Any]:
    """A ``<Filter>``'s conditions (with or without ``And``) as spec fields; empty: none."""
    if node is None:
        return {}
    source = node.find("And")
    source = node if source is None else source
    tags = {
        xml.text(tag, "Key") or "": xml.text(tag, "Value") or ""
        for tag in xml.children(source, "Tag")
    }
    fields = {
        "prefix": xml.text(source, "Prefix"),
        "tags": tags or None,
        "object_size_greater_than": xml.integer(source, "ObjectSizeGreaterThan"),
        "object_size_less_than": xml.integer(source, "ObjectSizeLessThan"),
    }
    return {k: v for k, v in fields.items() if v is not None}


def decode(rule: Element) -> LifecycleFilter | None:
    """A lifecycle rule's filter: ``<Filter>``, or the legacy rule-level ``<Prefix>``; ``None``
    when it selects every object by saying nothing."""
    node = rule.find("Filter")
    fields = decode_fields(node) if node is not None else {"prefix": xml.text(rule, "Prefix")}
    fields = {k: v for k, v in fields.items() if v is not None}
    return LifecycleFilter(**fields) if fields else None


def canonical(flt: Any) -> Json:
    """Conditions that select something; ``""`` and no filter both mean every object."""
    if flt is None:
        return {}
    out: dict[str, Any] = {}
    if flt.prefix:
        out["prefix"] = flt.prefix
    if flt.tags:
        out["tags"] = dict(sorted(flt.tags.items()))
    for name in ("object_size_greater_than", "object_size_less_than"):
        if getattr(flt, name, None) is not None:
            out[name] = getattr(flt, name)
    return out


def check(flt: LifecycleFilter | None, where: Path, label: str) -> Iterator[Finding]:
    if flt is None:
        return
    low, high = flt.object_size_greater_than, flt.object_size_less_than
    if low is not None and high is not None and low >= high:
        yield Finding(
            (*where, "filter"),
            f"{label}: object_size_greater_than ({low}) must "
            f"be less than object_size_less_than ({high})",
        )
    if flt.tags:
        yield from check_tags(flt.tags, (*where, "filter", "tags"), reserved=0, owner="filter")

"""The shape two aspects share: a configuration holding one ``Status`` of Enabled or
Suspended, spelled ``enabled`` / ``suspended`` in the spec (versioning, transfer acceleration)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from xml.etree.ElementTree import Element

from reconciler import xmlcodec as xml
from reconciler.kinds.bucket.aspects.base import Decoded, WriteContext


def decode(root: Element) -> Decoded:
    """``Enabled`` is enabled; anything else, an empty configuration included, suspended."""
    return Decoded("enabled" if xml.text(root, "Status") == "Enabled" else "suspended")


def encoder(document: str) -> Callable[[Any, WriteContext], bytes]:
    def encode(value: Any, ctx: WriteContext) -> bytes:
        root = xml.root(document)
        xml.add(root, "Status", "Enabled" if value == "enabled" else "Suspended")
        return xml.serialise(root)

    return encode

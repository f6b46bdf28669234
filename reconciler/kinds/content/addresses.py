"""A content's addresses: ``content.NAME`` for the content, ``content.NAME["PATH"]`` for one
of its objects (the name of that object's aspect in a plan)."""

from __future__ import annotations

import json

from reconciler.address import Address
from reconciler.kinds.content.declared import KIND


def address(name: str) -> str:
    return str(Address(KIND, name))


def object_address(name: str, path: str) -> str:
    return str(Address(KIND, name, path))


def path_of(name: str, aspect: str) -> str | None:
    """The path an object's aspect is about (``None``: not an object's aspect)."""
    whole = address(name)
    if aspect.startswith(whole + "[") and aspect.endswith("]"):
        try:
            found = json.loads(aspect[len(whole) + 1 : -1])
        except ValueError:
            return None
        return found if isinstance(found, str) else None
    if aspect.startswith(whole + "."):  # a plain name is written after a dot
        return aspect[len(whole) + 1 :]
    return None

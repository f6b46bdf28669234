"""Resource addresses, built and read in one place: ``KIND.NAME``, and a part of one resource
``KIND.NAME.PART`` (a bucket's aspect: ``bucket.acme-site.lifecycle``) or, where the part is
not a plain name, ``KIND.NAME["PART"]`` (one object of site content:
``content.site["index.html"]``).

The kind is everything before the first dot, so a name may hold dots (bucket names do); an
address given by a user (``--target``) names a resource, never a part.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True, order=True)
class Address:
    kind: str
    name: str
    part: str | None = None

    def __str__(self) -> str:
        whole = f"{self.kind}.{self.name}"
        if self.part is None:
            return whole
        if _PLAIN.match(self.part):
            return f"{whole}.{self.part}"
        return f"{whole}[{json.dumps(self.part, ensure_ascii=False)}]"

    @property
    def resource(self) -> Address:
        """The resource this address is in (itself, when it names no part)."""
        return Address(self.kind, self.name) if self.part is not None else self

    def at(self, part: str) -> Address:
        """The address of ``part`` of this resource."""
        return Address(self.kind, self.name, part)

    @classmethod
    def parse(cls, text: str) -> Address:
        """The resource ``text`` names (``KIND.NAME``); `ValueError` when it names none."""
        kind, dot, name = text.partition(".")
        if not dot or not kind or not name or not _PLAIN.match(kind):
            raise ValueError(f"{text!r} is not a resource address (KIND.NAME)")
        return cls(kind, name)

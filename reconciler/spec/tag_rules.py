"""The rules every set of tags obeys (bucket tags, filter tags, distribution tags)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from reconciler.spec.findings import Finding
from reconciler.spec.source import Path

MAX_TAGS = 50
TAG_TEXT = re.compile(r"^[\w\s.:/=+\-@]*$")


def check_tags(
    tags: Mapping[str, str], path: Path, *, reserved: int, owner: str
) -> Iterator[Finding]:
    if len(tags) + reserved > MAX_TAGS:
        yield Finding(
            path,
            f"at most {MAX_TAGS - reserved} tags (AWS allows {MAX_TAGS} per "
            f"{owner}, and the reconciler uses {reserved}); found {len(tags)}",
        )
    for key, value in tags.items():
        where = (*path, key)
        if not 1 <= len(key) <= 128:
            yield Finding(where, "a tag key must be 1 to 128 characters long", at_key=True)
        if key.lower().startswith("aws:"):
            yield Finding(where, "tag keys starting with 'aws:' are reserved for AWS", at_key=True)
        elif key.startswith("reconciler:"):
            yield Finding(
                where,
                "tag keys starting with 'reconciler:' are reserved for the "
                "reconciler's ownership tags",
                at_key=True,
            )
        if not TAG_TEXT.match(key):
            yield Finding(
                where, "a tag key may hold letters, digits, spaces and _.:/=+-@ only", at_key=True
            )
        if len(value) > 256:
            yield Finding(where, f"a tag value must be at most 256 characters (got {len(value)})")
        if not TAG_TEXT.match(value):
            yield Finding(where, "a tag value may hold letters, digits, spaces and _.:/=+-@ only")

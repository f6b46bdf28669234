"""The offline rules of origin access controls: logical names, CloudFront's limits on a name
and a description (with the ownership mark it carries), names unique in the spec (CloudFront
wants them unique in the account), and what ``state: absent`` allows."""

from __future__ import annotations

import re
from collections.abc import Iterator

from reconciler.kinds.origin_access_control.declared import (
    SECTION,
    name_of,
    origin_access_controls,
)
from reconciler.kinds.origin_access_control.live import MAX_DESCRIPTION, mark
from reconciler.spec.findings import Finding, RuleContext, absent
from reconciler.spec.source import Path

_LOGICAL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MAX_NAME = 64


def check(ctx: RuleContext) -> Iterator[Finding]:
    """Findings for every origin access control of the spec."""
    controls = origin_access_controls(ctx.spec)
    seen: dict[str, str] = {}
    for logical, control in controls.items():
        path: Path = (SECTION, logical)
        if not _LOGICAL_NAME.match(logical):
            yield Finding(
                path,
                "an origin access control's logical name is 1 to 64 letters, digits, '.', '_' "
                "or '-' (it is written in its description)",
                at_key=True,
            )
        if control.state == "absent":
            yield from absent(
                path, "origin access control", prevent_destroy=control.prevent_destroy
            )
            continue
        name = name_of(logical, control)
        if not 1 <= len(name) <= MAX_NAME:
            yield Finding((*path, "name"), f"a name is 1 to {MAX_NAME} characters")
        marked = mark(control.description, stack=ctx.spec.stack, name=logical)
        if len(marked) > MAX_DESCRIPTION:
            yield Finding(
                (*path, "description"),
                f"with the ownership mark it carries ({len(marked) - len(control.description)} "
                f"characters), the description is longer than CloudFront's {MAX_DESCRIPTION}",
            )
        if name in seen:
            yield Finding(
                (*path, "name"),
                f"origin access controls {seen[name]!r} and {logical!r} have the same name "
                f"{name!r}: a name is unique in the account",
            )
        seen.setdefault(name, logical)

"""The AWS rules that can be checked without asking AWS, so a broken spec fails before any
API call, with a message that says what to change.

Each check returns findings (a path into the spec, a message, error or warning); the loader puts
them at file positions. Warnings mark what can only be verified against live state (a logging
target the spec does not declare) or what AWS accepts but will likely bite. The stack's own
rules are here; each kind states its resources' (`Declaration.rules`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from reconciler.kinds.registry import declarations
from reconciler.spec.findings import Finding, RuleContext
from reconciler.spec.tag_rules import TAG_TEXT

if TYPE_CHECKING:
    from reconciler.spec.model import Spec

__all__ = ["Finding", "check"]


def check(
    spec: Spec,
    *,
    declared: Mapping[str, frozenset[str]] | None = None,
    check_stack: bool = True,
) -> list[Finding]:
    """Findings for a spec. ``declared`` names, per section, every resource the files declare,
    including those whose shape was invalid (and so are missing from ``spec``): references to
    them are not reported as undeclared."""
    context = RuleContext(spec, declared or {})
    findings = list(_stack(spec)) if check_stack else []
    for declaration in declarations():
        findings.extend(declaration.rules(context))
    return findings


def _stack(spec: Spec) -> Iterator[Finding]:
    if not spec.stack.strip():
        yield Finding(("stack",), "must not be empty")
    elif len(spec.stack) > 128 or not TAG_TEXT.match(spec.stack):
        yield Finding(
            ("stack",),
            "must be at most 128 letters, digits, spaces or _.:/=+-@ (it becomes a tag value)",
        )

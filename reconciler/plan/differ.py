"""Attribute-level differences between two canonical values; the only user of deepdiff.

Equality is checked first (cheap, and the common case); deepdiff only runs for what differs.
Paths are relative to the aspect and read like the spec: ``rules[expire-logs].expiration.days``,
``grants[group:AllUsers]``, ``Statement[0].Action``, ``origins[site].origin_path``. Children of
keyed collections (``rules``, ``grants``, ``target_grants``, ``origins``,
``custom_error_responses``, and those an aspect's unit names: ``inventory[weekly]``) are written
in brackets by their id; a map key that is not a plain
name is quoted in brackets (``tags["reconciler:stack"]``, ``tags["cost center"]``), a plain one
follows a dot (``tags.env``): one spelling for every map, tags included.
"""

from __future__ import annotations

import json
import re
from typing import Any

from reconciler.plan.model import DiffEntry

_KEYED = frozenset({"rules", "grants", "target_grants", "origins", "custom_error_responses"})
#: In ``keyed``: the value itself is a map by id (an aspect kept as items by id).
ROOT = ""
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def format_path(parts: list[Any], keyed: frozenset[str] = _KEYED) -> str:
    out = ""
    parent: Any = ROOT
    for part in parts:
        if isinstance(part, int) or parent in keyed:
            out += f"[{part}]"
        elif not _NAME.match(str(part)):
            out += f"[{json.dumps(str(part), ensure_ascii=False)}]"
        else:
            out += f".{part}" if out else str(part)
        parent = part
    return out


def resource_path(kind: str, aspect: str, path: str) -> str:
    """A plan's diff path seen from the resource: a bucket's paths are relative to the aspect
    (``env`` in ``tags``: ``tags.env``); a distribution's already start with the field, as its
    values are compared in their ``{field: value}`` form."""
    if kind == "distribution" or not path:
        return path or aspect
    return f"{aspect}{path}" if path.startswith("[") else f"{aspect}.{path}"


def shown(entry_before: Any, entry_after: Any, before: Any, after: Any) -> tuple[Any, Any]:
    """A whole value's diff entry as a person reads it: a value added or removed whole is
    shown as the spec writes it (``before``/``after``), not in its comparison form (where a
    list of grants is a map by grantee)."""
    if entry_after is None and before is not None:
        entry_before = before
    if entry_before is None and after not in (None, False, []):
        entry_after = after
    return entry_before, entry_after


def _plain(value: Any) -> Any:
    from deepdiff.helper import NotPresent  # noqa: PLC0415 - imported with DeepDiff

    return None if isinstance(value, NotPresent) else value


def diff(before: Any, after: Any, keyed: frozenset[str] = frozenset()) -> tuple[DiffEntry, ...]:
    """The differences from ``before`` to ``after``; empty when they are equal. ``keyed``: more
    names whose children are keyed by id (an aspect's own, ``ROOT`` for the value itself)."""
    if before == after:
        return ()
    # Imported only when something differs: a no-change plan never pays for it.
    from deepdiff import DeepDiff  # noqa: PLC0415

    try:
        tree = DeepDiff(before, after, view="tree", verbose_level=2, threshold_to_diff_deeper=0)
    except Exception as exc:  # deepdiff's errors must not leave this module
        raise ValueError(f"cannot compare values: {exc}") from exc
    entries = [
        DiffEntry(
            format_path(level.path(output_format="list"), _KEYED | keyed),
            _plain(level.t1),
            _plain(level.t2),
        )
        for levels in tree.values()
        for level in levels
    ]
    return tuple(sorted(entries, key=lambda e: e.path))

"""A saved plan against the plan made again now: what a reviewer approved is what runs.

Applying a saved plan makes the plan again, from the same spec files and the live state as it is
now, and carries the saved one out only if both say the same. Two questions, in this order:

- has the live state moved since the plan was made? Each saved change records a digest of every
  part of the live state it was made against (``live_fingerprints``); the same parts are taken
  from what was read now. A part that moved names the resource and the part: plan again.
- does the saved plan say what the spec and the live state give? Every change, compared whole
  (address, action, region, every aspect's action and values, dependencies, fingerprints): an
  edited plan file, or one made from another spec, differs somewhere, and the difference is
  named.

Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from reconciler.kinds.registry import kind
from reconciler.live.model import LiveState
from reconciler.plan.model import ResourceChange

#: How many differences a refusal lists before it counts the rest.
SHOWN = 10


def stale(saved: Iterable[ResourceChange], live: LiveState, stack: str) -> dict[str, list[str]]:
    """The saved changes whose live state moved, each with the parts that did (each kind
    says which of a change's parts moved, `ResourceKind.moved_parts`)."""
    found: dict[str, list[str]] = {}
    for change in saved:
        moved = kind(change.kind).moved_parts(change, live, stack)
        if moved:
            found[change.address] = moved
    return found


def _aspect_differences(saved: list[dict[str, Any]], fresh: list[dict[str, Any]]) -> list[str]:
    before = {a["aspect"]: a for a in saved}
    now = {a["aspect"]: a for a in fresh}
    out = []
    for aspect in sorted(before.keys() | now.keys()):
        was, new = before.get(aspect), now.get(aspect)
        if was == new:
            continue
        if new is None:
            assert was is not None
            out.append(f"{aspect}: the saved plan would {was['action']} it, a plan made now not")
        elif was is None:
            out.append(f"{aspect}: a plan made now would {new['action']} it, the saved plan not")
        elif was["action"] != new["action"]:
            out.append(f"{aspect}: {was['action']} in the saved plan, {new['action']} now")
        else:
            which = [k for k in ("after", "before", "diff") if was.get(k) != new.get(k)]
            out.append(f"{aspect}: its {' and '.join(which)} value differs")
    return out


def _change_differences(saved: dict[str, Any], fresh: dict[str, Any]) -> list[str]:
    if saved["action"] != fresh["action"]:
        return [f"the saved plan would {saved['action']} it, a plan made now {fresh['action']}"]
    out = _aspect_differences(saved.get("aspects", []), fresh.get("aspects", []))
    for key in sorted((saved.keys() | fresh.keys()) - {"aspects", "action"}):
        if saved.get(key) != fresh.get(key):
            out.append(f"its {key} differs")
    return out


def differences(saved: Iterable[ResourceChange], fresh: Iterable[ResourceChange]) -> list[str]:
    """Each way the saved changes differ from the fresh ones, naming the resource."""
    before = {c.address: c.to_json() for c in saved}
    now = {c.address: c.to_json() for c in fresh}
    out: list[str] = []
    for address in sorted(before.keys() | now.keys()):
        was, new = before.get(address), now.get(address)
        if new is None:
            assert was is not None
            out.append(
                f"{address}: the saved plan would {was['action']} it; a plan made now has no "
                "change for it"
            )
        elif was is None:
            out.append(
                f"{address}: a plan made now would {new['action']} it; the saved plan has no "
                "change for it"
            )
        else:
            out += [f"{address}: {d}" for d in _change_differences(was, new)]
    return out


def summary(found: list[str]) -> str:
    """``found`` as one sentence's worth: the first few, and how many more."""
    shown = "; ".join(found[:SHOWN])
    rest = len(found) - SHOWN
    return shown + (f"; and {rest} more" if rest > 0 else "")

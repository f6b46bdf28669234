"""The human form of an apply's outcome: every step with its status, and why when it did not
happen, so a failed apply says exactly what was done, what was not, and the reason."""

from __future__ import annotations

from typing import Any

from reconciler.address import Address
from reconciler.report.plan_text import Style, plain

MARKS = {"done": ("done", "green"), "failed": ("FAILED", "red"), "skipped": ("skipped", "yellow")}


def step_line(step: dict[str, Any], *, style: Style = plain) -> str:
    mark, colour = MARKS[step["status"]]
    resource = Address.parse(step["address"]).kind == step["step"]  # the resource itself
    label = step["address"] if resource else f"{step['address']}.{step['step']}"
    reason = f": {step['reason']}" if step.get("reason") else ""
    return f"  {style(mark, colour)} {label} ({step['action']}){reason}"


def _not_started(steps: list[dict[str, Any]], style: Style) -> list[str]:
    """Steps that did not run, one line per resource and reason (not one per step)."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for step in steps:
        if step["status"] == "skipped":
            key = (step["address"], step.get("reason") or "")
            grouped.setdefault(key, []).append(step["step"])
    mark = style("not started", "yellow")
    return [
        f"  {mark} {address}: {', '.join(names)}" + (f" ({reason})" if reason else "")
        for (address, reason), names in grouped.items()
    ]


def render(
    steps: list[dict[str, Any]],
    *,
    style: Style = plain,
    interrupted: bool = False,
    shown: bool = False,
) -> str:
    """The outcome. ``shown``: each finished step was printed as it finished (on a terminal),
    so only what did not run and the summary follow."""
    counts = {status: sum(1 for s in steps if s["status"] == status) for status in MARKS}
    finished = [s for s in steps if s["status"] != "skipped"]
    lines = [] if shown else ["Apply results:"] + [step_line(s, style=style) for s in finished]
    lines += _not_started(steps, style)
    if interrupted:
        lines.append(
            f"Apply interrupted: {counts['done']} step(s) done, {counts['failed']} failed, "
            f"{counts['skipped']} not started. Run apply again: it continues from where this "
            "stopped."
        )
    elif counts["failed"] or counts["skipped"]:
        lines.append(
            f"Apply failed: {counts['done']} step(s) done, {counts['failed']} failed, "
            f"{counts['skipped']} skipped. Fix the cause and run apply again: it continues "
            "from where this stopped."
        )
    else:
        lines.append(f"Apply complete: {counts['done']} step(s) done.")
    return "\n".join(lines) + "\n"

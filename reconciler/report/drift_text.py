"""The human form of a drift report, drawn from its JSON form: a headline with the counts, then
each resource that is not in sync with its differences (expected, then actual)."""

from __future__ import annotations

from typing import Any

from reconciler.report import values
from reconciler.report.plan_text import Style, diagnostic_lines, plain

MARKS = {
    "in_sync": ("=", "green"),
    "drifted": ("~", "yellow"),
    "missing": ("!", "red"),
    "unmanaged": ("?", "cyan"),
    "error": ("x", "red"),
}
#: An in-sync resource shown for its unmanaged aspects (``--all-aspects``): seen, not drift.
UNMANAGED_ASPECTS = ("=", "cyan")


def summary_line(report: dict[str, Any]) -> str:
    s = report["summary"]
    unmanaged = f"; {s['unmanaged']} unmanaged" if report.get("include_unmanaged") else ""
    errors = f", {s['error']} could not be read" if s.get("error") else ""
    aspects = (
        f"; {s['unmanaged_aspects']} with aspects set that the spec does not manage"
        if "unmanaged_aspects" in s
        else ""
    )
    return (
        f"Drift for stack {report['stack']}: {s['drifted']} drifted, {s['missing']} missing, "
        f"{s['in_sync']} in sync{errors} of {s['managed']} managed{unmanaged}{aspects}."
    )


def aspects_note(resource: dict[str, Any]) -> str:
    """What a resource's line adds for its unmanaged aspects (``""``: it has none)."""
    count = sum(1 for d in resource["differences"] if d["type"] == "unmanaged_aspect")
    if not count:
        return ""
    return f", {count} unmanaged aspect{'s' if count != 1 else ''} set (not drift)"


def difference_lines(entry: dict[str, Any]) -> list[str]:
    """One difference, every value whole: on one line when they fit, else a line diff from
    what the spec expects (``-``) to what is live (``+``)."""
    path, expected, actual = entry["path"], entry["expected"], entry["actual"]
    short_expected, short_actual = values.inline(expected), values.inline(actual)
    if expected is None and short_actual is not None:
        return [f"{path}: not in the spec, live has {short_actual}"]
    if actual is None and short_expected is not None:
        return [f"{path}: expected {short_expected}, live has none"]
    if short_expected is not None and short_actual is not None:
        return [f"{path}: expected {short_expected}, live has {short_actual}"]
    if expected is None:
        return [
            f"{path}: not in the spec, live has:",
            *values.diff_text(None, actual, indent="    "),
        ]
    if actual is None:
        return [
            f"{path}: live has none, the spec expects:",
            *values.diff_text(expected, None, indent="    "),
        ]
    return [
        f"{path}: differs (- expected by the spec, + live):",
        *values.diff_text(expected, actual, indent="    "),
    ]


def render(report: dict[str, Any], *, style: Style = plain) -> str:
    lines = [summary_line(report)]
    for resource in report["resources"]:
        if resource["status"] == "in_sync" and not resource["differences"]:
            continue  # (an in-sync one is shown for its unmanaged aspects, with --all-aspects)
        mark, colour = MARKS[resource["status"]]
        if resource["status"] == "in_sync":
            mark, colour = UNMANAGED_ASPECTS  # in sync, with aspects the spec leaves out
        known = f" ({resource['id']})" if resource.get("id") else ""
        reason = f": {resource['reason']}" if resource.get("reason") else ""
        status = resource["status"] + aspects_note(resource)
        lines.append("")
        lines.append(f"  {style(mark, colour)} {resource['address']}{known} {status}{reason}")
        lines += [f"      {line}" for d in resource["differences"] for line in difference_lines(d)]
    lines += diagnostic_lines(report.get("diagnostics") or [], style)
    return "\n".join(lines) + "\n"

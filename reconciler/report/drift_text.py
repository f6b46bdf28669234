"""The human form of a drift report, drawn from its JSON form: a headline with the counts, then
each resource that is not in sync with its differences (expected, then actual)."""

from __future__ import annotations

from typing import Any

from reconciler.report.plan_text import Style, diagnostic_lines, plain, value_text

MARKS = {"drifted": ("~", "yellow"), "missing": ("!", "red"), "unmanaged": ("?", "cyan")}


def summary_line(report: dict[str, Any]) -> str:
    s = report["summary"]
    unmanaged = f"; {s['unmanaged']} unmanaged" if report.get("include_unmanaged") else ""
    return (
        f"Drift for stack {report['stack']}: {s['drifted']} drifted, {s['missing']} missing, "
        f"{s['in_sync']} in sync of {s['managed']} managed{unmanaged}."
    )


def _difference(entry: dict[str, Any]) -> str:
    path, expected, actual = entry["path"], entry["expected"], entry["actual"]
    if expected is None:
        return f"{path}: not in the spec, live has {value_text(actual)}"
    if actual is None:
        return f"{path}: expected {value_text(expected)}, live has none"
    return f"{path}: expected {value_text(expected)}, live has {value_text(actual)}"


def render(report: dict[str, Any], *, style: Style = plain) -> str:
    lines = [summary_line(report)]
    for resource in report["resources"]:
        if resource["status"] == "in_sync":
            continue
        mark, colour = MARKS[resource["status"]]
        known = f" ({resource['id']})" if resource.get("id") else ""
        reason = f": {resource['reason']}" if resource.get("reason") else ""
        lines.append("")
        lines.append(
            f"  {style(mark, colour)} {resource['address']}{known} {resource['status']}{reason}"
        )
        lines += [f"      {_difference(d)}" for d in resource["differences"]]
    lines += diagnostic_lines(report.get("diagnostics") or [], style)
    return "\n".join(lines) + "\n"

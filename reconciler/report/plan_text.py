"""The human form of a plan, drawn from its JSON form (the same document ``--format json``
prints and plan files hold), in the manner of ``terraform plan``: one block per resource with
its action symbol, attribute-level changes for updates, the diagnostics, and a summary line."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

SYMBOLS = {
    "create": "+",
    "update": "~",
    "delete": "-",
    "replace": "-/+",
    "adopt": "=",
}
COLOURS = {"+": "green", "~": "yellow", "-": "red", "-/+": "red", "=": "cyan"}
VALUE_WIDTH = 100
INLINE_WIDTH = 90

Style = Callable[[str, str | None], str]


def plain(text: str, colour: str | None) -> str:
    return text


def value_text(value: Any) -> str:
    text = json.dumps(value, sort_keys=False, ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 3] + "..."


def _headline(change: dict[str, Any]) -> str:
    address, action = change["address"], change["action"]
    reason = f" ({change['reason']})" if change.get("reason") else ""
    known = f" ({change['id']})" if change.get("id") else ""
    if action == "create" and change.get("region"):
        return f"{address} will be created in {change['region']}{reason}"
    if action == "create":
        return f"{address} will be created{reason}"
    if action == "delete" and change.get("kind") == "distribution":
        return f"{address}{known} will be disabled, then deleted{reason}"
    if action == "delete":
        emptied = ", with every object version" if change.get("force_destroy") else ""
        return f"{address} will be deleted{emptied}{reason}"
    if action == "replace":
        return (
            f"{address} will be replaced: deleted in {change.get('previous_region')} with every "
            f"object, created in {change.get('region')}{reason}"
        )
    if action == "adopt":
        return f"{address}{known} will be adopted{reason}"
    return f"{address}{known} will be updated in place"


def _diff_line(entry: dict[str, Any], style: Style) -> str:
    path = entry["path"] or "(value)"
    before, after = entry["before"], entry["after"]
    if before is None:
        return style("+", "green") + f" {path}: {value_text(after)}"
    if after is None:
        return style("-", "red") + f" {path}: {value_text(before)}"
    return style("~", "yellow") + f" {path}: {value_text(before)} -> {value_text(after)}"


def leaves(value: Any, path: str = "") -> list[tuple[str, Any]]:
    """A nested value as (path, scalar) pairs, in document order."""
    if isinstance(value, dict) and value:
        out: list[tuple[str, Any]] = []
        for key, item in value.items():
            out += leaves(item, f"{path}.{key}" if path else str(key))
        return out
    if isinstance(value, list) and value:
        out = []
        for index, item in enumerate(value):
            out += leaves(item, f"{path}[{index}]")
        return out
    return [(path, value)]


def _value_lines(symbol: str, name: str, value: Any, style: Style) -> list[str]:
    mark = style(symbol, COLOURS.get(symbol))
    text = value_text(value)
    if len(f"{name}: {text}") <= INLINE_WIDTH:
        return [f"{mark} {name}: {text}"]
    return [f"{mark} {name}:"] + [f"    {path}: {value_text(leaf)}" for path, leaf in leaves(value)]


def _aspect_lines(aspect: dict[str, Any], resource_action: str, style: Style) -> list[str]:
    name = aspect["aspect"]
    if resource_action in ("create", "replace") or not aspect["diff"]:
        symbol = "+" if aspect["action"] == "create" else SYMBOLS.get(aspect["action"], "~")
        return _value_lines(symbol, name, aspect["after"], style)
    symbol = {"create": "+", "delete": "-"}.get(aspect["action"], "~")
    lines = [style(symbol, COLOURS.get(symbol)) + f" {name}"]
    lines += ["    " + _diff_line(entry, style) for entry in aspect["diff"]]
    return lines


def diagnostic_lines(diagnostics: list[dict[str, Any]], style: Style) -> list[str]:
    """``FILE:LINE:COL: ADDRESS: severity: summary`` per diagnostic, after a blank line."""
    lines = [""] if diagnostics else []
    for diag in diagnostics:
        where = f"{diag['position']}: " if diag.get("position") else ""
        colour = "red" if diag["severity"] == "error" else "yellow"
        lines.append(
            f"{where}{diag['address']}: {style(diag['severity'], colour)}: {diag['summary']}"
        )
    return lines


def summary_line(summary: dict[str, int]) -> str:
    return (
        f"Plan: {summary['create']} to create, {summary['update']} to update, "
        f"{summary['adopt']} to adopt, {summary['replace']} to replace, "
        f"{summary['delete']} to delete; {summary['no_op']} unchanged."
    )


def render(plan: dict[str, Any], *, style: Style = plain) -> str:
    lines: list[str] = []
    changes = plan["changes"]
    target = f", limited to {', '.join(plan['targets'])}" if plan.get("targets") else ""
    if not changes:
        lines.append(
            f"No changes for stack {plan['stack']}{target}: the live state matches the spec."
        )
    else:
        lines.append(f"Changes for stack {plan['stack']}{target}, in the order they apply:")
        for change in changes:
            symbol = SYMBOLS[change["action"]]
            lines.append("")
            lines.append(f"  {style(symbol, COLOURS[symbol])} " + _headline(change))
            if change["depends_on"]:
                lines.append(f"      after: {', '.join(change['depends_on'])}")
            for aspect in change["aspects"]:
                lines += [
                    "      " + line for line in _aspect_lines(aspect, change["action"], style)
                ]
    lines += diagnostic_lines(plan["diagnostics"], style)
    lines.append("")
    lines.append(summary_line(plan["summary"]))
    return "\n".join(lines) + "\n"

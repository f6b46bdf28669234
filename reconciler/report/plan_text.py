"""The human form of a plan, drawn from its JSON form (the same document ``--format json``
prints and plan files hold), in the manner of ``terraform plan``: one block per resource with
its action symbol, attribute-level changes for updates, the diagnostics, and a summary line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reconciler.plan.differ import resource_path, shown
from reconciler.report import values

SYMBOLS = {
    "create": "+",
    "update": "~",
    "delete": "-",
    "replace": "-/+",
    "adopt": "=",
}
COLOURS = {"+": "green", "~": "yellow", "-": "red", "-/+": "red", "=": "cyan"}

Style = Callable[[str, str | None], str]


def plain(text: str, colour: str | None) -> str:
    return text


def value_diff(before: Any, after: Any, style: Style, *, indent: str) -> list[str]:
    """A long value's change, written out whole as a coloured line diff."""
    colours = {"-": "red", "+": "green"}
    out = []
    for line in values.diff(before, after):
        if line.mark == "#":
            out.append(f"{indent}  # {line.text}")
        else:
            out.append(f"{indent}{style(line.mark, colours.get(line.mark))} {line.text}")
    return out


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


def change_lines(path: str, before: Any, after: Any, style: Style) -> list[str]:
    """One change: on one line when both values fit, else a header and the whole line diff."""
    short_before, short_after = values.inline(before), values.inline(after)
    if before is None and short_after is not None:
        return [style("+", "green") + f" {path}: {short_after}"]
    if after is None and short_before is not None:
        return [style("-", "red") + f" {path}: {short_before}"]
    if short_before is not None and short_after is not None:
        return [style("~", "yellow") + f" {path}: {short_before} -> {short_after}"]
    symbol = "+" if before is None else "-" if after is None else "~"
    return [
        style(symbol, COLOURS[symbol]) + f" {path}:",
        *value_diff(before, after, style, indent="    "),
    ]


def _value_lines(symbol: str, name: str, value: Any, style: Style) -> list[str]:
    mark = style(symbol, COLOURS.get(symbol))
    short = values.inline(value)
    if short is not None:
        return [f"{mark} {name}: {short}"]
    return [f"{mark} {name}:"] + [f"    {line}" for line in values.lines(value)]


def _aspect_lines(aspect: dict[str, Any], change: dict[str, Any], style: Style) -> list[str]:
    name = aspect["aspect"]
    resource_action = change["action"]
    if resource_action in ("create", "replace") or not aspect["diff"]:
        symbol = "+" if aspect["action"] == "create" else SYMBOLS.get(aspect["action"], "~")
        return _value_lines(symbol, name, aspect["after"], style)
    entries = aspect["diff"]
    if len(entries) == 1 and not entries[0]["path"]:
        # A value compared whole (versioning, ownership): the aspect is the path.
        entry = entries[0]
        before, after = shown(entry["before"], entry["after"], aspect["before"], aspect["after"])
        return change_lines(name, before, after, style)
    symbol = {"create": "+", "delete": "-"}.get(aspect["action"], "~")
    lines = [style(symbol, COLOURS.get(symbol)) + f" {name}"]
    for entry in entries:
        path = resource_path(change["kind"], name, entry["path"])
        lines += [
            "    " + line for line in change_lines(path, entry["before"], entry["after"], style)
        ]
    return lines


def diagnostic_lines(diagnostics: list[dict[str, Any]], style: Style) -> list[str]:
    """``FILE:LINE:COL: severity: ADDRESS: summary`` per diagnostic (the layout of the spec's
    own warnings), after a blank line."""
    lines = [""] if diagnostics else []
    for diag in diagnostics:
        where = f"{diag['position']}: " if diag.get("position") else ""
        colour = "red" if diag["severity"] == "error" else "yellow"
        lines.append(
            f"{where}{style(diag['severity'], colour)}: {diag['address']}: {diag['summary']}"
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
    errors = sum(1 for d in plan["diagnostics"] if d["severity"] == "error")
    if errors:
        lines.append(
            f"The plan for stack {plan['stack']}{target} has {errors} error(s), listed below: "
            "it cannot be applied."
        )
    elif not changes:
        lines.append(
            f"No changes for stack {plan['stack']}{target}: the live state matches the spec."
        )
    if changes:
        lines.append(f"Changes for stack {plan['stack']}{target}, in the order they apply:")
        for change in changes:
            symbol = SYMBOLS[change["action"]]
            lines.append("")
            lines.append(f"  {style(symbol, COLOURS[symbol])} " + _headline(change))
            if change["depends_on"]:
                lines.append(f"      after: {', '.join(change['depends_on'])}")
            for aspect in change["aspects"]:
                lines += ["      " + line for line in _aspect_lines(aspect, change, style)]
    lines += diagnostic_lines(plan["diagnostics"], style)
    lines.append("")
    lines.append(summary_line(plan["summary"]))
    return "\n".join(lines) + "\n"

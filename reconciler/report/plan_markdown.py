"""A plan in Markdown, for a pull-request comment: a summary table, a collapsible section per
resource with its attribute-level changes, and the diagnostics. It is drawn from the plan's JSON
form alone and holds nothing that changes between runs (no times, no request counts, no live
fingerprints), so a bot can find its comment by the first line and update it in place."""

from __future__ import annotations

from typing import Any

from reconciler.plan.differ import resource_path
from reconciler.report.markup import (
    COMMENT_BUDGET,
    is_long,
    md_code,
    md_diagnostics,
    md_fit,
    md_long,
    md_sentence,
    md_text,
    md_value,
)
from reconciler.report.plan_text import SYMBOLS

#: Where every resource of a plan too long for one comment can be read.
WHOLE_PLAN = (
    "The saved plan file (plan --out, kept as the CI artifact) holds every one: "
    "reconciler show PLAN prints it."
)

VERBS = {
    "create": "create",
    "update": "update",
    "adopt": "adopt",
    "replace": "replace",
    "delete": "delete",
    "no_op": "unchanged",
}


def _summary(summary: dict[str, int]) -> list[str]:
    lines = ["| action | resources |", "|---|---:|"]
    lines += [f"| {VERBS[k]} | {summary[k]} |" for k in VERBS]
    return lines


def _entries(aspect: dict[str, Any], change: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(path, before, after) for each change of an aspect."""
    name = aspect["aspect"]
    if change["action"] in ("create", "replace") or not aspect["diff"]:
        return [(name, None, aspect["after"])]
    return [
        (resource_path(change["kind"], name, d["path"]), d["before"], d["after"])
        for d in aspect["diff"]
    ]


def _row(*cells: str) -> str:
    return "|" + "|".join(f" {cell} " if cell else " " for cell in cells) + "|"


def _details(change: dict[str, Any]) -> list[str]:
    action = change["action"]
    known = f" ({md_text(change['id'])})" if change.get("id") else ""
    region = change.get("region") if action != "delete" else None
    where = f" in {md_text(region)}" if region else ""
    lines = [
        "<details>",
        f"<summary><code>{SYMBOLS[action]}</code> {md_code(change['address'])}{known}: "
        f"{VERBS[action]}{where}</summary>",
        "",
    ]
    if change.get("reason"):
        lines += [md_sentence(change["reason"]), ""]
    if change["depends_on"]:
        lines += ["After " + ", ".join(md_code(d) for d in change["depends_on"]) + ".", ""]
    entries = [e for aspect in change["aspects"] for e in _entries(aspect, change)]
    if entries:
        lines += ["| attribute | before | after |", "|---|---|---|"]
        lines += [
            _row(md_code(path), "" if before is None else md_value(before), md_value(after))
            for path, before, after in entries
        ]
        lines.append("")
        for path, before, after in entries:
            if is_long(before) or is_long(after):
                lines += md_long(path, before, after, legend="- before, + after")
    lines += ["</details>", ""]
    return lines


def render(plan: dict[str, Any], *, budget: int = COMMENT_BUDGET) -> str:
    """The Markdown; past ``budget`` characters the remaining resources are only counted."""
    changes = plan["changes"]
    target = (
        " (limited to " + ", ".join(md_code(t) for t in plan["targets"]) + ")"
        if plan.get("targets")
        else ""
    )
    s = plan["summary"]
    errors = sum(1 for d in plan["diagnostics"] if d["severity"] == "error")
    verdict = (
        f"**{s['create']} to create, {s['update']} to update, {s['adopt']} to adopt, "
        f"{s['replace']} to replace, {s['delete']} to delete**; {s['no_op']} unchanged."
        if changes
        else "No changes: the live state matches the spec."
    )
    if errors:
        verdict = f"**{errors} error(s): this plan cannot be applied** (see Diagnostics). " + (
            verdict if changes else ""
        )
    lines = [
        f"<!-- reconciler plan: stack {md_text(plan['stack'])} -->",
        f"## Plan for stack {md_code(plan['stack'])}{target}",
        "",
        verdict,
        "",
        *_summary(s),
        "",
    ]
    sections = [_details(c) for c in changes]
    tail = md_diagnostics(plan["diagnostics"])
    return md_fit(lines, sections, tail, budget=budget, noun="resource(s)", whole=WHOLE_PLAN)

"""A drift report in Markdown, for a pull-request comment or a CI job summary: a summary table,
then a collapsible section per resource that is drifted, missing or unmanaged. Nothing in it
changes from run to run unless the drift does (no times, no counts of requests)."""

from __future__ import annotations

from typing import Any

from reconciler.drift import LABELS, TYPE_WORDS
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

WHOLE_REPORT = "The JSON and HTML forms of the report (drift --format json|html) hold every one."

ICONS = {"in_sync": "✅", "drifted": "⚠️", "missing": "❌", "unmanaged": "❔", "error": "⛔"}
#: A resource's aspects that are set and not managed by the spec (``--all-aspects``).
UNMANAGED_ICON = "🔎"


def _summary(report: dict[str, Any]) -> list[str]:
    s = report["summary"]
    statuses = ["in_sync", "drifted", "missing"]
    if report.get("include_unmanaged"):
        statuses.append("unmanaged")
    if s.get("error"):
        statuses.append("error")
    lines = ["| status | resources |", "|---|---:|"]
    lines += [f"| {ICONS[k]} {LABELS[k]} | {s[k]} |" for k in statuses]
    lines.append(f"| managed in all | {s['managed']} |")
    if "unmanaged_aspects" in s:
        lines.append(f"| {UNMANAGED_ICON} with unmanaged aspects set | {s['unmanaged_aspects']} |")
    return lines


def _details(resource: dict[str, Any]) -> list[str]:
    status = resource["status"]
    known = f" ({md_text(resource['id'])})" if resource.get("id") else ""
    count = len(resource["differences"])
    noun = "difference" if count == 1 else "differences"
    what = f"{count} {noun}" if count else LABELS[status]
    icon = ICONS[status]
    if status == "in_sync" and count:
        icon, what = UNMANAGED_ICON, f"in sync; {count} unmanaged aspect(s) set (not drift)"
    lines = [
        "<details>",
        f"<summary>{icon} {md_code(resource['address'])}{known}: {what}</summary>",
        "",
    ]
    if resource.get("reason"):
        lines += [md_sentence(resource["reason"]), ""]
    if resource["differences"]:
        lines += ["| path | expected (spec) | actual (live) | difference |", "|---|---|---|---|"]
        lines += [
            f"| {md_code(d['path'])} | {md_value(d['expected'])} | {md_value(d['actual'])} "
            f"| {TYPE_WORDS.get(d['type'], d['type'])} |"
            for d in resource["differences"]
        ]
        lines.append("")
        for d in resource["differences"]:
            if is_long(d["expected"]) or is_long(d["actual"]):
                lines += md_long(
                    d["path"], d["expected"], d["actual"], legend="- expected by the spec, + live"
                )
    lines += ["</details>", ""]
    return lines


def aspects_verdict(s: dict[str, int]) -> str:
    """What the verdict adds for resources with unmanaged aspects set (``--all-aspects``)."""
    found = s.get("unmanaged_aspects")
    if not found:
        return ""
    return (
        f" {found} with aspects set that the spec does not manage (not drift; "
        "drift --fail-on-unmanaged-aspects fails on them)."
    )


def unread_verdict(s: dict[str, int], verdict: str) -> str:
    """The verdict when some resources could not be read: never "all in sync"."""
    unread = f"{s['error']} of {s['managed']} managed resources could not be read."
    if s["drifted"] or s["missing"]:
        return f"{verdict} {unread}"
    return f"{unread} The other {s['managed'] - s['error']} are in sync with the spec."


def render(report: dict[str, Any], *, budget: int = COMMENT_BUDGET) -> str:
    """The Markdown; past ``budget`` characters the remaining resources are only counted."""
    s = report["summary"]
    verdict = (
        f"**{s['drifted']} drifted, {s['missing']} missing** of {s['managed']} managed resources."
        if s["drifted"] or s["missing"]
        else f"All {s['managed']} managed resources are in sync with the spec."
    )
    if s.get("error"):
        verdict = unread_verdict(s, verdict)
    verdict += aspects_verdict(s)
    lines = [
        f"<!-- reconciler drift: stack {md_text(report['stack'])} -->",
        f"## Drift report for stack {md_code(report['stack'])}",
        "",
        verdict,
        "",
        *_summary(report),
        "",
    ]
    sections = [
        _details(r) for r in report["resources"] if r["status"] != "in_sync" or r["differences"]
    ]
    tail = md_diagnostics(report.get("diagnostics") or [])
    return md_fit(lines, sections, tail, budget=budget, noun="resource(s)", whole=WHOLE_REPORT)

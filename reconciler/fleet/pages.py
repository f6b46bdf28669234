"""The fleet report as Markdown (a CI job summary, a pull-request comment) and as one
self-contained HTML page: the verdict and StackSets-style counts, the failing targets first
(why, and what kind of failure), rollups by account, region and OU, then each drifted
target's resources as the drift report shows them (`reconciler.report.drift_markdown` and
`drift_html` draw each resource's section). Every value is escaped."""

from __future__ import annotations

import html
from typing import Any

from reconciler.drift import STATUSES
from reconciler.fleet.render import LABELS, kinds, outcome_label, summary_line
from reconciler.report import drift_html, drift_markdown
from reconciler.report.markup import COMMENT_BUDGET, md_code, md_fit, md_text

OUTCOMES = ("succeeded", "in_sync", "drifted", "failed", "not_started")
ICONS = {"succeeded": "✅", "in_sync": "✅", "drifted": "⚠️", "failed": "⛔", "not_started": "⏸️"}
COLOURS = {
    "succeeded": "#2e7d32",
    "in_sync": "#2e7d32",
    "drifted": "#b26a00",
    "failed": "#c62828",
    "not_started": "#546e7a",
}
ROLLUPS = (("account", "By account"), ("region", "By region"), ("ou", "By OU"))
WHOLE = "The JSON and HTML forms of the fleet report (merge --format json|html) hold every one."


def _name(target: dict[str, Any]) -> str:
    return target.get("account_name") or ""


def _shown_outcomes(report: dict[str, Any]) -> list[str]:
    counts = report["counts"]
    return [o for o in OUTCOMES if counts[o] or o == "failed"]


def _resources_not_in_sync(target: dict[str, Any]) -> list[dict[str, Any]]:
    report = target.get("report") or {}
    return [r for r in report.get("resources", []) if r["status"] != "in_sync" or r["differences"]]


# -- Markdown --------------------------------------------------------------------------------


def _md_counts(report: dict[str, Any]) -> list[str]:
    command = report["command"]
    lines = ["| targets | count |", "|---|---:|"]
    lines += [
        f"| {ICONS[o]} {outcome_label(o, command)} | {report['counts'][o]} |"
        for o in _shown_outcomes(report)
    ]
    return [*lines, f"| total | {report['counts']['total']} |"]


def _md_failing(report: dict[str, Any]) -> list[str]:
    failing = [t for t in report["targets"] if t["outcome"] in ("failed", "not_started")]
    if not failing:
        return []
    lines = ["### Failing targets", "", "| target | account | OU | outcome | reason |"]
    lines.append("|---|---|---|---|---|")
    for t in failing:
        outcome = LABELS[t["outcome"]] + (f" ({t['error_kind']})" if t.get("error_kind") else "")
        lines.append(
            f"| {md_code(t['target'])} | {md_text(_name(t))} | {md_text(t.get('ou') or '')} "
            f"| {ICONS[t['outcome']]} {outcome} | {md_text(t.get('reason') or '')} |"
        )
    return [*lines, ""]


def _md_rollups(report: dict[str, Any]) -> list[str]:
    command = report["command"]
    head = "| {} | " + " | ".join(outcome_label(o, command) for o in OUTCOMES) + " | total |"
    lines: list[str] = []
    for kind, title in ROLLUPS:
        rows = report["rollups"][kind]
        lines += ["<details>", f"<summary>{title} ({len(rows)})</summary>", ""]
        lines += [head.format(kind), "|---|" + "---:|" * (len(OUTCOMES) + 1)]
        lines += [
            f"| {md_code(key)} | " + " | ".join(str(c[o]) for o in OUTCOMES) + f" | {c['total']} |"
            for key, c in rows.items()
        ]
        lines += ["", "</details>", ""]
    return lines


def _md_target(target: dict[str, Any], command: str) -> list[str]:
    name = f" ({md_text(_name(target))})" if _name(target) else ""
    if command == "drift":
        resources = _resources_not_in_sync(target)
        lines = [
            "<details>",
            f"<summary>{ICONS[target['outcome']]} {md_code(target['target'])}{name}: "
            f"{len(resources)} resource(s) not in sync</summary>",
            "",
        ]
        for resource in resources:
            lines += drift_markdown._details(resource)
        return [*lines, "</details>", ""]
    changes = (target.get("report") or {}).get("changes", [])
    lines = [
        "<details>",
        f"<summary>{ICONS[target['outcome']]} {md_code(target['target'])}{name}: "
        f"{len(changes)} change(s)</summary>",
        "",
    ]
    lines += [
        f"- {c['action']} {md_code(c['address'])}"
        + (f" ({md_text(', '.join(c['aspects']))})" if c.get("aspects") else "")
        for c in changes
    ]
    return [*lines, "", "</details>", ""]


def render_markdown(report: dict[str, Any], *, budget: int = COMMENT_BUDGET) -> str:
    stack = f" for stack {md_code(report['stack'])}" if report.get("stack") else ""
    marker = f"{report['command']}: stack {report.get('stack') or ''}"
    head = [
        f"<!-- reconciler fleet {md_text(marker)} -->",
        f"## Fleet {md_text(report['command'])}{stack}: {report['status']}",
        "",
        md_text(summary_line(report)),
        "",
        *_md_counts(report),
        "",
    ]
    if report["problems"]:
        head += ["**Problems:**", "", *[f"- {md_text(p)}" for p in report["problems"]], ""]
    head += _md_failing(report)
    head += _md_rollups(report)
    drifted = [t for t in report["targets"] if t["outcome"] == "drifted"]
    if drifted:
        label = "Targets with changes pending" if report["command"] == "plan" else "Drifted targets"
        head += [f"### {label}", ""]
    sections = [_md_target(t, report["command"]) for t in drifted]
    return md_fit(head, sections, [], budget=budget, noun="target(s)", whole=WHOLE)


# -- HTML ------------------------------------------------------------------------------------

CSS = """
.rollups { display: flex; gap: 1.5rem; flex-wrap: wrap; align-items: flex-start; }
.rollups table { width: auto; }
td.n { text-align: right; }
.problem { color: #c62828; }
section.target > h2 { margin-bottom: .25rem; }
section.target section.resource { margin-top: .75rem; }
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _status_badge(outcome: str, command: str) -> str:
    return f'<span class="status">{_e(outcome_label(outcome, command))}</span>'


def _html_counts(report: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><td>{_e(outcome_label(o, report['command']))}</td>"
        f'<td class="n">{report["counts"][o]}</td></tr>'
        for o in _shown_outcomes(report)
    )
    total = f'<tr><th>total</th><th class="n">{report["counts"]["total"]}</th></tr>'
    return (
        '<table class="counts"><thead><tr><th>targets</th><th>count</th></tr></thead>'
        f"<tbody>{rows}{total}</tbody></table>"
    )


def _resource_chart(report: dict[str, Any]) -> str:
    """The drift renderer's chart, of every target's resources together (drift only)."""
    if report["command"] != "drift":
        return ""
    summary = dict.fromkeys(STATUSES, 0)
    for target in report["targets"]:
        for status, found in ((target.get("report") or {}).get("summary") or {}).items():
            if status in summary:
                summary[status] += found
    statuses = [s for s in STATUSES if summary[s] or s in ("in_sync", "drifted", "missing")]
    return drift_html.chart(summary, statuses)


def _html_rollups(report: dict[str, Any]) -> str:
    command = report["command"]
    tables = []
    for kind, title in ROLLUPS:
        head = "".join(f"<th>{_e(outcome_label(o, command))}</th>" for o in OUTCOMES)
        rows = "".join(
            f"<tr><td><code>{_e(key)}</code></td>"
            + "".join(f'<td class="n">{c[o]}</td>' for o in OUTCOMES)
            + f'<td class="n">{c["total"]}</td></tr>'
            for key, c in report["rollups"][kind].items()
        )
        tables.append(
            f"<div><h2>{_e(title)}</h2><table><thead><tr><th>{_e(kind)}</th>{head}"
            f"<th>total</th></tr></thead><tbody>{rows}</tbody></table></div>"
        )
    return '<div class="rollups">' + "".join(tables) + "</div>"


def _html_target(target: dict[str, Any], command: str) -> str:
    outcome = target["outcome"]
    name = f" ({_e(_name(target))})" if _name(target) else ""
    where = " ".join(
        f"{label} <code>{_e(target[key])}</code>"
        for key, label in (("ou", "OU"), ("shard", "shard"))
        if target.get(key)
    )
    kind = f" ({_e(target['error_kind'])})" if target.get("error_kind") else ""
    parts = [
        f'<section class="resource target" style="--c: {COLOURS[outcome]}">',
        f"<h2><code>{_e(target['target'])}</code>{name}{_status_badge(outcome, command)}</h2>",
        f'<p class="reason">{_e(where)}</p>' if where else "",
    ]
    if target.get("reason"):
        parts.append(f'<p class="reason">{kind.strip()} {_e(target["reason"])}</p>')
    if command == "drift":
        parts += [drift_html._resource(r) for r in _resources_not_in_sync(target)]
    else:
        changes = (target.get("report") or {}).get("changes", [])
        if changes and outcome != "succeeded":
            parts.append(
                "<ul>"
                + "".join(
                    f"<li>{_e(c['action'])} <code>{_e(c['address'])}</code></li>" for c in changes
                )
                + "</ul>"
            )
    parts.append("</section>")
    return "\n".join(p for p in parts if p)


def render_html(report: dict[str, Any]) -> str:
    command = report["command"]
    stack = f" for stack <code>{_e(report['stack'])}</code>" if report.get("stack") else ""
    by_kind = kinds(report)
    failing = [t for t in report["targets"] if t["outcome"] in ("failed", "not_started")]
    drifted = [t for t in report["targets"] if t["outcome"] == "drifted"]
    quiet = [t for t in report["targets"] if t["outcome"] in ("succeeded", "in_sync")]
    body = [
        f"<h1>Fleet {_e(command)}{stack}: {_e(report['status'])}</h1>",
        f'<p class="verdict">{_e(summary_line(report))}</p>',
        *[f'<p class="problem">{_e(p)}</p>' for p in report["problems"]],
        '<div class="overview">',
        _resource_chart(report),
        _html_counts(report),
        "</div>",
    ]
    if by_kind:
        body.append(
            "<p>Failures by kind: "
            + ", ".join(f"{_e(k)} {n}" for k, n in sorted(by_kind.items()))
            + ".</p>"
        )
    if failing:
        body += ["<h2>Failing targets</h2>", *[_html_target(t, command) for t in failing]]
    body.append(_html_rollups(report))
    if drifted:
        body += ["<h2>Drifted targets</h2>", *[_html_target(t, command) for t in drifted]]
    if quiet:
        body.append(
            f'<p class="insync">{_e(", ".join(sorted({LABELS[t["outcome"]] for t in quiet})))}: '
            + ", ".join(f"<code>{_e(t['target'])}</code>" for t in quiet)
            + ".</p>"
        )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Fleet {_e(command)}: {_e(report.get('stack') or '')}</title>"
        f"<style>{drift_html.CSS}{CSS}</style></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )

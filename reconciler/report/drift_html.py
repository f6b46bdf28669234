"""A drift report as one self-contained HTML page: inline CSS, an inline SVG chart of the counts,
then per resource that is not in sync its differences with expected and actual side by side.
No script, no font, no image and no link leaves the page; it prints on white paper, each
resource kept on one page where it fits. Every value is escaped."""

from __future__ import annotations

import html
import json
from typing import Any

from reconciler.drift import LABELS, TYPE_WORDS, RunContext, has_unmanaged_aspects
from reconciler.report.drift_markdown import aspects_verdict, unread_verdict

COLOURS = {
    "in_sync": "#2e7d32",
    "drifted": "#b26a00",
    "missing": "#c62828",
    "unmanaged": "#546e7a",
    "error": "#6a1b9a",
}
#: An in-sync resource with aspects set that the spec leaves out: seen, not drift.
UNMANAGED_ASPECTS = "#1565c0"
UNMANAGED_LABEL = "in sync, unmanaged aspects set"

CSS = """
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1c1c1c;
       margin: 2rem auto; max-width: 72rem; padding: 0 1.5rem; background: #fff; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 0; }
.verdict { font-size: 1.05rem; margin: .25rem 0 .5rem; }
.made { color: #555; margin: .25rem 0 .75rem; font-size: .9rem; }
.fix { margin: 0 0 1.25rem; }
.contents ul { columns: 2; padding-left: 1.2rem; margin: .25rem 0 1.5rem; }
.contents a { color: inherit; }
.overview { display: flex; gap: 2rem; align-items: center; flex-wrap: wrap; margin-bottom: 1.5rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .35rem .6rem;
         border-bottom: 1px solid #ddd; }
th { background: #f3f3f3; font-weight: 600; }
.counts td:last-child, .counts th:last-child { text-align: right; }
.counts { width: auto; min-width: 14rem; }
section.resource { border: 1px solid #ccc; border-left: 6px solid var(--c); border-radius: 4px;
                   padding: .75rem 1rem; margin: 0 0 1rem; break-inside: avoid; }
.status { display: inline-block; color: #fff; background: var(--c); border-radius: 3px;
          padding: 0 .45rem; font-size: .85rem; margin-left: .5rem; }
.reason { color: #444; margin: .35rem 0 .5rem; }
code, pre { font: 13px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
pre { margin: 0; white-space: pre-wrap; word-break: break-word; }
td.expected { background: #eef7ee; width: 38%; }
td.actual { background: #fdf0ee; width: 38%; }
tr.unmanaged-aspect td { background: #eef3fb; }
tr.unmanaged-aspect td:first-child { border-left: 3px solid #1565c0; }
.insync { color: #444; }
.diagnostics li { margin-bottom: .25rem; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  section.resource { border-left-width: 4px; }
  td.expected, td.actual, th, .status { -webkit-print-color-adjust: exact;
                                        print-color-adjust: exact; }
}
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _value(value: Any) -> str:
    if value is None:
        return '<span class="insync">(none)</span>'
    return f"<pre>{_e(json.dumps(value, indent=2, ensure_ascii=False))}</pre>"


def chart(summary: dict[str, int], statuses: list[str]) -> str:
    """A horizontal bar per status, drawn in SVG (labels are text, so it reads in print)."""
    top = max([summary[s] for s in statuses] + [1])
    width, bar_left, bar_width, row = 420, 110, 250, 30
    rows = []
    for index, status in enumerate(statuses):
        y = 10 + index * row
        length = round(bar_width * summary[status] / top)
        rows.append(
            f'<text x="0" y="{y + 15}" font-size="13">{LABELS[status]}</text>'
            f'<rect x="{bar_left}" y="{y}" width="{bar_width}" height="20" fill="#eee"/>'
            f'<rect x="{bar_left}" y="{y}" width="{length}" height="20" '
            f'fill="{COLOURS[status]}"/>'
            f'<text x="{bar_left + bar_width + 10}" y="{y + 15}" font-size="13">'
            f"{summary[status]}</text>"
        )
    height = 20 + len(statuses) * row
    return (
        f'<svg role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="system-ui, sans-serif">'
        "<title>Resources by status</title>" + "".join(rows) + "</svg>"
    )


def _id(address: str) -> str:
    """A fragment id for a resource's section (letters, digits and - only)."""
    return "r-" + "".join(c if c.isalnum() else "-" for c in address)


def _resource(resource: dict[str, Any]) -> str:
    status = resource["status"]
    known = f" <code>({_e(resource['id'])})</code>" if resource.get("id") else ""
    colour, label = COLOURS[status], LABELS[status]
    if status == "in_sync" and has_unmanaged_aspects(resource):
        colour, label = UNMANAGED_ASPECTS, UNMANAGED_LABEL
    parts = [
        f'<section class="resource" id="{_id(resource["address"])}" style="--c: {colour}">',
        f"<h2><code>{_e(resource['address'])}</code>{known}"
        f'<span class="status">{label}</span></h2>',
    ]
    if resource.get("reason"):
        parts.append(f'<p class="reason">{_e(resource["reason"])}</p>')
    if resource["differences"]:
        parts.append(
            "<table><thead><tr><th>path</th><th>expected (spec)</th><th>actual (live)</th>"
            "<th>difference</th></tr></thead><tbody>"
        )
        parts += [
            f"<tr{_row_class(d)}><td><code>{_e(d['path'])}</code></td>"
            f'<td class="expected">{_value(d["expected"])}</td>'
            f'<td class="actual">{_value(d["actual"])}</td>'
            f"<td>{_e(TYPE_WORDS.get(d['type'], d['type']))}</td></tr>"
            for d in resource["differences"]
        ]
        parts.append("</tbody></table>")
    parts.append("</section>")
    return "\n".join(parts)


def _row_class(difference: dict[str, Any]) -> str:
    return ' class="unmanaged-aspect"' if difference["type"] == "unmanaged_aspect" else ""


def _made(context: RunContext) -> str:
    account = f", account <code>{_e(context.account)}</code>" if context.account else ""
    return (
        f'<p class="made">Made {_e(context.generated_at)} by reconciler {_e(context.version)}, '
        f"against {_e(context.endpoint)} in {_e(context.region)}{account}.</p>"
    )


def _label(resource: dict[str, Any]) -> str:
    if resource["status"] == "in_sync" and has_unmanaged_aspects(resource):
        return UNMANAGED_LABEL
    return LABELS[resource["status"]]


def _contents(shown: list[dict[str, Any]]) -> str:
    if not shown:
        return ""
    items = "".join(
        f'<li><a href="#{_id(r["address"])}"><code>{_e(r["address"])}</code></a> '
        f"{_e(_label(r))}</li>"
        for r in shown
    )
    return f'<nav class="contents"><h2>Contents</h2><ul>{items}</ul></nav>'


def render(report: dict[str, Any], context: RunContext | None = None) -> str:
    s = report["summary"]
    statuses = ["in_sync", "drifted", "missing"]
    if report.get("include_unmanaged"):
        statuses.append("unmanaged")
    if s.get("error"):
        statuses.append("error")
    verdict = (
        f"{s['drifted']} drifted and {s['missing']} missing of {s['managed']} managed resources."
        if s["drifted"] or s["missing"]
        else f"All {s['managed']} managed resources are in sync with the spec."
    )
    if s.get("error"):
        verdict = unread_verdict(s, verdict)
    verdict += aspects_verdict(s)
    counts = "".join(f"<tr><td>{LABELS[k]}</td><td>{s[k]}</td></tr>" for k in statuses)
    if "unmanaged_aspects" in s:
        counts += f"<tr><td>{UNMANAGED_LABEL}</td><td>{s['unmanaged_aspects']}</td></tr>"
    shown = [r for r in report["resources"] if r["status"] != "in_sync" or r["differences"]]
    in_sync = [
        r["address"]
        for r in report["resources"]
        if r["status"] == "in_sync" and not r["differences"]
    ]
    fix = ""
    if context is not None and context.fix and (s["drifted"] or s["missing"]):
        fix = f'<p class="fix">To fix: <code>{_e(context.fix)}</code></p>'
    body = [
        f"<h1>Drift report for stack <code>{_e(report['stack'])}</code></h1>",
        _made(context) if context is not None else "",
        f'<p class="verdict">{_e(verdict)}</p>',
        fix,
        '<div class="overview">',
        chart(s, statuses),
        '<table class="counts"><thead><tr><th>status</th><th>resources</th></tr></thead>'
        f"<tbody>{counts}</tbody></table>",
        "</div>",
        _contents(shown),
        *[_resource(r) for r in shown],
    ]
    if in_sync:
        body.append(
            '<p class="insync">In sync: '
            + ", ".join(f"<code>{_e(a)}</code>" for a in in_sync)
            + ".</p>"
        )
    diagnostics = report.get("diagnostics") or []
    if diagnostics:
        body.append('<h2>Diagnostics</h2><ul class="diagnostics">')
        body += [
            f"<li><strong>{_e(d['severity'])}</strong> <code>{_e(d['address'])}</code>: "
            f"{_e(d['summary'])}</li>"
            for d in diagnostics
        ]
        body.append("</ul>")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Drift report: {_e(report['stack'])}</title>"
        f"<style>{CSS}</style></head>\n<body>\n" + "\n".join(body) + "\n</body></html>\n"
    )

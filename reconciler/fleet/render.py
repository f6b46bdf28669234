"""The fleet report in every drift report format: text, JSON, Markdown, HTML, JUnit XML.

Each is drawn from the report's JSON form, failing targets first, and reuses the drift
report's renderers for what a target's drift report holds (`reconciler.report`): its
differences in text, its resources' sections in Markdown and HTML, its test suite in JUnit.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from reconciler import xmlcodec
from reconciler.fleet.results import FleetReport, dumps
from reconciler.report import drift_junit
from reconciler.report.drift_text import difference_lines
from reconciler.report.plan_text import Style, plain

FORMATS = ("text", "json", "markdown", "html", "junit")

MARKS = {
    "succeeded": ("✓", "green"),
    "in_sync": ("=", "green"),
    "drifted": ("~", "yellow"),
    "failed": ("✗", "red"),
    "not_started": ("-", None),
}
LABELS = {
    "succeeded": "succeeded",
    "in_sync": "in sync",
    "drifted": "drifted",
    "failed": "failed",
    "not_started": "not started",
}
#: What "drifted" means for each command's targets.
DRIFTED = {"plan": "changes pending", "drift": "drifted", "apply": "drifted", "import": "drifted"}


def outcome_label(outcome: str, command: str) -> str:
    return DRIFTED[command] if outcome == "drifted" else LABELS[outcome]


def kinds(report: dict[str, Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for target in report["targets"]:
        if target["outcome"] == "failed":
            kind = target.get("error_kind") or "other"
            found[kind] = found.get(kind, 0) + 1
    return found


def summary_line(report: dict[str, Any]) -> str:
    """``Fleet drift: PARTIAL_SUCCESS: 24 target(s): 20 in sync, 2 drifted, 2 failed (denied
    2), 0 not started; shards 4 of 4.``"""
    counts = report["counts"]
    by_kind = kinds(report)
    shown = []
    for outcome in ("succeeded", "in_sync", "drifted", "failed", "not_started"):
        if not counts[outcome] and outcome not in ("failed", "not_started"):
            continue
        part = f"{counts[outcome]} {outcome_label(outcome, report['command'])}"
        if outcome == "failed" and by_kind:
            part += " (" + ", ".join(f"{k} {n}" for k, n in sorted(by_kind.items())) + ")"
        shown.append(part)
    shards = report["shards"]
    where = ""
    if shards["total"] > 1:
        found = shards["found"]
        where = (
            f"; shard {found[0]} of {shards['total']}"
            if len(found) == 1
            else f"; shards {len(found)} of {shards['total']}"
        )
    return (
        f"Fleet {report['command']}: {report['status']}: {counts['total']} target(s): "
        + ", ".join(shown)
        + f"{where}."
    )


def target_line(target: dict[str, Any], *, command: str = "drift", style: Style = plain) -> str:
    mark, colour = MARKS[target["outcome"]]
    name = f" ({target['account_name']})" if target.get("account_name") else ""
    kind = f" ({target['error_kind']})" if target.get("error_kind") else ""
    reason = f": {target['reason']}" if target.get("reason") else ""
    label = outcome_label(target["outcome"], command)
    return f"{style(mark, colour)} {target['target']}{name}: {label}{kind}{reason}"


def _drift_lines(drift: dict[str, Any]) -> list[str]:
    lines = []
    for resource in drift.get("resources", []):
        if resource["status"] == "in_sync" and not resource["differences"]:
            continue
        reason = f": {resource['reason']}" if resource.get("reason") else ""
        lines.append(f"      {resource['address']} {resource['status']}{reason}")
        lines += [
            f"          {line}" for d in resource["differences"] for line in difference_lines(d)
        ]
    return lines


def _plan_lines(plan: dict[str, Any]) -> list[str]:
    return [
        f"      {c['action']} {c['address']}"
        + (f" ({', '.join(c['aspects'])})" if c.get("aspects") else "")
        for c in plan.get("changes", [])
    ]


def details(target: dict[str, Any], command: str) -> list[str]:
    """What a target's report says beyond its line: the drift, or the changes."""
    report = target.get("report") or {}
    if command == "drift":
        return _drift_lines(report)
    if command in ("plan", "apply") and target["outcome"] != "succeeded":
        return _plan_lines(report)
    return []


def render_text(report: dict[str, Any], *, style: Style = plain) -> str:
    command = report["command"]
    lines = [summary_line(report)]
    lines += [f"  problem: {p}" for p in report["problems"]]
    for target in report["targets"]:
        lines.append("  " + target_line(target, command=command, style=style))
        lines += details(target, command)
    return "\n".join(lines) + "\n"


# -- JUnit -----------------------------------------------------------------------------------


def _suite(target: dict[str, Any], command: str, stack: str | None) -> ET.Element:
    """A target's test suite: for a drift report, the drift renderer's own suite (a test case
    per resource), named for the target; otherwise one test case for the target."""
    report = target.get("report")
    name = f"{command}.{target['target']}"
    if command == "drift" and report and "resources" in report:
        document = xmlcodec.parse(drift_junit.render(report).encode(), what="a drift report")
        suite = document.find("testsuite")
        assert suite is not None
        suite.set("name", name)
        for case in suite.iter("testcase"):
            case.set("classname", f"{name}.{case.get('classname', '').rsplit('.', 1)[-1]}")
        return suite
    suite = ET.Element("testsuite", {"name": name, "tests": "1", "failures": "0", "errors": "0",
                                     "skipped": "0"})  # fmt: skip
    case = ET.SubElement(suite, "testcase", {"classname": name, "name": command})
    outcome = target["outcome"]
    reason = target.get("reason") or outcome
    if outcome == "failed":
        element = ET.SubElement(
            case, "error", {"message": reason, "type": target.get("error_kind") or "other"}
        )
        element.text = "\n".join([target_line(target, command=command), *details(target, command)])
        suite.set("errors", "1")
    elif outcome == "drifted":
        element = ET.SubElement(case, "failure", {"message": reason, "type": "drifted"})
        element.text = "\n".join([target_line(target, command=command), *details(target, command)])
        suite.set("failures", "1")
    elif outcome == "not_started":
        ET.SubElement(case, "skipped", {"message": reason})
        suite.set("skipped", "1")
    return suite


def render_junit(report: dict[str, Any]) -> str:
    command = report["command"]
    suites = [_suite(t, command, report.get("stack")) for t in report["targets"]]
    totals = {
        key: str(sum(int(s.get(key, "0")) for s in suites))
        for key in ("tests", "failures", "errors", "skipped")
    }
    root = ET.Element("testsuites", {"name": f"reconciler fleet {command}", **totals})
    root.extend(suites)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def render(report: FleetReport, fmt: str, *, style: Style = plain) -> str:
    if fmt == "json":
        return dumps(report)
    from reconciler.fleet import pages  # noqa: PLC0415

    data = report.model_dump(mode="json")
    renderers: dict[str, Callable[[dict[str, Any]], str]] = {
        "markdown": pages.render_markdown,
        "html": pages.render_html,
        "junit": render_junit,
        "text": lambda d: render_text(d, style=style),
    }
    if fmt not in renderers:
        raise ValueError(f"unknown fleet report format {fmt!r}")
    return renderers[fmt](data)

"""A drift report as JUnit XML, so CI test views show drift: one test suite for the stack, one
test case per resource. A drifted or missing resource is a failure whose text lists the
differences; an unmanaged one is skipped (reported, not drift); an in-sync one passes."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from reconciler.report.drift_text import difference_lines


def _failure_text(resource: dict[str, Any]) -> str:
    lines = [f"{resource['address']}: {resource['status']}"]
    if resource.get("reason"):
        lines[0] += f" ({resource['reason']})"
    for difference in resource["differences"]:
        found = difference_lines(difference)
        found[0] += f" ({difference['type']})"
        lines += found
    return "\n".join(lines)


def render(report: dict[str, Any]) -> str:
    resources = report["resources"]
    failures = sum(1 for r in resources if r["status"] in ("drifted", "missing"))
    skipped = sum(1 for r in resources if r["status"] == "unmanaged")
    errors = sum(1 for r in resources if r["status"] == "error")
    counts = {
        "tests": str(len(resources)),
        "failures": str(failures),
        "errors": str(errors),
        "skipped": str(skipped),
    }
    root = ET.Element("testsuites", {"name": "reconciler drift", **counts})
    suite = ET.SubElement(root, "testsuite", {"name": f"drift.{report['stack']}", **counts})
    for resource in resources:
        case = ET.SubElement(
            suite,
            "testcase",
            {
                "classname": f"drift.{report['stack']}.{resource['kind']}",
                "name": resource["address"],
            },
        )
        status = resource["status"]
        if status in ("drifted", "missing"):
            count = len(resource["differences"])
            message = f"{status}: {count} difference(s)" if count else status
            failure = ET.SubElement(case, "failure", {"message": message, "type": status})
            failure.text = _failure_text(resource)
        elif status == "error":
            reason = resource.get("reason") or "could not be read"
            error = ET.SubElement(case, "error", {"message": reason, "type": "unreadable"})
            error.text = f"{resource['address']}: {reason}"
        elif status == "unmanaged":
            ET.SubElement(case, "skipped", {"message": resource.get("reason") or "unmanaged"})
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

"""A drift report in the format asked for (``reconciler drift --format``)."""

from __future__ import annotations

from reconciler.drift import DriftReport, RunContext
from reconciler.report import drift_html, drift_junit, drift_markdown, drift_text
from reconciler.report.plan_text import Style, plain

FORMATS = ("text", "json", "markdown", "html", "junit")


def render(
    report: DriftReport, fmt: str, *, style: Style = plain, context: RunContext | None = None
) -> str:
    """The report in ``fmt``; ``context`` (when and against what) goes on the HTML page only."""
    if fmt == "json":
        return report.dumps()
    data = report.to_json()
    if fmt == "markdown":
        return drift_markdown.render(data)
    if fmt == "html":
        return drift_html.render(data, context)
    if fmt == "junit":
        return drift_junit.render(data)
    if fmt == "text":
        return drift_text.render(data, style=style)
    raise ValueError(f"unknown drift report format {fmt!r}")

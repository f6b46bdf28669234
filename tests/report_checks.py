"""Independent readers of the drift report formats, for tests: the JSON Schema (jsonschema), a
JUnit XML parser (junitparser), and a strict HTML reader that finds unbalanced tags and anything
that would load from elsewhere."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import junitparser

SCHEMA = json.loads(
    (Path(__file__).parent.parent / "schemas" / "drift-report.schema.json").read_text()
)
VOID = {"meta", "br", "hr", "img", "input", "link", "col", "area", "base", "wbr", "source"}
LOADING = {"src", "href", "srcset", "action", "poster", "data", "xlink:href", "background"}


def valid_json_report(text: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(text)
    jsonschema.validate(data, SCHEMA, cls=jsonschema.Draft202012Validator)
    return data


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.problems: list[str] = []
        self.tags: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            if name in LOADING and not (name == "href" and (value or "").startswith("#")):
                # (a link to a place in the page itself loads nothing)
                self.problems.append(f"<{tag} {name}={value!r}> loads from elsewhere")
            if name == "style" and value and "url(" in value:
                self.problems.append(f"<{tag} style> loads from elsewhere")
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.open[-1] if self.open else 'nothing'}")
            return
        self.open.pop()

    def handle_data(self, data: str) -> None:
        if self.open and self.open[-1] == "style" and ("url(" in data or "@import" in data):
            self.problems.append("the stylesheet loads from elsewhere")
        self.text.append(data)


def html_text(page: str) -> str:
    """The page's text, after checking it: balanced, self-contained, no script."""
    reader = _Reader()
    reader.feed(page)
    reader.close()
    assert page.startswith("<!DOCTYPE html>")
    assert reader.problems == []
    assert reader.open == []
    assert "script" not in reader.tags
    assert "link" not in reader.tags
    assert {"style", "svg"} <= reader.tags
    return "".join(reader.text)


def junit_cases(text: str, tmp: Path) -> dict[str, junitparser.TestCase]:
    """Test cases by name, read by junitparser from a file (as CI tools read it)."""
    path = tmp / "drift-junit.xml"
    path.write_text(text, encoding="utf-8")
    xml = junitparser.JUnitXml.fromfile(str(path))
    return {case.name: case for suite in xml for case in suite}

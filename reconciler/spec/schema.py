"""The spec's JSON Schema, for editors (completion, hover text, checks as you type).

Generated from the models (`generate_schema`) and shipped with the package
(``reconciler/spec/reconciler.schema.json``; ``schemas/reconciler.schema.json`` links to it):
``reconciler schema`` prints the shipped file, so it starts without building the models (the
largest part of a start; ``bench/bench_plan_latency.py`` measures it). A test fails when the
shipped file is stale; ``python -m reconciler.spec.schema`` rewrites it. Spec files point at it
with a ``# yaml-language-server: $schema=...`` modeline.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCHEMA_ID = "https://reconciler.dev/schemas/reconciler.schema.json"
SHIPPED = Path(__file__).with_name("reconciler.schema.json")


def generate_schema() -> dict[str, Any]:
    """The schema, from the models."""
    from reconciler.spec.model import Spec  # noqa: PLC0415 - only to generate

    schema = Spec.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": "reconciler spec",
    }


def schema_text(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def spec_schema_text() -> str:
    """The shipped schema, as ``reconciler schema`` prints it."""
    return SHIPPED.read_text(encoding="utf-8")


def spec_schema() -> dict[str, Any]:
    result: dict[str, Any] = json.loads(spec_schema_text())
    return result


if __name__ == "__main__":
    SHIPPED.write_text(schema_text(generate_schema()), encoding="utf-8")
    print(f"wrote {SHIPPED}")

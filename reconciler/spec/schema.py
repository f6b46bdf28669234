"""The spec's JSON Schema, for editors (completion, hover text, checks as you type).

``schemas/reconciler.schema.json`` is this function's output, checked in; a test fails when it is
stale. Spec files point at it with a ``# yaml-language-server: $schema=...`` modeline.
"""

from __future__ import annotations

import json
from typing import Any

from reconciler.spec.model import Spec

SCHEMA_ID = "https://reconciler.dev/schemas/reconciler.schema.json"


def spec_schema() -> dict[str, Any]:
    schema = Spec.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": "reconciler spec",
    }


def spec_schema_text() -> str:
    return json.dumps(spec_schema(), indent=2, sort_keys=True) + "\n"

"""The JSON Schemas the fleet publishes, generated from its models: the targets file
(``schemas/targets.schema.json``, for editors: a targets file points at it with a
``# yaml-language-server: $schema=...`` modeline), a shard's result file
(``schemas/fleet-result.schema.json``) and the merged fleet report
(``schemas/fleet-report.schema.json``). A test fails when a published file is stale;
``python -m reconciler.fleet.schemas`` (in a checkout) writes them again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from reconciler.fleet.model import TargetsFile
from reconciler.fleet.results import FleetReport, ResultFile

SCHEMAS: dict[str, tuple[type[BaseModel], str]] = {
    "targets.schema.json": (TargetsFile, "reconciler targets file"),
    "fleet-result.schema.json": (ResultFile, "reconciler fleet result file (one shard)"),
    "fleet-report.schema.json": (FleetReport, "reconciler fleet report (merged)"),
}


def generate(name: str) -> dict[str, Any]:
    model, title = SCHEMAS[name]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://reconciler.dev/schemas/{name}",
        **model.model_json_schema(mode="validation"),
        "title": title,
    }


def text(name: str) -> str:
    return json.dumps(generate(name), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    folder = Path(__file__).resolve().parents[2] / "schemas"
    for name in SCHEMAS:
        (folder / name).write_text(text(name), encoding="utf-8")
        print(f"wrote {folder / name}")

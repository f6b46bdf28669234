"""The registry of bucket aspects is the one place an aspect is added: every unit is reachable
by the schema, the reference docs, the reader and writer (its calls), the importer and
``reconciler permissions``; the write order keeps every unit's ``follows``; and no module
outside the units names a bucket aspect, so adding one needs nothing outside its unit (and its
model in ``spec/``)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from reconciler import permissions
from reconciler.kinds.bucket.aspects import registry as aspects
from reconciler.kinds.bucket.model import Bucket
from reconciler.kinds.distribution.model import Distribution
from reconciler.spec.model import Spec

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "reconciler"
#: Where an aspect may be named: its unit, its model, and the demo's scripted story. The client
#: (aws/) is left out: the import contracts keep it from the spec and the units, and it speaks
#: S3's own words (an S3 website endpoint is a "website" there).
ALLOWED = {
    PACKAGE / "kinds" / "bucket" / "aspects",
    PACKAGE / "kinds" / "bucket" / "model.py",
    PACKAGE / "demo.py",
    PACKAGE / "aws",
    PACKAGE / "kinds" / "distribution" / "config.py",  # S3's website endpoints, as the client
}


@pytest.mark.parametrize("key", aspects.ORDER)
def test_every_aspect_is_reachable_everywhere(key: str) -> None:
    unit = aspects.get(key)
    assert key in Bucket.model_fields, "its model is a field of a bucket"
    reference = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
    assert f"`{key}`" in reference, "the field reference documents it"
    calls = unit.calls
    assert calls.subresource
    assert calls.get.operation.startswith("List" if calls.items else "Get")
    assert calls.put.operation.startswith("Put")
    assert all(a.startswith("s3:") for a in (calls.get.action, calls.put.action))
    if unit.removable:
        assert calls.delete is not None or unit.absent_body is not None, "the writer removes it"
    if key != aspects.TAGS.key:
        assert key in aspects.DECLARABLE, "import and drift --all-aspects read it"
    spec = Spec.model_validate({"version": 1, "stack": "s", "buckets": {"b": {}}})
    granted = {
        action
        for statement in permissions.policy(spec, "import")["Statement"]
        for action in (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
    }
    assert calls.get.action in granted, "reconciler permissions --for import names its read"


def test_the_write_order_keeps_what_each_aspect_follows() -> None:
    for index, unit in enumerate(aspects.ASPECTS):
        assert set(unit.follows) <= set(aspects.ORDER[:index]), unit.key
    assert aspects.ORDER[0] == aspects.TAGS.key
    assert set(aspects.ORDER) == set(aspects.BY_KEY)


def _named(path: Path, keys: set[str]) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and node.value in keys:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
        elif isinstance(node, ast.Attribute) and node.attr in keys:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: .{node.attr}")
    return found


def test_no_module_outside_the_units_names_an_aspect() -> None:
    # A distribution has fields of the same names (its tags, its logging): those keys are left
    # out of the search, where they would match the distribution's own.
    keys = set(aspects.ORDER) - set(Distribution.model_fields)
    assert len(keys) >= len(aspects.ORDER) - 2
    named = [
        hit
        for path in sorted(PACKAGE.rglob("*.py"))
        if not any(path == a or a in path.parents for a in ALLOWED)
        for hit in _named(path, keys)
    ]
    assert named == []

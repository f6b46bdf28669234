"""The registry of bucket aspects is the one place an aspect is added: every unit is reachable
by the schema, the reference docs, the reader and writer (its calls), the importer and
``reconciler permissions``; the write order keeps every unit's ``follows``. That no
module outside the bucket kind names an aspect is checked with every kind's parts
(``tests/test_kinds.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler import permissions
from reconciler.kinds.bucket.aspects import registry as aspects
from reconciler.kinds.bucket.model import Bucket
from reconciler.spec.model import Spec
from tests import aspect_samples

ROOT = Path(__file__).parent.parent


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
    if aspect_samples.removable(key):
        written = unit.unconfigured.written_as
        assert calls.delete is not None or written is not None, "the writer removes it"
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

"""The planner corpus: each directory under ``tests/cases/`` holds a spec, the live state as AWS
answered it (``live.yaml``: the response bodies of the reads, XML as AWS sends it, policies as
JSON text) and the expected plan. One generic test reads the answers with each aspect's own
unit, as the live layer does, plans, and compares the plan's JSON form.

Distributions are recorded as ``distributions:`` entries: the id, the tags and the
``DistributionConfig`` body GetDistributionConfig answered (``config``; left out for a
distribution whose configuration a plan does not read).

``live.yaml`` rather than the design notes' ``live.json``: XML bodies read far better as YAML
block strings. Regenerate an expected plan after a deliberate change with
``UPDATE_CASES=1 pytest tests/test_planner_cases.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from reconciler import xmlcodec as xml
from reconciler.kinds.base import PlanOptions
from reconciler.kinds.bucket.aspects import registry as aspects
from reconciler.kinds.bucket.live import LiveBucket
from reconciler.kinds.distribution.config import read_config
from reconciler.kinds.distribution.live import LiveDistribution
from reconciler.live.model import LiveState
from reconciler.plan.planner import plan
from reconciler.spec.loader import load_spec
from tests import live_states

CASES = Path(__file__).parent / "cases"


def _xml(text: str) -> Any:
    return xml.parse(text.encode(), what="recorded answer")


def decode(aspect: str, text: str) -> tuple[Any, str | None]:
    """A recorded answer read by the aspect's own unit, as the reader reads it."""
    read = aspects.get(aspect).read(text.encode(), address="recorded answer")
    return read.value, read.owner_id


#: What the reader holds for an aspect the recording leaves out (not configured); versioning
#: answers "never enabled" with an empty configuration, which reads as suspended.
NEVER_SET_READS: dict[str, Any] = {"versioning": "suspended"}


def live_state(case: Path, declared: dict[str, frozenset[str]]) -> LiveState:
    data = yaml.safe_load((case / "live.yaml").read_text(encoding="utf-8")) or {}
    buckets: dict[str, LiveBucket] = {}
    for name, raw in (data.get("buckets") or {}).items():
        found: dict[str, Any] = {}
        owner = None
        for aspect in declared.get(name, frozenset()):
            if aspect in raw:
                found[aspect], found_owner = decode(aspect, raw[aspect])
                owner = owner or found_owner
            else:
                found[aspect] = NEVER_SET_READS.get(
                    aspect, aspects.get(aspect).unconfigured.value()
                )
        buckets[name] = LiveBucket(
            name=name,
            exists=True,
            region=raw.get("region", "us-east-1"),
            tags=raw.get("tags") or {},
            owner_id=owner,
            aspects=found,
            empty=raw.get("empty"),
            foreign=raw.get("foreign", False),
        )
    for name in declared:
        buckets.setdefault(name, LiveBucket(name=name, exists=False))
    return live_states.live_state(
        buckets=buckets,
        owned_undeclared=tuple(data.get("owned_undeclared", ())),
        distributions=tuple(_distribution(d) for d in data.get("distributions") or ()),
        other_buckets=data.get("other_buckets") or {},
    )


def _distribution(raw: dict[str, Any]) -> LiveDistribution:
    """A distribution as the listing, its tags and (when recorded) GetDistributionConfig's
    answer tell it."""
    fields = read_config(_xml(raw["config"])) if "config" in raw else None
    aliases = raw.get("aliases", fields["aliases"] if fields else [])
    return LiveDistribution(
        id=raw["id"],
        arn=f"arn:aws:cloudfront::123456789012:distribution/{raw['id']}",
        aliases=tuple(a.lower() for a in aliases),
        tags=raw.get("tags") or {},
        fields=fields,
    )


def _strip(document: dict[str, Any], case: Path) -> dict[str, Any]:
    """What varies by machine or by digest algorithm is left out of the comparison."""
    document.pop("spec_digest", None)
    for change in document["changes"]:
        change.pop("live_fingerprint", None)
        for aspect, position in change.get("positions", {}).items():
            change["positions"][aspect] = position.replace(f"{case}/", "")
    for diag in document["diagnostics"]:
        if "position" in diag:
            diag["position"] = diag["position"].replace(f"{case}/", "")
    return document


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_planner_case(case: str) -> None:
    where = CASES / case
    loaded = load_spec([str(where / "spec.yaml")], cli_vars={}, env={})
    spec = loaded.spec
    declared = {
        name: frozenset(a for a in aspects.DECLARABLE if getattr(b, a) is not None)
        for name, b in spec.buckets.items()
    }
    live = live_state(where, declared)

    def position(path: tuple[str | int, ...]) -> str | None:
        found = (loaded.source.key_at(path) if len(path) == 2 else None) or loaded.source.at(path)
        return str(found) if found else None

    replace = (
        frozenset((where / "replace.txt").read_text().split())
        if (where / "replace.txt").exists()
        else frozenset()
    )
    result = plan(
        spec, live, PlanOptions(default_region="us-east-1", position=position, replace=replace)
    )
    got = _strip(result.to_json(), where)
    expected_file = where / "expected_plan.json"
    if os.environ.get("UPDATE_CASES"):
        expected_file.write_text(json.dumps(got, indent=2) + "\n", encoding="utf-8")
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    assert got == expected


def test_the_corpus_is_large_enough() -> None:
    assert len([p for p in CASES.iterdir() if p.is_dir()]) >= 30

"""What a shard writes (a result file) and what ``reconciler merge`` makes of them (the fleet
report): versioned JSON, validated when read back (a result file comes from another machine),
with JSON Schemas generated from these models (``schemas/fleet-result.schema.json``,
``schemas/fleet-report.schema.json``; ``python -m reconciler.fleet.schemas`` writes them).

Per target: its ``outcome`` (``succeeded``, ``failed``, ``drifted``, ``in_sync``,
``not_started``), why in words (``reason``), for a failure its ``error_kind`` (``throttled``,
``denied``, ``invalid``, ``unreachable``, ``other``), when it started and ended, and the
command's own report of it (a drift report, a plan's changes, an apply's steps).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reconciler.errors import ConfigError, SpecIssue

FORMAT_VERSION = "1"
OUTCOMES = ("succeeded", "failed", "drifted", "in_sync", "not_started")
ERROR_KINDS = ("throttled", "denied", "invalid", "unreachable", "other")
COMMANDS = ("plan", "apply", "drift", "import")
#: A result file larger than this is refused unread (a fleet of 10,000 targets' drift reports
#: stays far below it).
MAX_BYTES = 512 * 1024 * 1024

Outcome = Literal["succeeded", "failed", "drifted", "in_sync", "not_started"]
ErrorKind = Literal["throttled", "denied", "invalid", "unreachable", "other"]
Command = Literal["plan", "apply", "drift", "import"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TargetResult(_Model):
    """One target's outcome."""

    target: str = Field(pattern=r"^\d{12}/[a-z0-9-]+$", description="ACCOUNT/REGION.")
    account: str = Field(pattern=r"^\d{12}$")
    region: str
    account_name: str | None = None
    ou: str | None = Field(None, description="The account's OU path, when Organizations told it.")
    stack: str | None = Field(None, description="The stack the target's spec declares.")
    shard: int = Field(ge=1, description="The shard that ran it (1-based).")
    outcome: Outcome
    reason: str | None = Field(None, description="Why, in words (for every outcome but success).")
    error_kind: ErrorKind | None = Field(None, description="What kind of failure (failed only).")
    started_at: datetime | None = None
    ended_at: datetime | None = None
    requests: int | None = Field(None, ge=0, description="API requests the target's run sent.")
    report: dict[str, Any] | None = Field(
        None,
        description="The command's report of the target: drift, the drift report (the "
        "drift-report schema); plan, its summary and changes; apply, also its steps; import, "
        "what was written.",
    )


class Shard(_Model):
    index: int = Field(ge=1, description="This shard, 1-based.")
    total: int = Field(ge=1, description="How many shards the fleet was split into.")


class Rollout(_Model):
    """The rollout controls a run used (as given: a count, or a percentage of its targets)."""

    max_concurrent: str
    failure_tolerance: str | None = None
    region_order: list[str] = Field(default_factory=list)
    strict: bool = False
    #: whether the failure tolerance was exceeded, so that some targets were not started
    exceeded: bool = False


class ResultFile(_Model):
    """What one shard's run wrote."""

    format_version: Literal["1"]
    kind: Literal["reconciler-fleet-result"]
    command: Command
    stack: str | None = None
    reconciler_version: str
    targets_digest: str = Field(description="Identifies the fleet: every shard's is the same.")
    fleet_size: int = Field(ge=0, description="The targets of the whole fleet, every shard.")
    shard: Shard
    retry: bool = Field(False, description="A run of --retry-failed: only the failed targets.")
    started_at: datetime
    ended_at: datetime
    rollout: Rollout | None = None
    targets: list[TargetResult]


class Counts(_Model):
    """StackSets-style counts."""

    total: int = 0
    succeeded: int = 0
    failed: int = 0
    drifted: int = 0
    in_sync: int = 0
    not_started: int = 0

    @classmethod
    def of(cls, results: list[TargetResult]) -> Counts:
        found = dict.fromkeys(OUTCOMES, 0)
        for result in results:
            found[result.outcome] += 1
        return cls(total=len(results), **found)


class ShardsSeen(_Model):
    total: int
    found: list[int]
    missing: list[int]


class FleetReport(_Model):
    """The fleet's report, made by ``reconciler merge`` from every shard's result file."""

    format_version: Literal["1"]
    kind: Literal["reconciler-fleet-report"]
    command: Command
    stack: str | None = None
    status: Literal["SUCCEEDED", "PARTIAL_SUCCESS", "FAILED"] = Field(
        description="SUCCEEDED: no target failed and every one ran; PARTIAL_SUCCESS: some "
        "failed, within the failure tolerance; FAILED: the tolerance was exceeded, nothing "
        "succeeded, or targets or shards are missing."
    )
    counts: Counts
    failure_tolerance: str | None = None
    shards: ShardsSeen
    problems: list[str] = Field(
        default_factory=list, description="What the merge found wrong (a shard missing, ...)."
    )
    rollups: dict[str, dict[str, Counts]] = Field(
        description="Counts by account, by region and by OU."
    )
    targets: list[TargetResult] = Field(description="Failing targets first, then by target.")


def dumps(model: BaseModel) -> str:
    return json.dumps(model.model_dump(mode="json"), indent=2) + "\n"


def read_document(path: str) -> ResultFile | FleetReport:
    """A result file or a fleet report, checked; `ConfigError` naming the file otherwise."""
    file = Path(path)
    try:
        if file.stat().st_size > MAX_BYTES:
            raise ConfigError(f"{path}: larger than {MAX_BYTES // (1024 * 1024)} MiB; not read")
        data = json.loads(file.read_bytes())
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror}") from exc
    except ValueError as exc:
        raise ConfigError(f"{path}: not JSON (a fleet result file or report)") from exc
    kind = data.get("kind") if isinstance(data, dict) else None
    model: type[ResultFile] | type[FleetReport]
    if kind == "reconciler-fleet-result":
        model = ResultFile
    elif kind == "reconciler-fleet-report":
        model = FleetReport
    else:
        raise ConfigError(
            f"{path}: not a fleet result file or report (kind {kind!r}); a shard writes one "
            "with --result FILE"
        )
    if data.get("format_version") != FORMAT_VERSION:
        raise ConfigError(
            f"{path}: format_version {data.get('format_version')!r}; this reconciler reads "
            f"{FORMAT_VERSION!r}"
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        issues = [
            SpecIssue(f"{path}: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}")
            for e in exc.errors()[:20]
        ]
        raise ConfigError(f"{path}: not a valid {kind} document", issues=issues) from exc

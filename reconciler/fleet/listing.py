"""``reconciler targets``: the fleet's targets as a person reads them, as JSON, or as the job
matrix of a CI engine, one job per shard.

- ``github-matrix``: the value of a job's ``strategy.matrix`` (``include``: one entry per
  shard, with its ``shard`` K/N and how many targets it runs), for
  ``matrix: ${{ fromJSON(needs.targets.outputs.matrix) }}``. GitHub runs at most 256 jobs of a
  matrix.
- ``gitlab-matrix``: a child pipeline (JSON, which GitLab reads as YAML) with one job that
  ``extends`` the hidden job holding the script (from the file ``include``d), run once per
  shard by ``parallel:matrix`` (``RECONCILER_SHARD``, which ``--shard`` reads). GitLab runs at
  most 200 jobs of a matrix.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from reconciler.fleet.shards import Shard, shard_of
from reconciler.fleet.targets import Target, targets_digest

FORMATS = ("text", "json", "github-matrix", "gitlab-matrix")
#: The most jobs each engine runs from one matrix.
MATRIX_LIMITS = {"github-matrix": 256, "gitlab-matrix": 200}


def accounts(targets: Sequence[Target]) -> list[str]:
    return list(dict.fromkeys(t.account for t in targets))


def shard_count(targets: Sequence[Target], fmt: str, given: int | None) -> int:
    """The shards asked for, or by default one per account (at most the engine's limit)."""
    if given is not None:
        return given
    return max(1, min(len(accounts(targets)), MATRIX_LIMITS.get(fmt, 256)))


def sizes(targets: Sequence[Target], total: int) -> list[int]:
    found = [0] * total
    owners: dict[str, int] = {}
    for target in targets:
        if target.account not in owners:
            owners[target.account] = shard_of(target.account, total)
        found[owners[target.account] - 1] += 1
    return found


def text(targets: Sequence[Target], shards: int | None) -> str:
    head = f"{len(targets)} target(s) in {len(accounts(targets))} account(s)"
    owner: dict[str, int] = {}
    if shards:
        counts = sizes(targets, shards)
        head += f"; {shards} shard(s), of " + ", ".join(str(c) for c in counts) + " target(s)"
        owner = {a: shard_of(a, shards) for a in accounts(targets)}
    lines = [head + ":"]
    for target in targets:
        parts = [f"  {target.id}"]
        if target.account_name:
            parts.append(target.account_name)
        if target.ou:
            parts.append(target.ou)
        parts.append(target.role_arn)
        if shards:
            parts.append(f"shard {owner[target.account]}/{shards}")
        lines.append("  ".join(parts))
    return "\n".join(lines) + "\n"


def document(targets: Sequence[Target], shards: int | None) -> str:
    entries = []
    for target in targets:
        entry = target.to_json()
        if shards:
            entry["shard"] = shard_of(target.account, shards)
        entries.append(entry)
    found: dict[str, Any] = {
        "format_version": "1",
        "kind": "reconciler-targets",
        "targets_digest": targets_digest(targets),
        "count": len(targets),
        "accounts": len(accounts(targets)),
    }
    if shards:
        found["shards"] = shards
    found["targets"] = entries
    return json.dumps(found, indent=2) + "\n"


def github_matrix(targets: Sequence[Target], shards: int) -> str:
    counts = sizes(targets, shards)
    include = [
        {"shard": str(Shard(k, shards)), "targets": counts[k - 1]} for k in range(1, shards + 1)
    ]
    return json.dumps({"include": include}, separators=(",", ":")) + "\n"


def gitlab_matrix(
    targets: Sequence[Target], shards: int, *, job: str, extends: str, include: str | None
) -> str:
    pipeline: dict[str, Any] = {}
    if include:
        pipeline["include"] = [{"local": include}]
    pipeline[job] = {
        "extends": extends,
        "parallel": {
            "matrix": [{"RECONCILER_SHARD": [str(Shard(k, shards)) for k in range(1, shards + 1)]}]
        },
    }
    return json.dumps(pipeline, indent=2) + "\n"

"""Which targets a shard runs: ``--shard K/N`` (1-based), or the index a CI engine gives each
of its parallel jobs.

- ``--shard K/N`` (also ``RECONCILER_SHARD``);
- a Kubernetes Indexed Job's ``JOB_COMPLETION_INDEX`` (0-based) with the total from
  ``--shard-total N`` or ``RECONCILER_SHARD_TOTAL`` (a Job's pods are not told its completions);
- GitLab's ``parallel:`` jobs' ``CI_NODE_INDEX`` and ``CI_NODE_TOTAL`` (1-based).

Targets are dealt to shards by rendezvous hashing of their account: each account goes to the
shard whose hash of (account, shard) is highest. Every target is in exactly one shard; adding
or removing accounts moves no other account; going from N to N+1 shards moves about 1/(N+1)
of them (only to the new shard). All of an account's regions run in the same shard, so that
the account's budgets (its CloudFront rate, its role's session) are shared by one process.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reconciler.errors import ConfigError
from reconciler.fleet.targets import Target

_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
#: More shards than a CI engine runs jobs (GitHub's matrix: 256; GitLab's: 200) is a mistake.
MAX_SHARDS = 10_000


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based
    total: int

    def __str__(self) -> str:
        return f"{self.index}/{self.total}"


def _checked(index: int, total: int, source: str) -> Shard:
    if not 1 <= total <= MAX_SHARDS:
        raise ConfigError(f"{source}: the number of shards must be 1 to {MAX_SHARDS} (got {total})")
    if not 1 <= index <= total:
        raise ConfigError(f"{source}: shard {index} of {total}: shards count from 1 to {total}")
    return Shard(index, total)


def parse_shard(text: str, source: str = "--shard") -> Shard:
    found = _SHARD.match(text)
    if found is None:
        raise ConfigError(f"{source}: {text!r} is not K/N (such as 2/8: the second of 8 shards)")
    return _checked(int(found.group(1)), int(found.group(2)), source)


def _number(env: Mapping[str, str], name: str) -> int:
    value = env[name].strip()
    if not value.isdigit():
        raise ConfigError(f"{name}: {value!r} is not a whole number")
    return int(value)


def shard_from(given: str | None, *, total: int | None, env: Mapping[str, str]) -> Shard | None:
    """The shard this run is (``None``: the whole fleet), from ``--shard`` or the engine's
    environment."""
    if given:
        return parse_shard(given)
    if env.get("JOB_COMPLETION_INDEX", "").strip():
        index = _number(env, "JOB_COMPLETION_INDEX") + 1
        if total is None:
            if not env.get("RECONCILER_SHARD_TOTAL", "").strip():
                raise ConfigError(
                    "JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job): give the number of "
                    "shards (the Job's completions) with --shard-total N or RECONCILER_SHARD_TOTAL"
                )
            total = _number(env, "RECONCILER_SHARD_TOTAL")
        return _checked(index, total, "JOB_COMPLETION_INDEX")
    if total is not None:
        raise ConfigError(
            "--shard-total goes with JOB_COMPLETION_INDEX (a Kubernetes Indexed Job); "
            "elsewhere give --shard K/N"
        )
    if env.get("CI_NODE_INDEX", "").strip() and env.get("CI_NODE_TOTAL", "").strip():
        index, count = _number(env, "CI_NODE_INDEX"), _number(env, "CI_NODE_TOTAL")
        return _checked(index, count, "CI_NODE_INDEX/CI_NODE_TOTAL")
    return None


def _weight(account: str, shard: int) -> int:
    digest = hashlib.blake2b(f"{account}/{shard}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def shard_of(account: str, total: int) -> int:
    """The shard (1-based) an account's targets belong to, of ``total``."""
    return max(range(1, total + 1), key=lambda k: _weight(account, k))


def in_shard(targets: Sequence[Target], shard: Shard | None) -> list[Target]:
    if shard is None:
        return list(targets)
    owners: dict[str, int] = {}
    kept = []
    for target in targets:
        if target.account not in owners:
            owners[target.account] = shard_of(target.account, shard.total)
        if owners[target.account] == shard.index:
            kept.append(target)
    return kept

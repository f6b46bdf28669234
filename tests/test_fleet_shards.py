"""Shards: every target in exactly one shard, an account's regions together, adding accounts
moving no other, one more shard moving about 1/(N+1) of them (only to the new one); and which
shard a run is, from --shard or a CI engine's environment."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.errors import ConfigError
from reconciler.fleet.shards import Shard, in_shard, parse_shard, shard_from, shard_of
from reconciler.fleet.targets import Target

ACCOUNTS = st.lists(st.from_regex(r"\A\d{12}\Z"), min_size=1, max_size=60, unique=True)
REGIONS = ("us-east-1", "eu-west-1", "ap-south-1")


def fleet(accounts: list[str]) -> list[Target]:
    return [
        Target(account=a, region=r, role_arn=f"arn:aws:iam::{a}:role/x")
        for a in accounts
        for r in REGIONS
    ]


@settings(max_examples=60, deadline=None)
@given(ACCOUNTS, st.integers(min_value=1, max_value=40))
def test_every_target_is_in_exactly_one_shard(accounts: list[str], total: int) -> None:
    targets = fleet(accounts)
    runs = [in_shard(targets, Shard(k, total)) for k in range(1, total + 1)]
    ids = [t.id for run in runs for t in run]
    assert sorted(ids) == sorted(t.id for t in targets)  # each once, none lost
    for run in runs:  # an account's regions run together
        for target in run:
            assert {t.id for t in run} >= {f"{target.account}/{r}" for r in REGIONS}


@settings(max_examples=60, deadline=None)
@given(ACCOUNTS, ACCOUNTS, st.integers(min_value=1, max_value=40))
def test_adding_accounts_moves_no_other(before: list[str], added: list[str], total: int) -> None:
    grown = before + [a for a in added if a not in before]
    for k in range(1, total + 1):
        was = {t.id for t in in_shard(fleet(before), Shard(k, total))}
        now = {t.id for t in in_shard(fleet(grown), Shard(k, total))}
        assert was <= now  # every target of the old fleet stays in its shard
        assert {t.split("/")[0] for t in now - was} <= set(added)


def test_one_more_shard_moves_about_one_in_n_plus_one_and_only_to_it() -> None:
    accounts = [f"{n:012d}" for n in range(100_000_000_000, 100_000_000_000 + 3000)]
    for total in (1, 3, 8, 20):
        moved = 0
        for account in accounts:
            old, new = shard_of(account, total), shard_of(account, total + 1)
            if old != new:
                assert new == total + 1  # a move is only ever to the new shard
                moved += 1
        share = moved / len(accounts)
        assert abs(share - 1 / (total + 1)) < 0.04, (total, share)


def test_the_shards_are_near_even() -> None:
    accounts = [f"{n:012d}" for n in range(200_000_000_000, 200_000_000_000 + 4000)]
    sizes = [0] * 8
    for account in accounts:
        sizes[shard_of(account, 8) - 1] += 1
    assert min(sizes) > 0.85 * 500
    assert max(sizes) < 1.15 * 500


@pytest.mark.parametrize(
    ("given_shard", "total", "env", "expected"),
    [
        ("2/8", None, {}, Shard(2, 8)),
        (" 3 / 3 ", None, {"JOB_COMPLETION_INDEX": "0"}, Shard(3, 3)),  # --shard wins
        (None, 4, {"JOB_COMPLETION_INDEX": "0"}, Shard(1, 4)),
        (None, None, {"JOB_COMPLETION_INDEX": "3", "RECONCILER_SHARD_TOTAL": "4"}, Shard(4, 4)),
        (None, None, {"CI_NODE_INDEX": "2", "CI_NODE_TOTAL": "5"}, Shard(2, 5)),
        (None, None, {}, None),
    ],
)
def test_the_shard_of_a_run(
    given_shard: str | None, total: int | None, env: dict[str, str], expected: Shard | None
) -> None:
    assert shard_from(given_shard, total=total, env=env) == expected


@pytest.mark.parametrize(
    ("given_shard", "total", "env", "message"),
    [
        ("0/4", None, {}, r"--shard: shard 0 of 4: shards count from 1 to 4"),
        ("5/4", None, {}, r"shard 5 of 4"),
        ("2", None, {}, r"--shard: '2' is not K/N"),
        (None, None, {"JOB_COMPLETION_INDEX": "1"}, r"give the number of shards .* --shard-total"),
        (None, 2, {"JOB_COMPLETION_INDEX": "2"}, r"JOB_COMPLETION_INDEX: shard 3 of 2"),
        (None, None, {"JOB_COMPLETION_INDEX": "x", "RECONCILER_SHARD_TOTAL": "2"}, r"'x' is not"),
        (None, 3, {}, r"--shard-total goes with JOB_COMPLETION_INDEX"),
    ],
)
def test_a_wrong_shard_is_refused(
    given_shard: str | None, total: int | None, env: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        shard_from(given_shard, total=total, env=env)


def test_a_shard_reads_back_as_written() -> None:
    assert str(parse_shard("7/10")) == "7/10"

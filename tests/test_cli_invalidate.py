"""``reconciler invalidate`` as a user runs it: the distribution found by its tags, the paths
checked before any call, the invalidation created (and waited for)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reconciler.kinds.distribution.invalidate import path_problems
from tests.cli import run_cli, user_env

SPEC = """\
version: 1
stack: inv
distributions:
  api-cdn:
    comment: api
    origins: [{id: api, domain_name: api.example.org}]
    default_cache_behavior: {target_origin: api, viewer_protocol_policy: https-only}
"""


@pytest.fixture
def env(endpoint: str, tmp_path: Path) -> dict[str, str]:
    (tmp_path / "reconciler.yaml").write_text(SPEC, encoding="utf-8")
    return user_env(tmp_path, endpoint=endpoint, secret="cli-secret-never-printed")


def test_invalidate_finds_the_distribution_by_its_tags_and_waits(
    env: dict[str, str], tmp_path: Path, boto_cloudfront: Any
) -> None:
    applied = run_cli("apply", "--auto-approve", cwd=tmp_path, env=env)
    assert applied.returncode == 0, applied.stderr
    done = run_cli(
        "invalidate", "api-cdn", "/index.html", "/img/*", "--wait", cwd=tmp_path, env=env
    )
    assert done.returncode == 0, done.stderr
    ident = boto_cloudfront.list_distributions()["DistributionList"]["Items"][0]["Id"]
    made = boto_cloudfront.list_invalidations(DistributionId=ident)["InvalidationList"]["Items"]
    assert len(made) == 1
    batch = boto_cloudfront.get_invalidation(DistributionId=ident, Id=made[0]["Id"])
    assert batch["Invalidation"]["InvalidationBatch"]["Paths"]["Items"] == ["/index.html", "/img/*"]
    assert batch["Invalidation"]["InvalidationBatch"]["CallerReference"].startswith("reconciler-")
    # The status as the store words it: AWS documents "Completed"; moto before 5.2.6 said
    # "COMPLETED". The wait compares it without case, and prints the store's word.
    status = batch["Invalidation"]["Status"]
    assert status.lower() == "completed"
    assert (
        done.stdout.strip()
        == f"distribution.api-cdn ({ident}): invalidation {made[0]['Id']} {status}"
    )
    assert "cli-secret-never-printed" not in done.stdout + done.stderr


def test_bad_paths_are_refused_before_any_call(tmp_path: Path) -> None:
    (tmp_path / "reconciler.yaml").write_text(SPEC, encoding="utf-8")
    done = run_cli(
        "invalidate",
        "api-cdn",
        "index.html",
        "/a*b",
        cwd=tmp_path,
        env=user_env(tmp_path, endpoint=None),
    )
    assert done.returncode == 1
    assert "distribution.api-cdn: invalid path(s)" in done.stderr
    assert "'index.html': a path starts with '/'" in done.stderr
    assert "'/a*b': '*' is allowed only as the last character" in done.stderr


def test_an_undeclared_name_is_refused(tmp_path: Path) -> None:
    (tmp_path / "reconciler.yaml").write_text(SPEC, encoding="utf-8")
    done = run_cli("invalidate", "nope", "/x", cwd=tmp_path, env={})
    assert done.returncode == 1
    assert "distribution.nope: not declared in the spec" in done.stderr


def test_path_rules() -> None:
    assert path_problems(["/", "/a/b.html", "/img/*", "/*"]) == []
    assert len(path_problems(["/a b", "/tab\there", "nope", "/x*/y"])) == 4

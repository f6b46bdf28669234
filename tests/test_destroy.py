"""``reconciler destroy`` against the emulator: what the stack owns goes (an empty bucket, a
distribution), what it does not own and a bucket still holding objects stay, prevent_destroy
refuses the whole destroy, and on a terminal nothing happens without the stack's name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.cli import run_cli, user_env

SPEC = """\
version: 1
stack: preview-42
buckets:
  preview-42-site: {versioning: enabled}
  preview-42-uploads: {}
distributions:
  cdn:
    comment: preview 42
    origins: [{id: site, bucket: preview-42-site}]
    default_cache_behavior: {target_origin: site, viewer_protocol_policy: redirect-to-https}
"""


def names(boto_s3: Any) -> set[str]:
    return {b["Name"] for b in boto_s3.list_buckets()["Buckets"]}


def test_destroy_deletes_what_the_stack_owns_and_nothing_else(
    endpoint: str, tmp_path: Path, boto_s3: Any, boto_cloudfront: Any
) -> None:
    env = user_env(tmp_path, endpoint=endpoint, secret="destroy-secret")
    (tmp_path / "reconciler.yaml").write_text(SPEC)
    assert run_cli("apply", "--auto-approve", cwd=tmp_path, env=env).returncode == 0
    boto_s3.put_object(Bucket="preview-42-uploads", Key="kept.txt", Body=b"user data")
    boto_s3.create_bucket(Bucket="preview-42-foreign")  # made by hand: not the stack's
    (tmp_path / "reconciler.yaml").write_text(
        SPEC.replace("buckets:\n", "buckets:\n  preview-42-foreign: {}\n")
    )
    shown = run_cli("plan", "--destroy", "--detailed-exitcode", cwd=tmp_path, env=env)
    assert shown.returncode == 2, shown.stdout + shown.stderr
    assert "- bucket.preview-42-site will be deleted" in shown.stdout
    assert "will be disabled, then deleted" in shown.stdout

    done = run_cli("destroy", "--auto-approve", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert names(boto_s3) == {"preview-42-uploads", "preview-42-foreign"}
    assert boto_cloudfront.list_distributions()["DistributionList"].get("Quantity", 0) == 0
    out = done.stdout
    assert "warning: bucket.preview-42-uploads: still holds objects: destroy keeps it" in out
    assert "warning: bucket.preview-42-foreign: not tagged reconciler:stack=preview-42" in out
    again = run_cli("destroy", "--auto-approve", cwd=tmp_path, env=env)
    assert again.returncode == 0
    assert "Nothing to destroy" in again.stderr


def test_prevent_destroy_refuses_the_whole_destroy(
    endpoint: str, tmp_path: Path, boto_s3: Any
) -> None:
    env = user_env(tmp_path, endpoint=endpoint, secret="destroy-secret")
    spec = "version: 1\nstack: keep\nbuckets:\n  keep-a: {}\n  keep-b: {prevent_destroy: true}\n"
    (tmp_path / "reconciler.yaml").write_text(spec)
    assert run_cli("apply", "--auto-approve", cwd=tmp_path, env=env).returncode == 0
    done = run_cli("destroy", "--auto-approve", cwd=tmp_path, env=env)
    assert done.returncode == 1
    assert "error: bucket.keep-b: declared absent with prevent_destroy set" in done.stdout
    assert "nothing was deleted" in done.stderr
    assert names(boto_s3) == {"keep-a", "keep-b"}


def test_destroy_without_a_terminal_needs_auto_approve(endpoint: str, tmp_path: Path) -> None:
    env = user_env(tmp_path, endpoint=endpoint, secret="destroy-secret")
    (tmp_path / "reconciler.yaml").write_text("version: 1\nstack: x\nbuckets:\n  x-a: {}\n")
    done = run_cli("destroy", cwd=tmp_path, env=env)
    assert done.returncode == 1
    assert "destroy needs confirmation and there is no terminal to ask on" in done.stderr

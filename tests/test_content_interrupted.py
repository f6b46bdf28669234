"""An apply killed (SIGKILL: no cleanup runs) while a 40 MB file goes up in parts, then run
again: the re-run finds the upload the manifest recorded, keeps the parts already there that
hold the file's bytes, sends the rest, completes it, and leaves no upload behind."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.cli import run_cli, user_env
from tests.content_site import BUCKET, LARGE, make_site, site_spec

SECRET = "test-secret-not-real"


def _parts(boto_s3: Any) -> int:
    uploads = boto_s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads") or []
    if not uploads:
        return 0
    upload = uploads[0]
    listed = boto_s3.list_parts(Bucket=BUCKET, Key=upload["Key"], UploadId=upload["UploadId"])
    return len(listed.get("Parts") or [])


def test_a_killed_multipart_upload_completes_on_the_next_run(
    tmp_path: Path, endpoint: str, boto_s3: Any
) -> None:
    site = make_site(tmp_path / "public", files=12)
    (tmp_path / "reconciler.yaml").write_text(site_spec(), encoding="utf-8")
    env = {**os.environ, **user_env(tmp_path, endpoint=endpoint, secret=SECRET)}
    command = [sys.executable, "-m", "reconciler", "apply", "--auto-approve", "--parallelism", "1"]
    process = subprocess.Popen(
        command,
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    killed_at = 0
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            try:
                killed_at = _parts(boto_s3)
            except boto_s3.exceptions.NoSuchBucket:
                killed_at = 0
            if killed_at >= 1:
                process.send_signal(signal.SIGKILL)
                break
            time.sleep(0.005)
    finally:
        process.kill()
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, "the apply ended before a part was sent"
    assert 1 <= killed_at < 5
    assert len(boto_s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads") or []) == 1

    again = run_cli(
        "apply",
        "--auto-approve",
        "--log-level",
        "debug",
        cwd=tmp_path,
        env=user_env(tmp_path, endpoint=endpoint, secret=SECRET),
    )
    assert again.returncode == 0, again.stderr
    sent = [line for line in again.stderr.splitlines() if "partNumber=" in line and " -> " in line]
    assert 1 <= len(sent) <= 5 - killed_at  # the parts already there are kept
    assert boto_s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads") is None
    got = boto_s3.get_object(Bucket=BUCKET, Key=LARGE)["Body"].read()
    assert hashlib.sha256(got).digest() == hashlib.sha256(site[LARGE]).digest()
    clean = run_cli(
        "plan",
        "--detailed-exitcode",
        cwd=tmp_path,
        env=user_env(tmp_path, endpoint=endpoint, secret=SECRET),
    )
    assert clean.returncode == 0, clean.stdout + clean.stderr

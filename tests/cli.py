"""Running the command line as a user does: a real process, its output and its exit code."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path


def run_cli(
    *args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reconciler", *args],
        cwd=cwd,
        env={**os.environ, **env} if env is not None else None,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def user_env(tmp_path: Path, *, endpoint: str | None, secret: str = "") -> dict[str, str]:
    """A user's environment: the emulator as endpoint (``None``: no endpoint, no credentials),
    keys in the environment and no shared AWS files."""
    nowhere = str(tmp_path / "none")
    env = {
        "AWS_ACCESS_KEY_ID": "AKIDCLI" if endpoint else "",
        "AWS_SECRET_ACCESS_KEY": secret if endpoint else "",
        "AWS_CONFIG_FILE": nowhere,
        "AWS_SHARED_CREDENTIALS_FILE": nowhere,
    }
    if endpoint:
        env |= {"AWS_ENDPOINT_URL": endpoint, "AWS_REGION": "us-east-1"}
    return env

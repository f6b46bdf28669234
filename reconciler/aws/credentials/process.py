"""``credential_process``: a command the profile names prints credentials as JSON.

The command is split like a shell would (quotes kept) but run without one, so nothing in it is
interpreted. Its standard error is shown when it fails (it is where such tools explain
themselves); its standard output, which holds the secret, never is.
"""

from __future__ import annotations

import json
import shlex
import subprocess

from reconciler.aws.credentials.provider import (
    RefreshingProvider,
    Temporary,
    temporary_from_json,
)
from reconciler.errors import CredentialsError

TIMEOUT_SECONDS = 120


def _run(command: str, source: str) -> Temporary:
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise CredentialsError(f"{source}: the command cannot be split ({exc})") from exc
    if not argv:
        raise CredentialsError(f"{source}: the command is empty")
    try:
        done = subprocess.run(  # noqa: S603 - the user's own configured command, no shell
            argv,
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except FileNotFoundError as exc:
        raise CredentialsError(f"{source}: no such program: {argv[0]}") from exc
    except OSError as exc:
        raise CredentialsError(f"{source}: cannot run {argv[0]}: {exc.strerror}") from exc
    except subprocess.TimeoutExpired as exc:
        raise CredentialsError(
            f"{source}: {argv[0]} did not finish in {TIMEOUT_SECONDS} s"
        ) from exc
    if done.returncode != 0:
        stderr = done.stderr.decode("utf-8", "replace").strip()
        said = f": {stderr}" if stderr else " (it wrote nothing on stderr)"
        raise CredentialsError(f"{source}: {argv[0]} exited with status {done.returncode}{said}")
    try:
        answer = json.loads(done.stdout)
    except ValueError as exc:
        raise CredentialsError(f"{source}: {argv[0]} did not print a JSON object") from exc
    if not isinstance(answer, dict) or answer.get("Version") != 1:
        raise CredentialsError(f"{source}: {argv[0]} must print a JSON object with Version 1")
    return temporary_from_json(answer, source=source, session_field="SessionToken")


def from_process(command: str, *, profile: str) -> RefreshingProvider:
    source = f"credential_process of profile {profile!r}"
    return RefreshingProvider(lambda: _run(command, source), source=source)

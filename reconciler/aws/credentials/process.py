"""``credential_process``: a command the profile names prints credentials as JSON.

The command is split like a shell would (quotes kept) but run without one, so nothing in it is
interpreted. It runs in a process group of its own, bounded: `TIMEOUT_SECONDS` (then the whole
group is killed: a tool that started helpers leaves none running) and at most
`limits.Bounds.credentials_bytes` of standard output. When it fails, its exit status is shown
with at most `STDERR_LINES` lines of its standard error (where such tools explain themselves),
control characters escaped; its standard output, which holds the secret, never is.
"""

from __future__ import annotations

import json
import os
import selectors
import shlex
import signal
import subprocess
import time

from reconciler.aws.credentials.provider import (
    RefreshingProvider,
    Temporary,
    temporary_from_json,
)
from reconciler.aws.limits import DEFAULT_BOUNDS, size
from reconciler.errors import CredentialsError
from reconciler.terminal import printable

TIMEOUT_SECONDS = 120
#: Lines of a failing command's standard error shown, and the characters of each.
STDERR_LINES = 5
STDERR_LINE_CHARS = 200
_STDERR_KEPT = 64 * 1024


class _Ran:
    def __init__(self, status: int | None, stdout: bytes, stderr: bytes, why: str = "") -> None:
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
        self.why = why  # why it was stopped, if it was


def _execute(argv: list[str], timeout: float, most: int) -> _Ran:
    """Run ``argv`` in a process group of its own; stopped (the group killed) past ``timeout``
    seconds or ``most`` bytes of standard output."""
    process = subprocess.Popen(  # noqa: S603 - the user's own configured command, no shell
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    out, err = bytearray(), bytearray()
    why = ""
    until = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ, out)
        selector.register(process.stderr, selectors.EVENT_READ, err)
        while selector.get_map():
            left = until - time.monotonic()
            if left <= 0:
                why = f"did not finish in {timeout:g} s"
                break
            for key, _ in selector.select(left):
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    selector.unregister(key.fileobj)
                    continue
                kept: bytearray = key.data
                if kept is err:
                    kept += chunk[: max(_STDERR_KEPT - len(kept), 0)]
                else:
                    kept += chunk
            if len(out) > most:
                why = f"printed more than {size(most)}"
                break
    if why:
        _kill_group(process)
    process.stdout.close()
    process.stderr.close()
    status = process.wait()
    return _Ran(None if why else status, bytes(out), bytes(err), why)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()


def _said(stderr: bytes) -> str:
    """What a failing command said on stderr: its last few lines, escaped and shortened."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return " (it wrote nothing on stderr)"
    shown = [printable(line)[:STDERR_LINE_CHARS] for line in lines[-STDERR_LINES:]]
    more = f" (the last {STDERR_LINES} of {len(lines)} lines)" if len(lines) > STDERR_LINES else ""
    return f"{more}: " + " / ".join(shown)


def _run(command: str, source: str) -> Temporary:
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise CredentialsError(f"{source}: the command cannot be split ({exc})") from exc
    if not argv:
        raise CredentialsError(f"{source}: the command is empty")
    program = printable(argv[0])
    try:
        ran = _execute(argv, TIMEOUT_SECONDS, DEFAULT_BOUNDS.credentials_bytes)
    except FileNotFoundError as exc:
        raise CredentialsError(f"{source}: no such program: {program}") from exc
    except OSError as exc:
        raise CredentialsError(f"{source}: cannot run {program}: {exc.strerror}") from exc
    if ran.why:
        raise CredentialsError(
            f"{source}: {program} {ran.why}: it was stopped, with every process it started"
        )
    if ran.status != 0:
        raise CredentialsError(
            f"{source}: {program} exited with status {ran.status}{_said(ran.stderr)}"
        )
    try:
        answer = json.loads(ran.stdout)
    except ValueError as exc:
        raise CredentialsError(f"{source}: {program} did not print a JSON object") from exc
    if not isinstance(answer, dict) or answer.get("Version") != 1:
        raise CredentialsError(f"{source}: {program} must print a JSON object with Version 1")
    return temporary_from_json(answer, source=source, session_field="SessionToken")


def from_process(command: str, *, profile: str) -> RefreshingProvider:
    source = f"credential_process of profile {profile!r}"
    return RefreshingProvider(lambda: _run(command, source), source=source)

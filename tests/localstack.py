"""LocalStack's own S3 (not moto), run on a loopback port for the aspects moto lacks or answers
unlike AWS: request payment, Intelligent-Tiering, inventory, metrics, analytics, replication
filters and delete markers, EventBridge notifications.

The tool that runs it lives beside the project (``../shared/tools/localstack-s3``); its first
``setup`` builds a virtual environment (a minute or two, cached under ``~/.cache``). Where it and
AWS differ, AWS's documented behaviour wins, and a test says which deviation it works around.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Where the tool is looked for: the environment's choice first, then beside the checkout.
CANDIDATES = (
    os.environ.get("RECONCILER_LOCALSTACK_S3", ""),
    str(Path(__file__).resolve().parent.parent.parent / "shared" / "tools" / "localstack-s3"),
    "/work/shared/tools/localstack-s3",
)
SETUP_TIMEOUT = 900
START_TIMEOUT = 120


def tool() -> str:
    for candidate in CANDIDATES:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise RuntimeError(
        "LocalStack's S3 runner was not found (looked in: "
        + ", ".join(c for c in CANDIDATES if c)
        + "); set RECONCILER_LOCALSTACK_S3 to its path"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_localstack/health", timeout=2) as answer:
            body = answer.read().decode()
    except OSError:
        return False
    return '"s3": "available"' in body or '"s3": "running"' in body


@contextmanager
def localstack_s3() -> Iterator[str]:
    """Set it up (cached), start it on a free loopback port, yield its URL, stop it."""
    runner = tool()
    subprocess.run([runner, "setup"], check=True, timeout=SETUP_TIMEOUT, capture_output=True)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [runner, "run", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _ready(url):
            if process.poll() is not None:
                raise RuntimeError(f"LocalStack's S3 exited with {process.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"LocalStack's S3 did not start in {START_TIMEOUT} s")
            time.sleep(0.5)
        yield url
    finally:
        os.killpg(process.pid, 15)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()

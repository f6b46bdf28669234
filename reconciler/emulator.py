"""The embedded S3 + CloudFront emulator: moto's server, in this process, on a free loopback port.

Used by ``reconciler demo`` and by the tests; it needs the ``local`` extra
(``pip install 'reconciler[local]'``). Nothing here is used when talking to AWS.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import requests

from reconciler.errors import ConfigError


@contextmanager
def embedded_emulator(port: int = 0) -> Iterator[str]:
    """Start the emulator (on ``port``, or a free one), yield its endpoint URL
    (``http://127.0.0.1:PORT``), stop it after."""
    try:
        from moto.server import ThreadedMotoServer  # noqa: PLC0415 - optional dependency
    except ImportError as exc:
        raise ConfigError(
            "the embedded emulator needs moto's server: pip install 'reconciler[local]'"
        ) from exc
    # The emulator's own access log would drown the reconciler's output.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    if port and not _port_free(port):
        raise ConfigError(f"port {port} on 127.0.0.1 is in use: choose another with --port")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def reset_emulator(endpoint: str) -> None:
    """Forget every resource the emulator holds (moto's reset API)."""
    requests.post(f"{endpoint}/moto-api/reset", timeout=10).raise_for_status()


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def export_lines(endpoint: str) -> list[str]:
    """The shell lines that point every AWS tool (the reconciler, the AWS CLI, boto3) at the
    emulator. The keys are placeholders: the emulator accepts any."""
    return [
        f"export AWS_ENDPOINT_URL={endpoint}",
        "export AWS_ACCESS_KEY_ID=emulator AWS_SECRET_ACCESS_KEY=emulator",
        # The reconciler reads AWS_REGION; older AWS CLI and boto3 releases only the other.
        "export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1",
    ]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def emulator_process(
    env: Mapping[str, str] | None = None, *, startup_seconds: float = 30.0
) -> Iterator[str]:
    """The emulator in its own process (its own interpreter, so it competes with the client for
    neither the GIL nor its settings); ``env`` adds environment variables such as moto's
    ``INITIAL_NO_AUTH_ACTION_COUNT``. Yields the endpoint URL; stops the process after."""
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_seconds
        while True:
            try:
                requests.get(f"{url}/moto-api/", timeout=1)
                break
            except requests.ConnectionError as exc:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise ConfigError(f"the emulator did not start on {url}") from exc
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)

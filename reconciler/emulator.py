"""The embedded S3 + CloudFront emulator: moto's server, in this process, on a free loopback port.

Used by ``reconciler demo`` and by the tests; it needs the ``local`` extra
(``pip install 'reconciler[local]'``). Nothing here is used when talking to AWS.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import requests

from reconciler.errors import ConfigError


@contextmanager
def embedded_emulator() -> Iterator[str]:
    """Start the emulator, yield its endpoint URL (``http://127.0.0.1:PORT``), stop it after."""
    try:
        from moto.server import ThreadedMotoServer  # noqa: PLC0415 - optional dependency
    except ImportError as exc:
        raise ConfigError(
            "the embedded emulator needs moto's server: pip install 'reconciler[local]'"
        ) from exc
    # The emulator's own access log would drown the reconciler's output.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def reset_emulator(endpoint: str) -> None:
    """Forget every resource the emulator holds (moto's reset API)."""
    requests.post(f"{endpoint}/moto-api/reset", timeout=10).raise_for_status()

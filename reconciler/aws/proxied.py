"""Requests through the proxy the environment names for an endpoint (``HTTPS_PROXY``,
``NO_PROXY``, ... read as ``requests`` reads them), on urllib3's ``ProxyManager``: tunnels for
HTTPS, proxy authentication from the proxy URL. Imported only where a proxy is configured; the
same interface as `connections.Connections`, urllib3's failures said in the same words."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

import requests.utils
import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    NewConnectionError,
    ReadTimeoutError,
    SSLError,
)
from urllib3.exceptions import HTTPError as HttpLibraryError

from reconciler.aws.connections import Answer, ConnectionFailure


def environ_proxy(root: str) -> str | None:
    """The proxy URL the environment names for ``root``, if any."""
    proxies = requests.utils.get_environ_proxies(root)
    found: str | None = proxies.get(urlsplit(root).scheme) or proxies.get("all")
    return found


class ProxiedConnections:
    """Requests to any endpoint through one proxy."""

    def __init__(
        self, proxy: str, *, connect: float, read: float, size: int, ca_certs: str
    ) -> None:
        self._manager = urllib3.ProxyManager(
            proxy,
            num_pools=8,
            maxsize=max(size, 1),
            retries=False,
            cert_reqs="CERT_REQUIRED",
            ca_certs=ca_certs,
        )
        self._timeout = urllib3.Timeout(connect=connect, read=read)

    def close(self) -> None:
        self._manager.clear()

    def request(
        self, method: str, url: str, *, body: bytes | None, headers: Mapping[str, str]
    ) -> Answer:
        try:
            raw = self._manager.urlopen(
                method,
                url,
                body=body,
                headers=dict(headers),
                redirect=False,
                retries=False,
                timeout=self._timeout,
                preload_content=True,
            )
        except HttpLibraryError as exc:
            raise ConnectionFailure(*_failure(exc)) from exc
        return Answer(raw.status, raw.headers, raw.data)


def _failure(exc: HttpLibraryError) -> tuple[str, str]:
    """What kind of failure it was (for the debug log), and why, in words."""
    if isinstance(exc, SSLError):
        return "SSLError", (
            "the TLS certificate is not trusted: for a private CA set AWS_CA_BUNDLE or the "
            "profile's ca_bundle"
        )
    if isinstance(exc, NewConnectionError):  # (a subclass of ConnectTimeoutError: first)
        return "ConnectionError", "connection failed or was refused"
    if isinstance(exc, ConnectTimeoutError):
        return "ConnectTimeout", "connection timed out"
    if isinstance(exc, ReadTimeoutError):
        return "ReadTimeout", "read timed out"
    return "ConnectionError", "connection failed or was reset"

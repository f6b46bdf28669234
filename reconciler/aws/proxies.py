"""The proxy the environment names for an endpoint (``HTTPS_PROXY``, ``HTTP_PROXY``,
``ALL_PROXY``, ``NO_PROXY``), read as ``requests`` reads them (``requests.utils``, imported only
where a proxy variable is set). Requests go through it on the same connections as any other
(`loop_connections`): HTTPS through a ``CONNECT`` tunnel, plain HTTP in absolute form; the
proxy URL's user and password become ``Proxy-Authorization``."""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from reconciler.errors import ConfigError

_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy")


@dataclass(frozen=True)
class Proxy:
    host: str
    port: int
    #: ``Proxy-Authorization`` (Basic), when the proxy URL carries a user.
    authorization: str | None = None

    @property
    def shown(self) -> str:
        """The proxy for messages: never its password."""
        return f"http://{self.host}:{self.port}"


def proxy_for(root: str) -> Proxy | None:
    """The proxy the environment names for ``root`` (``scheme://host[:port]``), if any."""
    if not any(name.lower() in _PROXY_VARIABLES for name in os.environ):
        return None
    import requests.utils  # noqa: PLC0415 - only where a proxy variable is set

    proxies = requests.utils.get_environ_proxies(root)
    found: str | None = proxies.get(urlsplit(root).scheme) or proxies.get("all")
    return parse_proxy(found) if found else None


@lru_cache(maxsize=8)
def parse_proxy(url: str) -> Proxy:
    parts = urlsplit(url if "://" in url else f"http://{url}")
    if parts.scheme != "http":
        raise ConfigError(
            f"the proxy {parts.scheme}://{parts.hostname}: only http:// proxies are supported "
            "(HTTPS requests go through them in a CONNECT tunnel)"
        )
    try:
        port = parts.port or 80
    except ValueError as exc:
        raise ConfigError(f"the proxy {parts.hostname}: its port is not a number") from exc
    authorization = None
    if parts.username:
        pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        authorization = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
    return Proxy(parts.hostname or "", port, authorization)

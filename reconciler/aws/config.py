"""Client settings: endpoints, region, timeouts, retries and pool size, with their sources.

Endpoints follow the AWS CLI: ``--endpoint-url`` first, then ``AWS_ENDPOINT_URL_S3`` /
``AWS_ENDPOINT_URL_CLOUDFRONT``, then ``AWS_ENDPOINT_URL``; none means AWS itself. The region
comes from ``--region``, ``AWS_REGION``, ``AWS_DEFAULT_REGION``, the profile's ``region``, and
finally ``us-east-1``. A private CA bundle comes from ``AWS_CA_BUNDLE`` (or
``REQUESTS_CA_BUNDLE``); proxies from ``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from reconciler.aws.profiles import SharedFiles, profile_settings
from reconciler.errors import ConfigError

DEFAULT_REGION = "us-east-1"
_SERVICE_ENV = {"s3": "AWS_ENDPOINT_URL_S3", "cloudfront": "AWS_ENDPOINT_URL_CLOUDFRONT"}


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries with capped exponential backoff and full jitter.

    The n-th retry waits a random time in ``[0, min(max_delay, base_delay * 2**(n-1))]``; a
    ``Retry-After`` from the server raises that wait (never beyond ``max_delay``).
    """

    max_attempts: int = 5
    base_delay: float = 0.2
    max_delay: float = 20.0

    def backoff(self, retry: int, jitter: float) -> float:
        """Seconds before retry number ``retry`` (1-based); ``jitter`` is uniform in [0, 1)."""
        return float(jitter * min(self.max_delay, self.base_delay * 2.0 ** (retry - 1)))


@dataclass(frozen=True)
class Timeouts:
    connect: float = 5.0
    read: float = 60.0


@dataclass(frozen=True)
class ClientConfig:
    region: str = DEFAULT_REGION
    endpoints: Mapping[str, str] = field(default_factory=dict)
    parallelism: int = 16
    timeouts: Timeouts = Timeouts()
    retry: RetryPolicy = RetryPolicy()
    ca_bundle: str | None = None

    def endpoint(self, service: str) -> str | None:
        return self.endpoints.get(service)


def _check_url(url: str, source: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{source}: {url!r} is not an http(s) URL")
    return url.rstrip("/")


def resolve_endpoints(*, cli_url: str | None, env: Mapping[str, str]) -> dict[str, str]:
    endpoints: dict[str, str] = {}
    for service, variable in _SERVICE_ENV.items():
        if cli_url:
            endpoints[service] = _check_url(cli_url, "--endpoint-url")
        elif env.get(variable):
            endpoints[service] = _check_url(env[variable], variable)
        elif env.get("AWS_ENDPOINT_URL"):
            endpoints[service] = _check_url(env["AWS_ENDPOINT_URL"], "AWS_ENDPOINT_URL")
    return endpoints


def resolve_region(*, cli_region: str | None, env: Mapping[str, str], profile: str | None) -> str:
    for candidate in (cli_region, env.get("AWS_REGION"), env.get("AWS_DEFAULT_REGION")):
        if candidate:
            return candidate
    name = profile or env.get("AWS_PROFILE") or "default"
    settings, _ = profile_settings(SharedFiles.from_environment(env), name)
    return settings.get("region") or DEFAULT_REGION


def resolve_client_config(
    *,
    env: Mapping[str, str],
    cli_endpoint_url: str | None = None,
    cli_region: str | None = None,
    profile: str | None = None,
    parallelism: int = 16,
) -> ClientConfig:
    if parallelism < 1:
        raise ConfigError(f"--parallelism: must be at least 1 (got {parallelism})")
    return ClientConfig(
        region=resolve_region(cli_region=cli_region, env=env, profile=profile),
        endpoints=resolve_endpoints(cli_url=cli_endpoint_url, env=env),
        parallelism=parallelism,
        ca_bundle=env.get("AWS_CA_BUNDLE") or env.get("REQUESTS_CA_BUNDLE") or None,
    )

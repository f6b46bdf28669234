"""Client settings: endpoints, region, timeouts, retries, addressing and pool size, read as the
AWS CLI reads them: the command line first, then the environment, then the profile in
``~/.aws/config``.

- Endpoints, per service (``s3``, ``cloudfront``, ``sts``, ``sso``, ``organizations``):
  ``--endpoint-url``, then ``AWS_ENDPOINT_URL_<SERVICE>``, then ``AWS_ENDPOINT_URL``, then the
  profile's ``[services NAME]`` section (``s3 =`` / ``endpoint_url = ...``), then its
  ``endpoint_url``; none means AWS itself.
- Region: ``--region``, ``AWS_REGION``, ``AWS_DEFAULT_REGION``, the profile's ``region``, then
  ``us-east-1``.
- A private CA bundle: ``AWS_CA_BUNDLE`` (or ``REQUESTS_CA_BUNDLE``), then ``ca_bundle``.
- Retries: ``AWS_MAX_ATTEMPTS`` then ``max_attempts``; ``AWS_RETRY_MODE`` then ``retry_mode``
  (``legacy``, ``standard`` or ``adaptive``; all retry the same way here).
- S3 addressing: the profile's ``s3 =`` / ``addressing_style = auto | path | virtual``.
Proxies come from ``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from reconciler.aws.limits import DEFAULT_BOUNDS, Bounds
from reconciler.aws.profiles import Profile, SharedFiles, nested, section
from reconciler.defaults import DEFAULT_PARALLELISM
from reconciler.errors import ConfigError

DEFAULT_REGION = "us-east-1"
#: The services the reconciler calls, as the AWS CLI names their endpoint settings.
SERVICES = ("s3", "cloudfront", "sts", "sso", "organizations")
RETRY_MODES = ("legacy", "standard", "adaptive")
ADDRESSING_STYLES = ("auto", "path", "virtual")


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
    parallelism: int = DEFAULT_PARALLELISM
    timeouts: Timeouts = Timeouts()
    retry: RetryPolicy = RetryPolicy()
    ca_bundle: str | None = None
    addressing_style: str = "auto"
    profile: str | None = None
    #: How far an endpoint is trusted: deadlines, answer sizes, pages (`limits.Bounds`).
    bounds: Bounds = DEFAULT_BOUNDS

    def endpoint(self, service: str) -> str | None:
        return self.endpoints.get(service)


def _check_url(url: str, source: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{source}: {url!r} is not an http(s) URL")
    return url.rstrip("/")


def _profile(env: Mapping[str, str], profile: str | None) -> Profile:
    """The profile in use: the one named, ``AWS_PROFILE``, or ``default``."""
    name = profile or env.get("AWS_PROFILE") or "default"
    return Profile.read(SharedFiles.from_environment(env), name)


def _services(env: Mapping[str, str], profile: Profile) -> dict[str, str]:
    """The endpoint URL per service that the profile's ``services`` section names."""
    found: dict[str, str] = {}
    services_name = profile.get("services")
    if not services_name:
        return found
    files = SharedFiles.from_environment(env)
    named = section(files.config, f"services {services_name}")
    if named is None:
        raise ConfigError(
            f"profile {profile.name!r} names services {services_name!r}, but {files.config} has "
            f"no [services {services_name}] section"
        )
    for service, value in named.items():
        url = nested(value).get("endpoint_url")
        if url:
            found[service] = url
    return found


def resolve_endpoints(
    *, cli_url: str | None, env: Mapping[str, str], profile: Profile | None = None
) -> dict[str, str]:
    endpoints: dict[str, str] = {}
    services = _services(env, profile) if profile is not None else {}
    for service in SERVICES:
        variable = f"AWS_ENDPOINT_URL_{service.upper()}"
        if cli_url:
            endpoints[service] = _check_url(cli_url, "--endpoint-url")
        elif env.get(variable):
            endpoints[service] = _check_url(env[variable], variable)
        elif env.get("AWS_ENDPOINT_URL"):
            endpoints[service] = _check_url(env["AWS_ENDPOINT_URL"], "AWS_ENDPOINT_URL")
        elif profile is not None and services.get(service):
            where = f"{profile.origin}: services {service} endpoint_url"
            endpoints[service] = _check_url(services[service], where)
        elif profile is not None and profile.get("endpoint_url"):
            where = f"{profile.origin}: endpoint_url"
            endpoints[service] = _check_url(profile.get("endpoint_url"), where)
    return endpoints


def _region(cli_region: str | None, env: Mapping[str, str], profile: Profile) -> str:
    for candidate in (cli_region, env.get("AWS_REGION"), env.get("AWS_DEFAULT_REGION")):
        if candidate:
            return candidate
    return profile.get("region") or DEFAULT_REGION


def resolve_region(*, cli_region: str | None, env: Mapping[str, str], profile: str | None) -> str:
    return _region(cli_region, env, _profile(env, profile))


def _retry(env: Mapping[str, str], profile: Profile) -> RetryPolicy:
    mode = env.get("AWS_RETRY_MODE") or profile.get("retry_mode")
    if mode and mode not in RETRY_MODES:
        source = "AWS_RETRY_MODE" if env.get("AWS_RETRY_MODE") else f"{profile.origin}: retry_mode"
        raise ConfigError(f"{source}: {mode!r} is not one of {', '.join(RETRY_MODES)}")
    given = env.get("AWS_MAX_ATTEMPTS") or profile.get("max_attempts")
    if not given:
        return RetryPolicy()
    source = (
        "AWS_MAX_ATTEMPTS" if env.get("AWS_MAX_ATTEMPTS") else f"{profile.origin}: max_attempts"
    )
    if not given.isdigit() or int(given) < 1:
        raise ConfigError(f"{source}: {given!r} is not a whole number of at least 1")
    return RetryPolicy(max_attempts=int(given))


def _addressing(profile: Profile) -> str:
    style = nested(profile.settings.get("s3")).get("addressing_style", "auto")
    if style not in ADDRESSING_STYLES:
        raise ConfigError(
            f"{profile.origin}: s3 addressing_style {style!r} is not one of "
            + ", ".join(ADDRESSING_STYLES)
        )
    return style


def resolve_client_config(
    *,
    env: Mapping[str, str],
    cli_endpoint_url: str | None = None,
    cli_region: str | None = None,
    profile: str | None = None,
    parallelism: int = DEFAULT_PARALLELISM,
) -> ClientConfig:
    if parallelism < 1:
        raise ConfigError(f"--parallelism: must be at least 1 (got {parallelism})")
    settings = _profile(env, profile)
    return ClientConfig(
        region=_region(cli_region, env, settings),
        endpoints=resolve_endpoints(cli_url=cli_endpoint_url, env=env, profile=settings),
        parallelism=parallelism,
        retry=_retry(env, settings),
        ca_bundle=env.get("AWS_CA_BUNDLE")
        or env.get("REQUESTS_CA_BUNDLE")
        or settings.get("ca_bundle")
        or None,
        addressing_style=_addressing(settings),
        profile=profile,
    )

"""Credentials served over HTTP by the machine the reconciler runs on: the container credential
endpoint (ECS tasks, EKS Pod Identity) and the EC2 instance metadata service (IMDSv2 only).

Both answer JSON with ``AccessKeyId``, ``SecretAccessKey``, ``Token`` and ``Expiration``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from reconciler.aws.config import RetryPolicy, Timeouts
from reconciler.aws.credentials.context import SourceContext
from reconciler.aws.credentials.provider import (
    RefreshingProvider,
    Temporary,
    temporary_from_json,
)
from reconciler.aws.limits import CREDENTIALS
from reconciler.aws.transport import Request, Transport
from reconciler.errors import CredentialsError

ECS_HOST = "http://169.254.170.2"
IMDS_ENDPOINT = "http://169.254.169.254"
# The hosts a FULL_URI may name over plain HTTP: loopback and the container agents' own.
_ALLOWED_HTTP_HOSTS = {"127.0.0.1", "localhost", "::1", "169.254.170.2", "169.254.170.23"}
_ALLOWED_HTTP_HOSTS |= {"fd00:ec2::23"}
# The instance metadata service answers in milliseconds when it is there at all; a laptop has
# none, and waiting for it must not make "no credentials" slow.
IMDS_TIMEOUTS = Timeouts(connect=1.0, read=2.0)
IMDS_RETRY = RetryPolicy(max_attempts=2, base_delay=0.1, max_delay=0.5)
IMDS_SESSION_SECONDS = "21600"


def fetch_body(
    transport: Transport,
    url: str,
    *,
    operation: str,
    source: str,
    headers: Mapping[str, str] | None = None,
    method: str = "GET",
) -> bytes:
    parts = urlsplit(url)
    path = parts.path or "/"
    query = tuple((k, v) for k, _, v in (p.partition("=") for p in parts.query.split("&") if p))
    request = Request(
        service="credentials",
        region="",
        method=method,
        root=f"{parts.scheme}://{parts.netloc}",
        path=path,
        query=query,
        operation=operation,
        headers=dict(headers or {}),
        address=source,
        signed=False,
        answer=CREDENTIALS,
    )
    return transport.send(request).body


def decode(body: bytes, *, source: str) -> Temporary:
    """The JSON both endpoints answer with."""
    try:
        answer = json.loads(body)
    except ValueError as exc:
        raise CredentialsError(f"{source}: the answer is not JSON") from exc
    if not isinstance(answer, dict):
        raise CredentialsError(f"{source}: the answer is not a JSON object")
    if answer.get("Code") not in (None, "Success"):
        raise CredentialsError(f"{source}: the endpoint answered {answer.get('Code')!r}")
    return temporary_from_json(answer, source=source, session_field="Token")


def _container_url(env: Mapping[str, str]) -> str | None:
    relative = env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "").strip()
    if relative:
        return ECS_HOST + (relative if relative.startswith("/") else "/" + relative)
    full = env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI", "").strip()
    if not full:
        return None
    parts = urlsplit(full)
    if parts.scheme == "https" or (
        parts.scheme == "http" and (parts.hostname or "") in _ALLOWED_HTTP_HOSTS
    ):
        return full
    raise CredentialsError(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http on loopback or the container "
        f"agent's address; {parts.scheme}://{parts.hostname} is neither"
    )


def _authorization(env: Mapping[str, str]) -> dict[str, str]:
    path = env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "").strip()
    if path:
        try:
            token = Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise CredentialsError(
                f"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: cannot read {path}: {exc.strerror}"
            ) from exc
    else:
        token = env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN", "").strip()
    if any(c in token for c in "\r\n"):
        raise CredentialsError("the container authorization token holds a line break")
    return {"authorization": token} if token else {}


def from_container(ctx: SourceContext) -> RefreshingProvider | None:
    url = _container_url(ctx.env)
    if url is None:
        return None
    source = "the container credential endpoint"
    transport = ctx.transport()

    def fetch() -> Temporary:
        # The token file is read at every fetch: EKS rotates it.
        body = fetch_body(
            transport,
            url,
            operation="GetContainerCredentials",
            source=source,
            headers=_authorization(ctx.env),
        )
        return decode(body, source=source)

    return ctx.refreshing(fetch, source=source)


def imds_disabled(env: Mapping[str, str]) -> bool:
    return env.get("AWS_EC2_METADATA_DISABLED", "").strip().lower() == "true"


def from_instance_metadata(ctx: SourceContext) -> RefreshingProvider | None:
    if imds_disabled(ctx.env):
        return None
    root = (ctx.env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT") or IMDS_ENDPOINT).rstrip("/")
    source = "the EC2 instance metadata service"
    transport = ctx.transport(timeouts=IMDS_TIMEOUTS, retry=IMDS_RETRY)

    def fetch() -> Temporary:
        # IMDSv2 only: a session token first, then every read carries it.
        token = fetch_body(
            transport,
            f"{root}/latest/api/token",
            operation="GetMetadataToken",
            source=source,
            method="PUT",
            headers={"x-aws-ec2-metadata-token-ttl-seconds": IMDS_SESSION_SECONDS},
        ).decode("utf-8", "replace")
        headers = {"x-aws-ec2-metadata-token": token.strip()}
        base = f"{root}/latest/meta-data/iam/security-credentials/"
        names = fetch_body(transport, base, operation="GetRoleName", source=source, headers=headers)
        role = names.decode("utf-8", "replace").strip().splitlines()
        if not role:
            raise CredentialsError(f"{source}: the instance has no IAM role attached")
        body = fetch_body(
            transport,
            base + role[0],
            operation="GetRoleCredentials",
            source=source,
            headers=headers,
        )
        return decode(body, source=f"{source} (role {role[0]})")

    return ctx.refreshing(fetch, source=source)

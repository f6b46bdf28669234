"""IAM Identity Center (SSO): the role credentials of a signed-in portal session.

The reconciler does not sign in itself: ``aws sso login`` does, and leaves an access token in the
AWS CLI's cache (``~/.aws/sso/cache/<sha1>.json``, named after the ``sso_session`` name, or after
the start URL for legacy profiles). That token buys role credentials from the portal's
``GetRoleCredentials`` (``https://portal.sso.REGION.amazonaws.com``, or ``AWS_ENDPOINT_URL_SSO``).
An expired or missing token is an error that says which login to run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from reconciler.aws.credentials.context import SourceContext
from reconciler.aws.credentials.endpoints import fetch_body
from reconciler.aws.credentials.provider import RefreshingProvider, Temporary, parse_time
from reconciler.aws.endpoints import aws_domain
from reconciler.aws.profiles import section
from reconciler.aws.signing import Credentials
from reconciler.errors import CredentialsError, Forbidden

SETTINGS = ("sso_session", "sso_start_url")


def _settings(ctx: SourceContext, profile: str, settings: Mapping[str, str]) -> dict[str, str]:
    found = {k: v.strip() for k, v in settings.items() if k.startswith("sso_")}
    name = found.get("sso_session")
    if name:
        session = section(ctx.files.config, f"sso-session {name}")
        if session is None:
            raise CredentialsError(
                f"profile {profile!r} names sso_session {name!r}, but {ctx.files.config} has no "
                f"[sso-session {name}] section"
            )
        found = {**{k: v.strip() for k, v in session.items()}, **found}
    missing = [
        k
        for k in ("sso_start_url", "sso_region", "sso_account_id", "sso_role_name")
        if not found.get(k)
    ]
    if missing:
        raise CredentialsError(
            f"profile {profile!r} uses IAM Identity Center but lacks " + ", ".join(missing)
        )
    return found


def cache_file(ctx: SourceContext, settings: Mapping[str, str]) -> Path:
    key = settings.get("sso_session") or settings["sso_start_url"]
    digest = hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()
    home = Path(ctx.env.get("HOME") or Path.home())
    return home / ".aws" / "sso" / "cache" / f"{digest}.json"


def _token(ctx: SourceContext, settings: Mapping[str, str], login: str) -> str:
    path = cache_file(ctx, settings)
    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CredentialsError(
            f"no IAM Identity Center sign-in found ({path}); run: {login}"
        ) from exc
    except (OSError, ValueError) as exc:
        raise CredentialsError(f"{path}: not a readable SSO token cache; run: {login}") from exc
    token, expires = cached.get("accessToken"), cached.get("expiresAt")
    if not isinstance(token, str) or not isinstance(expires, str):
        raise CredentialsError(f"{path}: the SSO token cache holds no token; run: {login}")
    when = parse_time(expires.replace("UTC", "+00:00"), what=f"{path}: expiresAt")
    if when <= ctx.clock():
        raise CredentialsError(
            f"the IAM Identity Center sign-in expired at {when.isoformat()}; run: {login}"
        )
    return token


def from_sso(ctx: SourceContext, profile: str, settings: Mapping[str, str]) -> RefreshingProvider:
    found = _settings(ctx, profile, settings)
    login = f"aws sso login --profile {profile}"
    region = found["sso_region"]
    root = (ctx.sso_url or f"https://portal.sso.{region}.{aws_domain(region)}").rstrip("/")
    source = f"IAM Identity Center (profile {profile!r}, role {found['sso_role_name']})"
    transport = ctx.transport()

    def fetch() -> Temporary:
        token = _token(ctx, found, login)
        url = (
            f"{root}/federation/credentials?role_name={found['sso_role_name']}"
            f"&account_id={found['sso_account_id']}"
        )
        try:
            body = fetch_body(
                transport,
                url,
                operation="GetRoleCredentials",
                source=source,
                headers={"x-amz-sso_bearer_token": token},
            )
        except Forbidden as exc:
            raise CredentialsError(
                f"{source}: the portal refused the sign-in ({exc.code}); run: {login}"
            ) from exc
        return _decode(body, source)

    return ctx.refreshing(fetch, source=source)


def _decode(body: bytes, source: str) -> Temporary:
    try:
        role = json.loads(body)["roleCredentials"]
        key_id, secret = role["accessKeyId"], role["secretAccessKey"]
        token, expires_ms = role.get("sessionToken"), role["expiration"]
        expires = datetime.fromtimestamp(int(expires_ms) / 1000, tz=UTC)
    except (ValueError, KeyError, TypeError) as exc:
        raise CredentialsError(f"{source}: GetRoleCredentials answered unreadable JSON") from exc
    return Temporary(Credentials(str(key_id), str(secret), token, source=source), expires)

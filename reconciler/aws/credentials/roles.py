"""Credentials for a role: ``AssumeRole`` with source credentials (a profile's ``role_arn`` with
``source_profile`` or ``credential_source``), and ``AssumeRoleWithWebIdentity`` with an OIDC
token read from a file (``web_identity_token_file`` in a profile, or ``AWS_ROLE_ARN`` +
``AWS_WEB_IDENTITY_TOKEN_FILE`` in the environment: GitLab and GitHub OIDC, EKS IRSA).

The token file is read again at every refresh: the platforms that write it rotate it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path

from reconciler.aws.credentials.context import SourceContext
from reconciler.aws.credentials.provider import CredentialProvider, RefreshingProvider, Temporary
from reconciler.aws.limits import within
from reconciler.errors import CredentialsError, ReconcilerError


def session_name(given: str | None) -> str:
    return (given or "").strip() or f"reconciler-{int(time.time())}"


def _duration(value: str | None, profile: str) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise CredentialsError(f"profile {profile!r}: duration_seconds must be a number") from exc


def assume_role(
    ctx: SourceContext,
    *,
    profile: str,
    settings: Mapping[str, str],
    source_credentials: CredentialProvider,
) -> RefreshingProvider:
    role_arn = settings["role_arn"].strip()
    source = f"role {role_arn} (profile {profile!r})"
    sts = ctx.sts(source_credentials, region=settings.get("region") or None)
    mfa_serial = settings.get("mfa_serial", "").strip()
    name = session_name(settings.get("role_session_name"))

    def mfa() -> tuple[str, str] | None:
        if not mfa_serial:
            return None
        if ctx.prompt is None:
            raise CredentialsError(
                f"profile {profile!r} needs an MFA code (mfa_serial {mfa_serial}) and there is "
                "no terminal to ask on; run it at a terminal, or export temporary credentials "
                "(aws configure export-credentials --profile " + profile + " --format env)"
            )
        code = ctx.prompt(f"MFA code for {mfa_serial}").strip()
        if not code:
            raise CredentialsError(f"profile {profile!r}: no MFA code was given")
        return mfa_serial, code

    def fetch() -> Temporary:
        code = mfa()  # (however long the person takes: the fetch's time starts after)
        try:
            with within(ctx.bounds.credential_seconds, source):
                return sts.assume_role(
                    role_arn=role_arn,
                    session_name=name,
                    source=source,
                    external_id=settings.get("external_id", "").strip() or None,
                    duration_seconds=_duration(settings.get("duration_seconds"), profile),
                    mfa=code,
                )
        except CredentialsError:
            raise
        except ReconcilerError as exc:
            raise CredentialsError(f"cannot assume {source}: {exc}") from exc

    return ctx.refreshing(fetch, source=source)


def web_identity(
    ctx: SourceContext,
    *,
    role_arn: str,
    token_file: str,
    given_name: str | None,
    origin: str,
    region: str | None = None,
    duration: int | None = None,
) -> RefreshingProvider:
    source = f"web identity for role {role_arn} ({origin})"
    sts = ctx.sts(None, region=region)
    name = session_name(given_name)

    def fetch() -> Temporary:
        try:
            token = Path(token_file).expanduser().read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise CredentialsError(
                f"{source}: cannot read the token file {token_file}: {exc.strerror}"
            ) from exc
        if not token:
            raise CredentialsError(f"{source}: the token file {token_file} is empty")
        try:
            return sts.assume_role_with_web_identity(
                role_arn=role_arn,
                session_name=name,
                token=token,
                source=source,
                duration_seconds=duration,
            )
        except ReconcilerError as exc:
            raise CredentialsError(f"cannot assume {source}: {exc}") from exc

    return ctx.refreshing(fetch, source=source)


def web_identity_from_environment(ctx: SourceContext) -> RefreshingProvider | None:
    token_file = ctx.env.get("AWS_WEB_IDENTITY_TOKEN_FILE", "").strip()
    role_arn = ctx.env.get("AWS_ROLE_ARN", "").strip()
    if not token_file and not role_arn:
        return None
    if not (token_file and role_arn):
        missing = "AWS_ROLE_ARN" if token_file else "AWS_WEB_IDENTITY_TOKEN_FILE"
        raise CredentialsError(
            f"the environment sets only half of a web identity: {missing} is not set"
        )
    return web_identity(
        ctx,
        role_arn=role_arn,
        token_file=token_file,
        given_name=ctx.env.get("AWS_ROLE_SESSION_NAME"),
        origin="AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE",
    )

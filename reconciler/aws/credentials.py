"""Where the reconciler's credentials come from, in the contract's order:

1. the profile named on the command line (``--profile``), from the shared files;
2. the environment: ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN``;
3. ``AWS_PROFILE`` (or ``default``) in the shared files.

When nothing is found the error names every place that was looked at and why it gave nothing.
No value read here is ever put in a message.
"""

from __future__ import annotations

from collections.abc import Mapping

from reconciler.aws.profiles import SharedFiles, profile_settings
from reconciler.aws.signing import Credentials
from reconciler.errors import CredentialsError

# Profile settings that mean "get credentials some other way", which this client does not do.
_UNSUPPORTED = {
    "credential_process": "credential_process",
    "role_arn": "role_arn (assume-role)",
    "sso_session": "sso_session (IAM Identity Center)",
    "sso_start_url": "sso_start_url (IAM Identity Center)",
    "web_identity_token_file": "web_identity_token_file",
}


def _from_settings(settings: Mapping[str, str], *, profile: str, where: str) -> Credentials | None:
    key_id = settings.get("aws_access_key_id", "").strip()
    secret = settings.get("aws_secret_access_key", "").strip()
    if key_id and secret:
        token = settings.get("aws_session_token", "").strip() or None
        return Credentials(key_id, secret, token, source=f"profile {profile!r} ({where})")
    if key_id or secret:
        missing = "aws_secret_access_key" if key_id else "aws_access_key_id"
        raise CredentialsError(f"profile {profile!r} ({where}) has no {missing}")
    for setting, label in _UNSUPPORTED.items():
        if setting in settings:
            raise CredentialsError(
                f"profile {profile!r} ({where}) gets its credentials through {label}, which the "
                "reconciler does not support; export AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and "
                "AWS_SESSION_TOKEN (for example with `aws configure export-credentials "
                "--format env`) or use a profile with static keys"
            )
    return None


def _from_profile(files: SharedFiles, profile: str, looked: list[str]) -> Credentials | None:
    settings, lookups = profile_settings(files, profile)
    where = " and ".join(str(found.path) for found in lookups if found.settings is not None)
    if settings:
        found = _from_settings(settings, profile=profile, where=where)
        if found:
            return found
        looked.extend(
            f"{item.path} (profile {profile!r} has no keys)"
            for item in lookups
            if item.settings is not None
        )
    looked.extend(f"{item.path} ({item.why_not})" for item in lookups if item.settings is None)
    return None


def resolve_credentials(
    *, env: Mapping[str, str], profile: str | None = None, files: SharedFiles | None = None
) -> Credentials:
    """The credentials to sign with, following the contract's order."""
    files = files or SharedFiles.from_environment(env)
    looked: list[str] = []
    if profile:
        found = _from_profile(files, profile, looked)
        if found:
            return found
        raise CredentialsError(
            f"no credentials for profile {profile!r} (from --profile); looked in: "
            + "; ".join(looked)
        )

    key_id = env.get("AWS_ACCESS_KEY_ID", "").strip()
    secret = env.get("AWS_SECRET_ACCESS_KEY", "").strip()
    if key_id and secret:
        token = env.get("AWS_SESSION_TOKEN", "").strip() or None
        return Credentials(key_id, secret, token, source="environment")
    if key_id or secret:
        missing = "AWS_SECRET_ACCESS_KEY" if key_id else "AWS_ACCESS_KEY_ID"
        raise CredentialsError(f"the environment sets only half a key pair: {missing} is not set")
    looked.append("the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set)")

    env_profile = env.get("AWS_PROFILE", "").strip()
    name = env_profile or "default"
    found = _from_profile(files, name, looked)
    if found:
        return found
    origin = "AWS_PROFILE" if env_profile else "the default profile"
    raise CredentialsError(
        f"no AWS credentials found (profile {name!r} from {origin}); looked in: "
        + "; ".join(looked)
    )

"""Keys in the environment: ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY`` and, for temporary
keys, ``AWS_SESSION_TOKEN``."""

from __future__ import annotations

from collections.abc import Mapping

from reconciler.aws.credentials.provider import StaticProvider
from reconciler.aws.signing import Credentials
from reconciler.errors import CredentialsError

WHERE = "the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set)"


def from_environment(env: Mapping[str, str]) -> StaticProvider | None:
    key_id = env.get("AWS_ACCESS_KEY_ID", "").strip()
    secret = env.get("AWS_SECRET_ACCESS_KEY", "").strip()
    if key_id and secret:
        token = env.get("AWS_SESSION_TOKEN", "").strip() or None
        return StaticProvider(Credentials(key_id, secret, token, source="environment"))
    if key_id or secret:
        missing = "AWS_SECRET_ACCESS_KEY" if key_id else "AWS_ACCESS_KEY_ID"
        raise CredentialsError(f"the environment sets only half a key pair: {missing} is not set")
    return None

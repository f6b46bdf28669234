"""Where the credentials come from, in the AWS CLI's order.

With ``--profile NAME`` only that profile is used (the person said which one). Otherwise:

1. keys in the environment (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
   ``AWS_SESSION_TOKEN``);
2. the profile (``AWS_PROFILE``, else ``default``) when it assumes a role with ``source_profile``
   or ``credential_source``;
3. a web identity: ``AWS_ROLE_ARN`` + ``AWS_WEB_IDENTITY_TOKEN_FILE`` in the environment, or a
   profile's ``role_arn`` + ``web_identity_token_file``;
4. the rest of the profile: IAM Identity Center (``sso_session`` or legacy ``sso_*`` keys), its
   static keys, its ``credential_process``;
5. the container credential endpoint (``AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`` / ``_FULL_URI``);
6. the EC2 instance metadata service (IMDSv2), unless ``AWS_EC2_METADATA_DISABLED=true``.

Within a profile the same order holds: a role first, then a web identity, SSO, keys, a process.
A role's ``source_profile`` is resolved the same way, so chains of roles work; a profile met twice
in one chain is a cycle and an error. When nothing is found the error lists every place looked.
No value read here is ever put in a message.
"""

from __future__ import annotations

from collections.abc import Mapping

from reconciler.aws.credentials import endpoints, roles, sso
from reconciler.aws.credentials.context import SourceContext
from reconciler.aws.credentials.environment import WHERE as ENV_WHERE
from reconciler.aws.credentials.environment import from_environment
from reconciler.aws.credentials.process import from_process
from reconciler.aws.credentials.provider import CredentialProvider, StaticProvider
from reconciler.aws.profiles import Profile, SharedFiles
from reconciler.aws.signing import Credentials
from reconciler.errors import ApiError, CredentialsError, TransportError


def _keys(profile: Profile) -> StaticProvider | None:
    """The keys a profile holds itself, if any (half a pair is an error)."""
    key_id, secret = profile.get("aws_access_key_id"), profile.get("aws_secret_access_key")
    if key_id and secret:
        token = profile.get("aws_session_token") or None
        return StaticProvider(Credentials(key_id, secret, token, source=profile.label))
    if key_id or secret:
        missing = "aws_secret_access_key" if key_id else "aws_access_key_id"
        raise CredentialsError(f"{profile.label} has no {missing}")
    return None


def _assumes_role(profile: Profile) -> bool:
    return bool(profile.get("role_arn")) and not profile.get("web_identity_token_file")


def _role(ctx: SourceContext, profile: Profile, chain: tuple[str, ...]) -> CredentialProvider:
    """A profile's ``role_arn`` assumed with its ``source_profile`` or ``credential_source``."""
    source_profile = profile.get("source_profile")
    credential_source = profile.get("credential_source")
    if source_profile and credential_source:
        raise CredentialsError(f"{profile.label} sets both source_profile and credential_source")
    if source_profile:
        if source_profile == profile.name:
            found: CredentialProvider | None = _keys(profile)
        elif source_profile in chain:
            loop = " -> ".join((*chain, profile.name, source_profile))
            raise CredentialsError(f"the source_profile settings form a cycle: {loop}")
        else:
            found = _profile(ctx, Profile.read(ctx.files, source_profile), (*chain, profile.name))
        if found is None:
            raise CredentialsError(
                f"{profile.label}: its source_profile {source_profile!r} has no credentials"
            )
    elif credential_source:
        found = _credential_source(ctx, profile, credential_source)
    else:
        raise CredentialsError(
            f"{profile.label} sets role_arn without source_profile, credential_source or "
            "web_identity_token_file: nothing says which credentials assume the role"
        )
    return roles.assume_role(
        ctx, profile=profile.name, settings=profile.settings, source_credentials=found
    )


def _credential_source(ctx: SourceContext, profile: Profile, name: str) -> CredentialProvider:
    found: CredentialProvider | None
    if name == "Environment":
        found = from_environment(ctx.env)
    elif name == "EcsContainer":
        found = endpoints.from_container(ctx)
    elif name == "Ec2InstanceMetadata":
        found = endpoints.from_instance_metadata(ctx)
    else:
        raise CredentialsError(
            f"{profile.label}: credential_source {name!r} is not one of Environment, "
            "Ec2InstanceMetadata, EcsContainer"
        )
    if found is None:
        raise CredentialsError(f"{profile.label}: credential_source {name} gives no credentials")
    return found


def _web_identity(ctx: SourceContext, profile: Profile) -> CredentialProvider | None:
    token_file = profile.get("web_identity_token_file")
    if not token_file:
        return None
    if not profile.get("role_arn"):
        raise CredentialsError(f"{profile.label} sets web_identity_token_file without role_arn")
    duration = profile.get("duration_seconds")
    return roles.web_identity(
        ctx,
        role_arn=profile.get("role_arn"),
        token_file=token_file,
        given_name=profile.get("role_session_name") or None,
        origin=profile.label,
        region=profile.get("region") or None,
        duration=int(duration) if duration.isdigit() else None,
    )


def _profile_rest(ctx: SourceContext, profile: Profile) -> CredentialProvider | None:
    """A profile's sources after its role: web identity, SSO, keys, ``credential_process``."""
    found = _web_identity(ctx, profile)
    if found is not None:
        return found
    if any(profile.get(k) for k in sso.SETTINGS):
        return sso.from_sso(ctx, profile.name, profile.settings)
    keys = _keys(profile)
    if keys is not None:
        return keys
    command = profile.get("credential_process")
    if command:
        return from_process(command, profile=profile.name)
    return None


def _profile(
    ctx: SourceContext, profile: Profile, chain: tuple[str, ...] = ()
) -> CredentialProvider | None:
    if _assumes_role(profile):
        return _role(ctx, profile, chain)
    return _profile_rest(ctx, profile)


def _from_chain(ctx: SourceContext, looked: list[str]) -> CredentialProvider | None:
    found: CredentialProvider | None = from_environment(ctx.env)
    if found is not None:
        return found
    looked.append(ENV_WHERE)
    env_profile = ctx.env.get("AWS_PROFILE", "").strip()
    profile = Profile.read(ctx.files, env_profile or "default")
    if _assumes_role(profile):
        return _role(ctx, profile, ())
    found = roles.web_identity_from_environment(ctx)
    if found is not None:
        return found
    looked.append("AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE (not set)")
    found = _profile_rest(ctx, profile)
    if found is not None:
        return found
    looked.extend(profile.looked)
    found = endpoints.from_container(ctx)
    if found is not None:
        return found
    looked.append("the container credential endpoint (AWS_CONTAINER_CREDENTIALS_*_URI not set)")
    imds = endpoints.from_instance_metadata(ctx)
    if imds is None:
        looked.append("the EC2 instance metadata service (AWS_EC2_METADATA_DISABLED=true)")
        return None
    try:
        imds.get()
    except TransportError:
        looked.append("the EC2 instance metadata service (no answer: not an EC2 instance)")
        return None
    except ApiError as exc:
        # Something answered at the metadata address, but not as IMDSv2 does (a proxy, a
        # sandbox): not a source of credentials here.
        looked.append(f"the EC2 instance metadata service (it answered {exc.code})")
        return None
    return imds


def resolve_provider(ctx: SourceContext, *, profile: str | None = None) -> CredentialProvider:
    """The credentials to sign with, ready for use (fetched once, so a broken source fails
    here, before any request, and not half-way through a plan)."""
    looked: list[str] = []
    if profile:
        named = Profile.read(ctx.files, profile)
        found = _profile(ctx, named)
        if found is None:
            raise CredentialsError(
                f"no credentials for profile {profile!r} (from --profile); looked in: "
                + "; ".join(named.looked)
            )
    else:
        found = _from_chain(ctx, looked)
        if found is None:
            env_profile = ctx.env.get("AWS_PROFILE", "").strip()
            origin = "AWS_PROFILE" if env_profile else "the default profile"
            raise CredentialsError(
                f"no AWS credentials found (profile {env_profile or 'default'!r} from {origin}); "
                "looked in: " + "; ".join(looked)
            )
    found.get()
    return found


def resolve_credentials(
    *, env: Mapping[str, str], profile: str | None = None, files: SharedFiles | None = None
) -> Credentials:
    """The credentials the chain finds now, from the environment and the shared files."""
    ctx = SourceContext(
        env=env,
        files=files or SharedFiles.from_environment(env),
        region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
    )
    return resolve_provider(ctx, profile=profile).get()

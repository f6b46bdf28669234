"""Each target's session: its account's role, assumed directly from the hub's credentials, and
clients of its own.

- One role session per account (every region of an account uses the same role): assumed with
  ``AssumeRole`` signed by the hub's credentials, never by another target's role (a chained
  session is capped at one hour), and renewed before it expires (`RefreshingProvider`).
- Each target its own `Session` (transport, S3 client): the adaptive concurrency of its
  endpoints is its own, per account and region.
- One CloudFront client per account, shared by the account's targets: CloudFront is global and
  throttles per account, so the account's CloudFront budget (the adaptive limit of its
  transport) carries from one of its targets to the next. The rollout never runs two targets of
  one account at once (`reconciler.fleet.rollout`), so the budget is never shared by two
  event loops at the same time.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from reconciler.aws.cloudfront import CloudFrontClient
from reconciler.aws.credentials.context import SourceContext
from reconciler.aws.credentials.provider import RefreshingProvider, Temporary
from reconciler.aws.profiles import SharedFiles
from reconciler.aws.session import Session, open_session
from reconciler.aws.transport import Transport
from reconciler.errors import CredentialsError, ReconcilerError
from reconciler.fleet.targets import Target


class FleetSessions:
    """The role sessions, CloudFront clients and sessions of a fleet run (thread-safe)."""

    def __init__(self, hub: Session, *, env: Mapping[str, str]) -> None:
        self._hub = hub
        self._env = env
        config = hub.config
        self._context = SourceContext(
            env=env,
            files=SharedFiles.from_environment(env),
            region=config.region,
            sts_url=config.endpoint("sts"),
            ca_bundle=config.ca_bundle,
            driver=hub.driver,
            bounds=config.bounds,
        )
        # Each role is assumed directly with the hub's credentials (never chained).
        self._sts = self._context.sts(hub.transport.provider)
        self._lock = threading.Lock()
        self._roles: dict[tuple[str, str | None, str, int | None], RefreshingProvider] = {}
        self._cloudfront: dict[str, tuple[Transport, CloudFrontClient]] = {}

    def role(self, target: Target) -> RefreshingProvider:
        """The account's role session (assumed at its first use)."""
        key = (target.role_arn, target.external_id, target.session_name, target.duration_seconds)
        with self._lock:
            found = self._roles.get(key)
            if found is None:
                found = self._roles[key] = self._assume(target)
        return found

    def _assume(self, target: Target) -> RefreshingProvider:
        source = f"role {target.role_arn}"

        def fetch() -> Temporary:
            try:
                return self._sts.assume_role(
                    role_arn=target.role_arn,
                    session_name=target.session_name,
                    source=source,
                    external_id=target.external_id,
                    duration_seconds=target.duration_seconds,
                )
            except ReconcilerError as exc:
                said = str(exc).removeprefix(f"{source}: ")  # the error names the role too
                raise CredentialsError(f"cannot assume {source}: {said}") from exc

        return RefreshingProvider(fetch, source=source, clock=self._context.clock)

    def check(self, target: Target) -> None:
        """Assume the target's role now; raises `CredentialsError` saying why it cannot be."""
        self.role(target).get()

    def _account_cloudfront(self, target: Target, role: RefreshingProvider) -> CloudFrontClient:
        with self._lock:
            found = self._cloudfront.get(target.account)
            if found is None:
                config = self._hub.config
                transport = Transport(
                    credentials=role,
                    pool_size=config.parallelism,
                    timeouts=config.timeouts,
                    retry=config.retry,
                    ca_bundle=config.ca_bundle,
                    bounds=config.bounds,
                    driver=self._hub.driver,
                )
                client = CloudFrontClient(transport, endpoint_url=config.endpoint("cloudfront"))
                found = self._cloudfront[target.account] = (transport, client)
        return found[1]

    @contextmanager
    def session(self, target: Target) -> Iterator[Session]:
        """The target's own session, in its region, signed by its account's role (assumed
        first, so that a role that cannot be assumed fails here, before any other call)."""
        role = self.role(target)
        role.get()
        config = dataclasses.replace(self._hub.config, region=target.region)
        with open_session(config, env=self._env, credentials=role) as session:
            cloudfront = self._account_cloudfront(target, role)
            yield dataclasses.replace(session, cloudfront=cloudfront)

    def close(self) -> None:
        with self._lock:
            for transport, _ in self._cloudfront.values():
                transport.close()
            self._cloudfront.clear()
        self._context.close()

"""What every credential source may need: the environment, the shared files, where STS and the
SSO portal are, how to ask for an MFA code, and HTTP transports for their calls (through the
session's one driver).

Sources receive one `SourceContext`; none reads ``os.environ`` or the clock on its own, so the
tests can play every endpoint on loopback.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from reconciler.aws.config import RetryPolicy, Timeouts
from reconciler.aws.credentials.provider import CredentialProvider, RefreshingProvider, Temporary
from reconciler.aws.credentials.sts import StsClient, StsEndpoint
from reconciler.aws.limits import DEFAULT_BOUNDS, Bounds
from reconciler.aws.loop import Driver
from reconciler.aws.profiles import SharedFiles
from reconciler.aws.signing import Clock, utc_now
from reconciler.aws.transport import Transport

#: Asks the person at the terminal for a value (an MFA code); ``None`` when there is no terminal.
Prompt = Callable[[str], str]

# Credential endpoints answer fast or not at all; a run must not hang on one.
CREDENTIAL_TIMEOUTS = Timeouts(connect=2.0, read=10.0)
CREDENTIAL_RETRY = RetryPolicy(max_attempts=3, base_delay=0.2, max_delay=2.0)


@dataclass
class SourceContext:
    env: Mapping[str, str]
    files: SharedFiles
    region: str
    sts_url: str | None = None
    sso_url: str | None = None
    prompt: Prompt | None = None
    ca_bundle: str | None = None
    clock: Clock = utc_now
    #: The driver every request goes through (the session's), when there is one.
    driver: Driver | None = None
    #: How far the credential endpoints are trusted (`limits.Bounds`: credential_seconds).
    bounds: Bounds = DEFAULT_BOUNDS
    _transports: list[Transport] = field(default_factory=list)

    def transport(
        self,
        credentials: CredentialProvider | None = None,
        *,
        timeouts: Timeouts = CREDENTIAL_TIMEOUTS,
        retry: RetryPolicy = CREDENTIAL_RETRY,
    ) -> Transport:
        """A transport for a credential source's own calls (signed with ``credentials``, or
        unsigned); it lives as long as the credentials it refreshes."""
        made = Transport(
            credentials=credentials,
            pool_size=2,
            timeouts=timeouts,
            retry=retry,
            ca_bundle=self.ca_bundle,
            clock=self.clock,
            driver=self.driver,
            bounds=self.bounds,
        )
        self._transports.append(made)
        return made

    def refreshing(self, fetch: Callable[[], Temporary], *, source: str) -> RefreshingProvider:
        """Credentials that ``fetch`` gets, refreshed before they expire; each fetch given up
        past ``credential_seconds``."""
        return RefreshingProvider(
            fetch, source=source, clock=self.clock, deadline=self.bounds.credential_seconds
        )

    def sts(
        self, credentials: CredentialProvider | None, *, region: str | None = None
    ) -> StsClient:
        endpoint = StsEndpoint(region=region or self.region, url=self.sts_url)
        return StsClient(self.transport(credentials), endpoint)

    def close(self) -> None:
        for made in self._transports:
            made.close()

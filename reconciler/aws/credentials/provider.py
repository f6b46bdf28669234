"""What the transport signs with: a provider that hands out the current credentials.

Static keys never change. Temporary credentials (assume-role, web identity, SSO, a
``credential_process``, a container or instance endpoint) carry an expiry, and a run that lasts
longer than their lifetime must not die half-way: `RefreshingProvider` fetches new ones before
the old ones expire, safely across the worker threads.

Two windows, as the AWS SDKs use them: inside the *advisory* window one thread refreshes while
the others go on signing with the still-valid credentials (a failed advisory refresh is logged and
retried later); inside the *mandatory* window every caller waits for fresh credentials. Both
windows shrink for credentials whose whole lifetime is shorter than the default windows.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from reconciler.aws.limits import DEFAULT_BOUNDS, within
from reconciler.aws.signing import Clock, Credentials, utc_now
from reconciler.errors import CredentialsError, ReconcilerError, ResponseParseError

log = logging.getLogger("reconciler.aws.credentials")

ADVISORY = timedelta(minutes=15)
MANDATORY = timedelta(minutes=10)


@dataclass(frozen=True)
class Temporary:
    """Credentials with the time they stop working (``None``: they do not expire)."""

    credentials: Credentials
    expires: datetime | None


def parse_time(value: str, *, what: str) -> datetime:
    """An ISO 8601 time as the credential sources write it (``...Z`` or with an offset)."""
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise ResponseParseError(f"{what}: {value!r} is not a time") from exc
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def temporary_from_json(answer: Mapping[str, Any], *, source: str, session_field: str) -> Temporary:
    """Credentials from the JSON a credential process or endpoint prints (``AccessKeyId``,
    ``SecretAccessKey``, the session token under ``session_field``, an optional ``Expiration``)."""
    key_id, secret = answer.get("AccessKeyId"), answer.get("SecretAccessKey")
    if not (isinstance(key_id, str) and key_id and isinstance(secret, str) and secret):
        raise CredentialsError(f"{source}: the answer lacks AccessKeyId or SecretAccessKey")
    token = answer.get(session_field) or None
    expires = answer.get("Expiration")
    return Temporary(
        Credentials(key_id, secret, token if isinstance(token, str) else None, source=source),
        parse_time(expires, what=f"{source}: Expiration") if isinstance(expires, str) else None,
    )


class CredentialProvider(Protocol):
    """Anything the transport can ask for the credentials to sign the next request with."""

    @property
    def source(self) -> str: ...

    def get(self) -> Credentials: ...

    def usable(self) -> Credentials | None:
        """The credentials if they can be had without waiting (``None``: call `get`, which
        may block, off the event loop)."""
        ...


class StaticProvider:
    """Keys that never change: the environment's, or a profile's."""

    def __init__(self, credentials: Credentials) -> None:
        self._credentials = credentials

    @property
    def source(self) -> str:
        return self._credentials.source

    def get(self) -> Credentials:
        return self._credentials

    def usable(self) -> Credentials:
        return self._credentials


@dataclass(frozen=True)
class _Held:
    found: Temporary
    advisory_at: datetime | None
    mandatory_at: datetime | None


class RefreshingProvider:
    """Temporary credentials, fetched on first use and again before they expire.

    ``fetch`` returns fresh credentials or raises a `ReconcilerError` that says why not.
    """

    def __init__(
        self,
        fetch: Callable[[], Temporary],
        *,
        source: str,
        clock: Clock = utc_now,
        deadline: float = DEFAULT_BOUNDS.credential_seconds,
        advisory: timedelta = ADVISORY,
        mandatory: timedelta = MANDATORY,
    ) -> None:
        self._fetch = fetch
        self._source = source
        self._clock = clock
        self._advisory = advisory
        self._mandatory = mandatory
        self._deadline = deadline
        self._lock = threading.Lock()
        self._held: _Held | None = None
        self.fetches = 0

    @property
    def source(self) -> str:
        return self._source

    def _hold(self, found: Temporary) -> _Held:
        if found.expires is None:
            return _Held(found, None, None)
        now = self._clock()
        lifetime = max(found.expires - now, timedelta(0))
        # A credential that lives five seconds cannot wait for a fifteen-minute window.
        advisory = min(self._advisory, lifetime / 2)
        mandatory = min(self._mandatory, lifetime / 4)
        return _Held(found, found.expires - advisory, found.expires - mandatory)

    def _refresh(self) -> _Held:
        with within(self._deadline, self._source):
            found = self._fetch()
        self.fetches += 1
        if found.expires is not None and found.expires <= self._clock():
            raise ReconcilerError(
                f"{self._source}: the credentials it gave have already expired "
                f"({found.expires.isoformat()}); check this machine's clock"
            )
        held = self._held = self._hold(found)
        if found.expires is not None:
            log.debug("%s: credentials valid until %s", self._source, found.expires.isoformat())
        return held

    def usable(self) -> Credentials | None:
        held = self._held
        if held is None:
            return None
        now = self._clock()
        if held.advisory_at is None or now < held.advisory_at:
            return held.found.credentials
        if held.mandatory_at is not None and now < held.mandatory_at:
            # Advisory: refreshed on a thread of its own; what still works is used meanwhile.
            if self._lock.acquire(blocking=False):
                threading.Thread(
                    target=self._advise, args=(held,), name="credentials", daemon=True
                ).start()
            return held.found.credentials
        return None

    def _advise(self, held: _Held) -> None:
        """An advisory refresh (holding the lock `usable` took)."""
        try:
            if self._held is held:
                self._refresh()
        except ReconcilerError as exc:
            log.warning("%s; the current credentials are used meanwhile", exc)
        finally:
            self._lock.release()

    def get(self) -> Credentials:
        held = self._held
        now = self._clock()
        if held is not None and (held.advisory_at is None or now < held.advisory_at):
            return held.found.credentials
        if held is not None and held.mandatory_at is not None and now < held.mandatory_at:
            # Advisory: one thread refreshes; the others keep signing with what still works.
            if not self._lock.acquire(blocking=False):
                return held.found.credentials
            try:
                if self._held is held:
                    try:
                        held = self._refresh()
                    except ReconcilerError as exc:
                        log.warning("%s; the current credentials are used meanwhile", exc)
                return (self._held or held).found.credentials
            finally:
                self._lock.release()
        with self._lock:
            current = self._held
            if current is None or current is held:
                current = self._refresh()
            return current.found.credentials

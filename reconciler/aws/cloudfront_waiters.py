"""Waiting for CloudFront: until a distribution is deployed, or until it is gone.

A change to a distribution takes minutes to reach every edge location; ``GetDistribution`` says
``InProgress`` until then, ``Deployed`` after. The polling interval, the timeout, the clock and
the sleep are injected, so tests wait milliseconds and a terminal can show progress (``progress``
is told the address, the status and the seconds waited after every poll).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from reconciler.aws.cloudfront import CloudFrontClient, Distribution
from reconciler.errors import ReconcilerError

DEPLOYED = "Deployed"

Progress = Callable[[str, str, float], None]


class WaitTimeout(ReconcilerError):
    """CloudFront did not get there in time; nothing is wrong, a later apply resumes."""


@dataclass(frozen=True)
class WaitSettings:
    interval: float = 15.0
    timeout: float = 1800.0


class Waiter:
    def __init__(
        self,
        cloudfront: CloudFrontClient,
        settings: WaitSettings = WaitSettings(),
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        progress: Progress | None = None,
    ) -> None:
        self._cloudfront = cloudfront
        self._settings = settings
        self._sleep = sleep
        self._clock = clock
        self._progress = progress

    def _poll(
        self, distribution_id: str, address: str, done: Callable[[Distribution | None], bool]
    ) -> Distribution | None:
        start = self._clock()
        while True:
            found = self._cloudfront.get_distribution(distribution_id, address=address)
            waited = self._clock() - start
            status = found.status if found is not None else "gone"
            if self._progress:
                self._progress(address, status, waited)
            if done(found):
                return found
            if waited + self._settings.interval > self._settings.timeout:
                raise WaitTimeout(
                    f"distribution {distribution_id} is still {status} after {waited:.0f} s; "
                    "CloudFront carries on by itself: run apply again to resume",
                    address=address,
                )
            self._sleep(self._settings.interval)

    def deployed(self, distribution_id: str, *, address: str) -> Distribution:
        """Wait until the distribution is ``Deployed``; it must exist."""

        found = self._poll(
            distribution_id, address, lambda got: got is None or got.status == DEPLOYED
        )
        if found is None:
            raise ReconcilerError(
                f"distribution {distribution_id} disappeared while waiting for it to deploy",
                address=address,
            )
        return found

    def gone(self, distribution_id: str, *, address: str) -> None:
        """Wait until ``GetDistribution`` answers ``NoSuchDistribution``."""
        self._poll(distribution_id, address, lambda found: found is None)

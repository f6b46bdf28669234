"""A distribution's steps: create, update (configuration, tags), wait, and the delete sequence.

Every update and delete sends ``If-Match`` with the ETag of a fresh ``GetDistributionConfig``;
``PreconditionFailed`` (someone changed it in between) means read again and retry, a bounded
number of times. An update renders only the fields the plan changes, on top of the live
configuration, so what the spec leaves out stays as it is.

Deleting is a sequence CloudFront imposes: wait while a change is ``InProgress`` → disable it
with the live configuration → wait until that is deployed → delete with a fresh ETag → wait
until it is gone. Each step looks at where the distribution stands first, so an apply
interrupted anywhere in the sequence resumes it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from reconciler import xmlcodec as xml
from reconciler.apply.guard import Guard
from reconciler.aws.cloudfront import CloudFrontClient
from reconciler.aws.cloudfront_waiters import Waiter
from reconciler.errors import (
    CNAMEAlreadyExists,
    DistributionNotDisabled,
    NoSuchDistribution,
    PreconditionFailed,
    ReconcilerError,
)
from reconciler.kinds.distribution.render import skeleton, with_enabled, write_config
from reconciler.plan.model import Action, ResourceChange

#: How often a stale ETag (``PreconditionFailed``) is answered by reading again.
ETAG_ATTEMPTS = 5


def steps(change: ResourceChange) -> list[tuple[str, str]]:
    """The steps of a distribution's change, in order: (step, action)."""
    if change.action is Action.DELETE:
        return [("distribution", "disable"), ("distribution", "delete")]
    wait = [("deployment", "wait")] if change.wait_for_deployment else []
    if change.action is Action.CREATE:
        return [("distribution", "create"), *wait]
    aspects = {a.aspect for a in change.aspects}
    out = [("tags", "update")] if "tags" in aspects else []
    if aspects - {"tags"}:
        out += [("config", "update"), *wait]
    return out


def caller_reference(stack: str, name: str, spec_digest: str) -> str:
    """The same for every attempt of one plan's create, so CloudFront never makes two."""
    digest = hashlib.sha256(f"{stack}\n{name}\n{spec_digest}".encode()).hexdigest()
    return f"reconciler-{digest[:32]}"


class DistributionSteps:
    """Runs the steps of distribution changes; one instance serves a whole apply."""

    def __init__(
        self,
        cloudfront: CloudFrontClient,
        waiter: Waiter,
        *,
        guard: Guard,
        stack: str,
        spec_digest: str,
    ) -> None:
        self._cf = cloudfront
        self._waiter = waiter
        self._guard = guard
        self._stack = stack
        self._digest = spec_digest

    def runner(self, change: ResourceChange) -> Callable[[str, str], None]:
        """A function that runs one step of ``change``; steps share what they learn."""
        state: dict[str, Any] = {"id": change.id}

        guard = self._guard

        def owned(distribution_id: str) -> None:
            guard.writing_distribution(change)
            if not guard.owning_distribution(self._cf, change, distribution_id):
                raise ReconcilerError(
                    f"distribution {distribution_id} no longer exists", address=change.address
                )

        def run(step: str, action: str) -> None:
            if (step, action) == ("distribution", "create"):
                guard.writing_distribution(change)
                self._create(change, state)
            elif (step, action) == ("tags", "update"):
                owned(state["id"])
                self._tags(change, state["id"])
            elif (step, action) == ("config", "update"):
                owned(state["id"])
                self._update(change, state["id"])
            elif (step, action) == ("deployment", "wait"):
                self._waiter.deployed(state["id"], address=change.address)
            elif (step, action) == ("distribution", "disable"):
                gone = not guard.deleting_distribution(self._cf, change, state["id"])
                state["gone"] = gone or self._disable(change, state["id"])
            elif (step, action) == ("distribution", "delete"):
                if not state.get("gone") and guard.deleting_distribution(
                    self._cf, change, state["id"]
                ):
                    self._delete(change, state["id"])
            else:
                raise ValueError(f"unknown step {step} {action}")

        return run

    # -- create and update -------------------------------------------------------------------

    def _fields(self, change: ResourceChange) -> dict[str, Any]:
        return {a.aspect: a.after for a in change.aspects if a.aspect != "tags"}

    def _tags_after(self, change: ResourceChange) -> dict[str, str]:
        found = next((a.after for a in change.aspects if a.aspect == "tags"), None)
        return dict(found or {})

    def _alias_error(self, change: ResourceChange, exc: CNAMEAlreadyExists) -> ReconcilerError:
        aliases = next((a.after for a in change.aspects if a.aspect == "aliases"), None) or []
        where = change.position("aliases")
        return ReconcilerError(
            f"{'an alias' if len(aliases) == 1 else 'one of the aliases'} "
            f"({', '.join(aliases)}) is already associated with another distribution, "
            "possibly in another AWS account (CloudFront: CNAMEAlreadyExists)"
            + (f"; declared at {where}" if where else ""),
            address=change.address,
        )

    def _create(self, change: ResourceChange, state: dict[str, Any]) -> None:
        reference = caller_reference(self._stack, change.name, self._digest)
        config = write_config(self._fields(change), skeleton(reference))
        try:
            made = self._cf.create_distribution(
                config, tags=self._tags_after(change), address=change.address
            )
        except CNAMEAlreadyExists as exc:
            raise self._alias_error(change, exc) from exc
        state["id"] = made.id

    def _update(self, change: ResourceChange, distribution_id: str) -> None:
        fields = self._fields(change)
        for attempt in range(1, ETAG_ATTEMPTS + 1):
            config, etag = self._cf.get_distribution_config(distribution_id, address=change.address)
            try:
                self._cf.update_distribution(
                    distribution_id,
                    write_config(fields, config),
                    if_match=etag,
                    address=change.address,
                )
                return
            except PreconditionFailed:
                if attempt == ETAG_ATTEMPTS:
                    raise
            except CNAMEAlreadyExists as exc:
                raise self._alias_error(change, exc) from exc

    def _tags(self, change: ResourceChange, distribution_id: str) -> None:
        found = self._cf.get_distribution(distribution_id, address=change.address)
        if found is None:
            raise ReconcilerError(
                f"distribution {distribution_id} no longer exists", address=change.address
            )
        want = self._tags_after(change)
        have = self._cf.list_tags(found.arn, address=change.address)
        gone = [k for k in have if k not in want and not k.startswith("aws:")]
        if gone:
            self._cf.untag_resource(found.arn, gone, address=change.address)
        changed = {k: v for k, v in want.items() if have.get(k) != v}
        if changed:
            self._cf.tag_resource(found.arn, changed, address=change.address)

    # -- the delete sequence -----------------------------------------------------------------

    def _disable(self, change: ResourceChange, distribution_id: str) -> bool:
        """Disable the distribution and wait until that is deployed; ``True`` when it is
        already gone."""
        address = change.address
        found = self._cf.get_distribution(distribution_id, address=address)
        if found is None:
            return True
        if found.status != "Deployed":
            self._waiter.deployed(distribution_id, address=address)
        for attempt in range(1, ETAG_ATTEMPTS + 1):
            try:
                config, etag = self._cf.get_distribution_config(distribution_id, address=address)
            except NoSuchDistribution:
                return True
            if not xml.boolean(config, "Enabled"):
                break
            try:
                self._cf.update_distribution(
                    distribution_id, with_enabled(config, False), if_match=etag, address=address
                )
                break
            except PreconditionFailed:
                if attempt == ETAG_ATTEMPTS:
                    raise
        self._waiter.deployed(distribution_id, address=address)
        return False

    def _delete(self, change: ResourceChange, distribution_id: str) -> None:
        address = change.address
        for attempt in range(1, ETAG_ATTEMPTS + 1):
            try:
                _, etag = self._cf.get_distribution_config(distribution_id, address=address)
                self._cf.delete_distribution(distribution_id, if_match=etag, address=address)
                break
            except NoSuchDistribution:
                return
            except (PreconditionFailed, DistributionNotDisabled):
                # Changed in between, or its disabling is not deployed yet: start over.
                if attempt == ETAG_ATTEMPTS:
                    raise
                if self._disable(change, distribution_id):
                    return
        self._waiter.gone(distribution_id, address=address)

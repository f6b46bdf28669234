"""A distribution's steps: create, update (configuration, tags), wait, and the delete sequence.

Every update and delete sends ``If-Match`` with the ETag of a fresh ``GetDistributionConfig``;
``PreconditionFailed`` (someone changed it in between) means read again and retry, a bounded
number of times (`reconciler.retries.ETAG`). An update renders only the fields the plan changes,
on top of the live configuration, so what the spec leaves out stays as it is.

Deleting is a sequence CloudFront imposes: wait while a change is ``InProgress`` → disable it
with the live configuration → wait until that is deployed → delete with a fresh ETag → wait
until it is gone. Each step looks at where the distribution stands first, so an apply
interrupted anywhere in the sequence resumes it. Before each step that changes or deletes a
distribution, the contract's rules are checked again (`reconciler.kinds.distribution.guard`).
"""

from __future__ import annotations

import hashlib
from typing import Any

from reconciler import xmlcodec as xml
from reconciler.aws.cloudfront import CloudFrontClient
from reconciler.aws.cloudfront_oac import OriginAccessControls
from reconciler.aws.cloudfront_waiters import Waiter
from reconciler.errors import (
    CNAMEAlreadyExists,
    DistributionNotDisabled,
    NoSuchDistribution,
    PreconditionFailed,
    ReconcilerError,
)
from reconciler.kinds.base import ApplyContext, Step
from reconciler.kinds.distribution import guard
from reconciler.kinds.distribution.render import skeleton, with_enabled, write_config
from reconciler.kinds.origin_access_control.live import owned
from reconciler.kinds.origin_access_control.read import live as live_of
from reconciler.plan.model import Action, ResourceChange
from reconciler.retries import ETAG, retrying

#: The steps' parts: the distribution itself, its tags, its configuration, its deployment.
DISTRIBUTION, TAGS, CONFIG, DEPLOYMENT = "distribution", "tags", "config", "deployment"


def caller_reference(stack: str, name: str, spec_digest: str) -> str:
    """The same for every attempt of one plan's create, so CloudFront never makes two."""
    digest = hashlib.sha256(f"{stack}\n{name}\n{spec_digest}".encode()).hexdigest()
    return f"reconciler-{digest[:32]}"


def _stale(exc: Exception) -> bool:
    return isinstance(exc, PreconditionFailed)


class _Steps:
    """The steps of one distribution's change; they share what they learn (its id, whether
    it is gone)."""

    def __init__(self, change: ResourceChange, context: ApplyContext) -> None:
        self.change = change
        self.context = context
        self.id = change.id
        self.gone = False

    @property
    def cf(self) -> CloudFrontClient:
        found = self.context.clients.cloudfront
        if found is None:
            raise ReconcilerError(
                "no CloudFront client to apply a distribution's change", address=self.address
            )
        return found

    @property
    def waiter(self) -> Waiter:
        found = self.context.waiter
        if found is None:
            raise ReconcilerError(
                "no CloudFront waiter to apply a distribution's change", address=self.address
            )
        return found

    def _retrying(self, call: Any, *, again: Any = _stale, between: Any = None) -> None:
        context = self.context
        retrying(call, again=again, backoff=ETAG, sleep=context.sleep, between=between)

    @property
    def address(self) -> str:
        return self.change.address

    def _known_id(self) -> str:
        if self.id is None:
            raise ReconcilerError("the distribution's id is not known", address=self.address)
        return self.id

    def _owned(self) -> str:
        """The id, once the rules allow writing this change's values to it."""
        distribution_id = self._known_id()
        guard.writing(self.context.guard, self.change)
        if not guard.owning(self.context.guard, self.cf, self.change, distribution_id):
            raise ReconcilerError(
                f"distribution {distribution_id} no longer exists", address=self.address
            )
        return distribution_id

    # -- create and update -------------------------------------------------------------------

    def _fields(self) -> dict[str, Any]:
        """What the change writes, with the ids of the origin access controls its origins
        name found now (one the same apply created has an id only now)."""
        fields = {a.aspect: a.after for a in self.change.aspects if a.aspect != TAGS}
        origins = fields.get("origins")
        if origins and any(o.get("origin_access_control") for o in origins):
            controls = [live_of(c) for c in OriginAccessControls(self.cf).list()]
            resolved = []
            for given in origins:
                named = given.get("origin_access_control")
                if not named:
                    resolved.append(given)
                    continue
                found = owned(tuple(controls), self.context.stack, named)
                if found is None:
                    raise ReconcilerError(
                        f"origin access control {named!r} (origin {given['id']!r}) is not "
                        "found: it was not created",
                        address=self.address,
                    )
                resolved.append(given | {"origin_access_control_id": found.id})
            fields["origins"] = resolved
        return fields

    def _tags_after(self) -> dict[str, str]:
        found = next((a.after for a in self.change.aspects if a.aspect == TAGS), None)
        return dict(found or {})

    def _alias_error(self, exc: CNAMEAlreadyExists) -> ReconcilerError:
        change = self.change
        aliases = next((a.after for a in change.aspects if a.aspect == "aliases"), None) or []
        where = change.position("aliases")
        return ReconcilerError(
            f"{'an alias' if len(aliases) == 1 else 'one of the aliases'} "
            f"({', '.join(aliases)}) is already associated with another distribution, "
            "possibly in another AWS account (CloudFront: CNAMEAlreadyExists)"
            + (f"; declared at {where}" if where else ""),
            address=change.address,
        )

    def create(self) -> None:
        guard.writing(self.context.guard, self.change)
        context = self.context
        reference = caller_reference(context.stack, self.change.name, context.spec_digest)
        config = write_config(self._fields(), skeleton(reference))
        try:
            made = self.cf.create_distribution(
                config, tags=self._tags_after(), address=self.address
            )
        except CNAMEAlreadyExists as exc:
            raise self._alias_error(exc) from exc
        self.id = made.id

    def update(self) -> None:
        distribution_id = self._owned()
        fields = self._fields()

        def attempt() -> None:
            config, etag = self.cf.get_distribution_config(distribution_id, address=self.address)
            try:
                self.cf.update_distribution(
                    distribution_id,
                    write_config(fields, config),
                    if_match=etag,
                    address=self.address,
                )
            except CNAMEAlreadyExists as exc:
                raise self._alias_error(exc) from exc

        self._retrying(attempt)

    def tags(self) -> None:
        distribution_id = self._owned()
        found = self.cf.get_distribution(distribution_id, address=self.address)
        if found is None:
            raise ReconcilerError(
                f"distribution {distribution_id} no longer exists", address=self.address
            )
        want = self._tags_after()
        have = self.cf.list_tags(found.arn, address=self.address)
        gone = [k for k in have if k not in want and not k.startswith("aws:")]
        if gone:
            self.cf.untag_resource(found.arn, gone, address=self.address)
        changed = {k: v for k, v in want.items() if have.get(k) != v}
        if changed:
            self.cf.tag_resource(found.arn, changed, address=self.address)

    def deployed(self) -> None:
        self.waiter.deployed(self._known_id(), address=self.address)

    # -- the delete sequence -----------------------------------------------------------------

    def _disabled(self, distribution_id: str) -> bool:
        """Disable the distribution and wait until that is deployed; ``True`` when it is
        already gone."""
        found = self.cf.get_distribution(distribution_id, address=self.address)
        if found is None:
            return True
        if found.status != "Deployed":
            self.waiter.deployed(distribution_id, address=self.address)
        gone = []

        def attempt() -> None:
            try:
                config, etag = self.cf.get_distribution_config(
                    distribution_id, address=self.address
                )
            except NoSuchDistribution:
                gone.append(True)
                return
            if xml.boolean(config, "Enabled"):
                self.cf.update_distribution(
                    distribution_id,
                    with_enabled(config, False),
                    if_match=etag,
                    address=self.address,
                )

        self._retrying(attempt)
        if gone:
            return True
        self.waiter.deployed(distribution_id, address=self.address)
        return False

    def disable(self) -> None:
        distribution_id = self._known_id()
        if not guard.deleting(self.context.guard, self.cf, self.change, distribution_id):
            self.gone = True
            return
        self.gone = self._disabled(distribution_id)

    def delete(self) -> None:
        distribution_id = self._known_id()
        if self.gone or not guard.deleting(
            self.context.guard, self.cf, self.change, distribution_id
        ):
            return
        deleted = []

        def attempt() -> None:
            if self.gone:
                return
            try:
                _, etag = self.cf.get_distribution_config(distribution_id, address=self.address)
                self.cf.delete_distribution(distribution_id, if_match=etag, address=self.address)
            except NoSuchDistribution:
                self.gone = True
                return
            deleted.append(True)

        def again(exc: Exception) -> bool:
            # Changed in between, or its disabling is not deployed yet: start over.
            return isinstance(exc, (PreconditionFailed, DistributionNotDisabled))

        def start_over() -> None:
            self.gone = self._disabled(distribution_id)

        self._retrying(attempt, again=again, between=start_over)
        if deleted:
            self.waiter.gone(distribution_id, address=self.address)


def steps(change: ResourceChange, context: ApplyContext) -> list[Step]:
    """The steps of a distribution's change, in order."""
    run = _Steps(change, context)
    if change.action is Action.DELETE:
        return [
            Step(DISTRIBUTION, "disable", run.disable),
            Step(DISTRIBUTION, "delete", run.delete),
        ]
    wait = [Step(DEPLOYMENT, "wait", run.deployed)] if change.wait_for_deployment else []
    if change.action is Action.CREATE:
        return [Step(DISTRIBUTION, "create", run.create), *wait]
    aspects = {a.aspect for a in change.aspects}
    found = [Step(TAGS, "update", run.tags)] if TAGS in aspects else []
    if aspects - {TAGS}:
        found += [Step(CONFIG, "update", run.update), *wait]
    return found

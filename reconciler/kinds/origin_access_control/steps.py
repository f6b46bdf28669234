"""An origin access control's steps: create, update (or adopt: the ownership mark written with
the settings), delete. Updates and deletes send ``If-Match`` with the ETag of a fresh read; a
stale one (``PreconditionFailed``) is read again, a few times (`reconciler.retries.ETAG`).
Before each, the rules are checked again from the spec and a fresh read: only this stack's
(its mark), or for an adoption one without a mark that holds the declared name, is changed;
only values the spec declares are written; only what the spec no longer declares as present is
deleted. CloudFront refuses to delete one a distribution still uses
(``OriginAccessControlInUse``): the plan deletes it after the distributions change."""

from __future__ import annotations

from reconciler.apply.guard import refuse
from reconciler.aws.cloudfront_oac import Config, OriginAccessControls
from reconciler.errors import OriginAccessControlInUse, PreconditionFailed, ReconcilerError
from reconciler.kinds.base import ApplyContext, Step
from reconciler.kinds.origin_access_control.declared import name_of, origin_access_controls
from reconciler.kinds.origin_access_control.live import mark
from reconciler.kinds.origin_access_control.plan import desired
from reconciler.kinds.origin_access_control.read import live as live_of
from reconciler.plan.model import Action, ResourceChange
from reconciler.retries import ETAG, retrying

#: The step's part: the origin access control itself.
PART = "origin_access_control"


class _Steps:
    def __init__(self, change: ResourceChange, context: ApplyContext) -> None:
        self.change = change
        self.context = context

    @property
    def controls(self) -> OriginAccessControls:
        found = self.context.clients.cloudfront
        if found is None:
            raise ReconcilerError("no CloudFront client", address=self.change.address)
        return OriginAccessControls(found)

    def _config(self) -> Config:
        """What the spec declares, with this stack's mark; refused when the change's values
        are not the spec's."""
        change, guard = self.change, self.context.guard
        declared = origin_access_controls(guard.spec).get(change.name)
        if declared is None or declared.state == "absent":
            raise refuse(change, "the spec does not declare the origin access control present")
        want = desired(change.name, declared)
        for aspect in change.aspects:
            if want.get(aspect.aspect) != aspect.after:
                raise refuse(change, f"the {aspect.aspect} to write is not the spec's")
        return Config(
            name=name_of(change.name, declared),
            description=mark(declared.description, stack=guard.stack, name=change.name),
            signing_protocol=declared.signing_protocol,
            signing_behavior=declared.signing_behavior,
            origin_type=declared.origin_type,
        )

    def _owned(self, control_id: str) -> str:
        """The ETag of the control now, once it is sure to be this stack's (or, for an
        adoption, no stack's and holding the declared name)."""
        change, guard = self.change, self.context.guard
        found = self.controls.get(control_id, address=change.address)
        if found is None:
            raise ReconcilerError(
                f"origin access control {control_id} no longer exists", address=change.address
            )
        now = live_of(found)
        if now.stack is None and change.action is Action.ADOPT:
            declared = origin_access_controls(guard.spec).get(change.name)
            if declared is None or now.name != name_of(change.name, declared):
                raise refuse(change, f"origin access control {control_id} is not the one named")
        elif now.stack != guard.stack or now.logical != change.name:
            whose = f"stack {now.stack!r}'s {now.logical}" if now.stack else "no stack's"
            raise refuse(
                change,
                f"origin access control {control_id} is {whose}, not this stack's "
                f"{change.name}: the reconciler never changes what it does not own",
            )
        return found.etag or ""

    def create(self) -> None:
        config = self._config()
        self.controls.create(config, address=self.change.address)

    def update(self) -> None:
        config = self._config()
        control_id = self.change.id or ""

        def attempt() -> None:
            etag = self._owned(control_id)
            self.controls.update(control_id, config, if_match=etag, address=self.change.address)

        retrying(
            attempt,
            again=lambda exc: isinstance(exc, PreconditionFailed),
            backoff=ETAG,
            sleep=self.context.sleep,
        )

    def delete(self) -> None:
        change, guard = self.change, self.context.guard
        declared = origin_access_controls(guard.spec).get(change.name)
        if declared is not None and declared.prevent_destroy:
            raise refuse(change, "the spec sets prevent_destroy")
        if declared is not None and declared.state != "absent":
            raise refuse(change, "the spec declares the origin access control present")
        control_id = change.id or ""
        if self.controls.get(control_id, address=change.address) is None:
            return  # already gone: an earlier, interrupted apply got this far

        def attempt() -> None:
            etag = self._owned(control_id)
            try:
                self.controls.delete(control_id, if_match=etag, address=change.address)
            except OriginAccessControlInUse as exc:
                raise ReconcilerError(
                    f"origin access control {control_id} is still used by a distribution "
                    "(CloudFront: OriginAccessControlInUse); change that distribution first",
                    address=change.address,
                ) from exc

        retrying(
            attempt,
            again=lambda exc: isinstance(exc, PreconditionFailed),
            backoff=ETAG,
            sleep=self.context.sleep,
        )


def steps(change: ResourceChange, context: ApplyContext) -> list[Step]:
    run = _Steps(change, context)
    if change.action is Action.DELETE:
        return [Step(PART, "delete", run.delete)]
    if change.action is Action.CREATE:
        return [Step(PART, "create", run.create)]
    return [Step(PART, change.action.value, run.update)]

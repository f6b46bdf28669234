"""The executor's own safety rules, checked at the moment of each step, whatever the plan says.

A plan is data, and a saved one comes from outside: the planner's rules (the contract's
ownership and deletion rules) must still hold when a step runs, even if a plan file was forged
and the check that a saved plan is the one the spec gives were somehow passed. So, from the spec
the plan was made from (not from the plan):

- before a bucket is deleted or emptied, its tags are read again: it must carry this stack's
  ``reconciler:stack`` tag; the spec must not declare it present, nor set ``prevent_destroy``;
  emptying it (every object version) needs ``state: absent`` with ``force_destroy: true`` in the
  spec, or a replace the user allowed with ``--replace`` for a region change; a bucket that is
  not to be emptied must hold no object;
- before an aspect of a bucket is written, the bucket must be declared present and the value
  must be the spec's own (a policy making a bucket public is written only if the spec says so);
- before a distribution is disabled, deleted or its configuration written, its tags are read
  again: it must carry this stack's tags with its name (or, being adopted, no stack's); a
  deletion needs the spec not to declare it present nor set ``prevent_destroy``; the values
  written must be the spec's.

A refusal is that step's failure (`UnsafeStep`), naming the resource and the rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reconciler import xmlcodec as xml
from reconciler.aws.cloudfront import CloudFrontClient
from reconciler.aws.s3 import S3Client
from reconciler.errors import NoSuchBucket, UnsafeStep
from reconciler.kinds.bucket.aspects import registry as aspects
from reconciler.live.model import NAME_TAG, STACK_TAG
from reconciler.live.reader import read_aspect
from reconciler.plan.model import Action, ResourceChange
from reconciler.spec.common import spec_json
from reconciler.spec.model import Spec


@dataclass(frozen=True)
class Guard:
    """The rules, for the spec a plan was made from (for a destroy, the spec as destroy reads
    it: every resource absent). ``replace``: the addresses ``--replace`` allowed."""

    spec: Spec
    default_region: str
    replace: frozenset[str] = frozenset()

    @property
    def stack(self) -> str:
        return self.spec.stack

    def _refuse(self, change: ResourceChange, why: str) -> UnsafeStep:
        return UnsafeStep(f"refused: {why}", address=change.address)

    # -- buckets ---------------------------------------------------------------------------

    def deleting_bucket(self, s3: S3Client, change: ResourceChange, *, emptying: bool) -> bool:
        """Checks that ``change``'s bucket may be deleted now (emptied first with
        ``emptying``); ``False`` when it is already gone."""
        declared = self.spec.buckets.get(change.name)
        if declared is not None and declared.prevent_destroy:
            raise self._refuse(change, "the spec sets prevent_destroy")
        if change.action is Action.REPLACE:
            if declared is None or declared.state == "absent":
                raise self._refuse(change, "a replace is only made for a bucket the spec declares")
            if change.address not in self.replace:
                raise self._refuse(change, f"a replace needs --replace {change.address}")
        elif declared is not None and declared.state != "absent":
            raise self._refuse(change, "the spec declares the bucket present; it is not deleted")
        try:
            tags = read_aspect(s3, change.name, aspects.TAGS).value or {}
        except NoSuchBucket:
            return False
        owner = tags.get(STACK_TAG)
        if owner != self.stack:
            carries = f"it carries {STACK_TAG}={owner}" if owner else f"it has no {STACK_TAG} tag"
            raise self._refuse(
                change,
                f"{carries}, not {STACK_TAG}={self.stack}: the reconciler never deletes what "
                "it does not own",
            )
        if change.action is Action.REPLACE:
            assert declared is not None
            now = s3.head_bucket(change.name)
            wanted = declared.region or self.default_region
            if now is not None and now.region == wanted:
                raise self._refuse(change, f"the bucket is already in {wanted}: nothing to move")
            return True
        if emptying:
            if declared is None or not declared.force_destroy:
                raise self._refuse(
                    change,
                    "deleting its objects needs state: absent and force_destroy: true in the spec",
                )
        elif s3.has_objects(change.name):
            raise self._refuse(
                change,
                "the bucket still holds objects; deleting them needs state: absent and "
                "force_destroy: true in the spec",
            )
        return True

    def writing_aspect(self, change: ResourceChange, aspect: str, after: Any) -> None:
        """Checks that ``after`` is what the spec declares for ``aspect`` of the bucket."""
        declared = self.spec.buckets.get(change.name)
        if declared is None or declared.state == "absent":
            raise self._refuse(
                change, f"the spec does not declare the bucket present: its {aspect} is not written"
            )
        if aspect == aspects.TAGS.key:
            self._tags(change, after, declared.tags)
            return
        if after != spec_json(getattr(declared, aspect)):
            raise self._refuse(change, f"the {aspect} to write is not the spec's")

    def _tags(self, change: ResourceChange, after: Any, declared: dict[str, str] | None) -> None:
        if not isinstance(after, dict) or after.get(STACK_TAG) != self.stack:
            raise self._refuse(change, f"the tags to write do not say {STACK_TAG}={self.stack}")
        if change.kind == "distribution" and after.get(NAME_TAG) != change.name:
            raise self._refuse(change, f"the tags to write do not say {NAME_TAG}={change.name}")
        if declared is None:
            return
        own = {STACK_TAG, NAME_TAG} if change.kind == "distribution" else {STACK_TAG}
        given = {k: v for k, v in after.items() if k not in own and not k.startswith("aws:")}
        if given != {k: v for k, v in declared.items() if k not in own}:
            raise self._refuse(change, "the tags to write are not the spec's")

    # -- distributions -----------------------------------------------------------------------

    def writing_distribution(self, change: ResourceChange) -> None:
        """Checks that every value ``change`` writes is the spec's (before any request)."""
        declared = self.spec.distributions.get(change.name)
        if declared is None or declared.state == "absent":
            raise self._refuse(change, "the spec does not declare the distribution present")
        for aspect in change.aspects:
            if aspect.aspect == "tags":
                self._tags(change, aspect.after, declared.tags)
                continue
            want = spec_json(getattr(declared, aspect.aspect, None))
            after = aspect.after
            if aspect.aspect == "origins" and isinstance(after, list):
                # The planner adds an S3 origin's endpoint (from its bucket's region).
                after = [
                    {k: v for k, v in o.items() if not (k == "domain_name" and o.get("bucket"))}
                    if isinstance(o, dict)
                    else o
                    for o in after
                ]
            if after != want:
                raise self._refuse(change, f"the {aspect.aspect} to write is not the spec's")

    def owning_distribution(
        self, cloudfront: CloudFrontClient, change: ResourceChange, distribution_id: str
    ) -> bool:
        """Checks that distribution ``distribution_id`` is this stack's ``change.name`` now
        (or, for an adoption, no stack's); ``False`` when it is gone."""
        found = cloudfront.get_distribution(distribution_id, address=change.address)
        if found is None:
            return False
        tags = cloudfront.list_tags(found.arn, address=change.address)
        owner, name = tags.get(STACK_TAG), tags.get(NAME_TAG)
        if owner is None and change.action is Action.ADOPT:
            declared = self.spec.distributions.get(change.name)
            aliases = {a.lower() for a in xml.item_texts(found.config, "Aliases", "CNAME")}
            wanted = {a.lower() for a in (declared.aliases or [])} if declared else set()
            if declared is None or (declared.id != distribution_id and not aliases & wanted):
                raise self._refuse(
                    change,
                    f"distribution {distribution_id} is neither named by the spec's id nor "
                    "holds one of its aliases: it is not adopted",
                )
            return True
        if owner != self.stack or name != change.name:
            carries = f"{STACK_TAG}={owner}, {NAME_TAG}={name}" if owner else "no stack's tags"
            raise self._refuse(
                change,
                f"distribution {distribution_id} carries {carries}, not this stack's "
                f"{change.name}: the reconciler never changes what it does not own",
            )
        return True

    def deleting_distribution(
        self, cloudfront: CloudFrontClient, change: ResourceChange, distribution_id: str
    ) -> bool:
        """Checks that distribution ``distribution_id`` may be disabled and deleted now;
        ``False`` when it is already gone."""
        declared = self.spec.distributions.get(change.name)
        if declared is not None and declared.prevent_destroy:
            raise self._refuse(change, "the spec sets prevent_destroy")
        if declared is not None and declared.state != "absent":
            raise self._refuse(change, "the spec declares the distribution present")
        if change.action is not Action.DELETE:
            raise self._refuse(change, "a distribution is deleted only by a delete")
        return self.owning_distribution(cloudfront, change, distribution_id)

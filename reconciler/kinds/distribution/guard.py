"""The distribution kind's safety rules, checked by its steps at the moment each runs, whatever
the plan says (`reconciler.apply.guard` says why): before a distribution is disabled, deleted or
its configuration written, its tags are read again: it must carry this stack's tags with its
name (or, being adopted, no stack's, and hold one of the spec's aliases or be named by its id);
a deletion needs the spec not to declare it present nor set ``prevent_destroy``; the values
written must be the spec's.
"""

from __future__ import annotations

from reconciler import xmlcodec as xml
from reconciler.apply.guard import Guard, refuse, tags
from reconciler.aws.cloudfront import CloudFrontClient
from reconciler.kinds.distribution.declared import distributions
from reconciler.kinds.distribution.live import NAME_TAG
from reconciler.live.model import STACK_TAG
from reconciler.plan.model import Action, ResourceChange
from reconciler.spec.common import spec_json


def _declared_origin(origin: dict[str, object]) -> dict[str, object]:
    """An origin as the spec declares it: without what the planner adds (an S3 origin's
    endpoint, from its bucket's region; a declared access control's id)."""
    added = set()
    if origin.get("bucket"):
        added.add("domain_name")
    if origin.get("origin_access_control"):
        added.add("origin_access_control_id")
    return {k: v for k, v in origin.items() if k not in added}


def writing(guard: Guard, change: ResourceChange) -> None:
    """Checks that every value ``change`` writes is the spec's (before any request)."""
    declared = distributions(guard.spec).get(change.name)
    if declared is None or declared.state == "absent":
        raise refuse(change, "the spec does not declare the distribution present")
    for aspect in change.aspects:
        if aspect.aspect == "tags":
            tags(guard, change, aspect.after, declared.tags, own=(STACK_TAG, NAME_TAG))
            continue
        want = spec_json(getattr(declared, aspect.aspect, None))
        after = aspect.after
        if aspect.aspect == "origins" and isinstance(after, list):
            # The planner adds to an origin what the spec does not say (see _declared_origin).
            after = [_declared_origin(o) if isinstance(o, dict) else o for o in after]
        if after != want:
            raise refuse(change, f"the {aspect.aspect} to write is not the spec's")


def owning(
    guard: Guard, cloudfront: CloudFrontClient, change: ResourceChange, distribution_id: str
) -> bool:
    """Checks that distribution ``distribution_id`` is this stack's ``change.name`` now
    (or, for an adoption, no stack's); ``False`` when it is gone."""
    found = cloudfront.get_distribution(distribution_id, address=change.address)
    if found is None:
        return False
    found_tags = cloudfront.list_tags(found.arn, address=change.address)
    owner, name = found_tags.get(STACK_TAG), found_tags.get(NAME_TAG)
    if owner is None and change.action is Action.ADOPT:
        declared = distributions(guard.spec).get(change.name)
        aliases = {a.lower() for a in xml.item_texts(found.config, "Aliases", "CNAME")}
        wanted = {a.lower() for a in (declared.aliases or [])} if declared else set()
        if declared is None or (declared.id != distribution_id and not aliases & wanted):
            raise refuse(
                change,
                f"distribution {distribution_id} is neither named by the spec's id nor "
                "holds one of its aliases: it is not adopted",
            )
        return True
    if owner != guard.stack or name != change.name:
        carries = f"{STACK_TAG}={owner}, {NAME_TAG}={name}" if owner else "no stack's tags"
        raise refuse(
            change,
            f"distribution {distribution_id} carries {carries}, not this stack's "
            f"{change.name}: the reconciler never changes what it does not own",
        )
    return True


def deleting(
    guard: Guard, cloudfront: CloudFrontClient, change: ResourceChange, distribution_id: str
) -> bool:
    """Checks that distribution ``distribution_id`` may be disabled and deleted now;
    ``False`` when it is already gone."""
    declared = distributions(guard.spec).get(change.name)
    if declared is not None and declared.prevent_destroy:
        raise refuse(change, "the spec sets prevent_destroy")
    if declared is not None and declared.state != "absent":
        raise refuse(change, "the spec declares the distribution present")
    if change.action is not Action.DELETE:
        raise refuse(change, "a distribution is deleted only by a delete")
    return owning(guard, cloudfront, change, distribution_id)

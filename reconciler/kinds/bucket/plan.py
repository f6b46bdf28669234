"""Planning buckets: spec + live state → changes. Pure: no I/O, no clock.

Per declared bucket it decides create / update / adopt / delete / replace / no-op and, per
declared aspect, compares canonical forms (`reconciler.kinds.bucket.canonical`) of the desired
and the live value; only what differs becomes a change, with its attribute-level diff. Buckets
this stack owns that the spec no longer declares are pruned. The safety rules of the contract
(§3) are enforced here, as error diagnostics: a plan with errors is never applied.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from reconciler.address import Address
from reconciler.errors import Severity
from reconciler.kinds.base import KindPlan, PlanContext, PlanOptions
from reconciler.kinds.bucket import canonical, references
from reconciler.kinds.bucket.aspects import registry
from reconciler.kinds.bucket.declared import buckets
from reconciler.kinds.bucket.live import KIND, BucketLive, LiveBucket, bucket_live
from reconciler.kinds.bucket.model import Bucket
from reconciler.live.model import STACK_TAG
from reconciler.plan.differ import diff
from reconciler.plan.model import (
    Action,
    ActionReason,
    AspectChange,
    Diagnostic,
    ResourceChange,
    fingerprinted,
)
from reconciler.spec.common import spec_json
from reconciler.spec.model import Spec

#: Tags are compared like any aspect, but always read and always desired: they carry ownership.
TAGS = registry.TAGS.key
#: The collections of the aspects' comparable forms whose children are keyed by id, for
#: readable diff paths (``rules[expire-logs]``, ``grants[group:AllUsers]``).
KEYED = frozenset({"rules", "grants", "target_grants"})


def address(name: str) -> str:
    return str(Address(KIND, name))


def declared_aspects(bucket: Bucket) -> list[str]:
    """The aspects a bucket declares, in write order (tags always: they carry ownership)."""
    return registry.declared(bucket)


def live_parts(live: LiveBucket, aspects: Iterable[str]) -> dict[str, Any]:
    """What was read for a bucket, part by part: existence (with the region and whether the
    name is someone else's), emptiness, tags and the named aspects (canonical forms, so
    harmless re-orderings do not make a plan stale)."""
    ctx = canonical.Context(owner_id=live.owner_id)
    parts: dict[str, Any] = {
        "existence": {"exists": live.exists, "foreign": live.foreign, "region": live.region},
        "emptiness": live.empty,
        "tags": dict(sorted(live.tags.items())),
    }
    for aspect in sorted(set(aspects) - {TAGS}):
        if aspect in live.aspects:
            parts[aspect] = registry.canonical(aspect, live.aspects[aspect], ctx, desired=False)
    return parts


def fingerprint(live: LiveBucket, aspects: Iterable[str]) -> dict[str, Any]:
    """The ``live_fingerprint`` and ``fingerprints`` of a change about ``live``."""
    return fingerprinted(live_parts(live, aspects))


@dataclass
class _Planner:
    spec: Spec
    live: BucketLive
    options: PlanOptions
    changes: list[ResourceChange] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    unchanged: int = 0

    def _note(self, severity: Severity, name: str, summary: str, where: tuple[str, ...]) -> None:
        locate = self.options.position
        position = locate(("buckets", name, *where)) if locate else None
        self.diagnostics.append(Diagnostic(severity, address(name), summary, position))

    def error(self, name: str, summary: str, *where: str) -> None:
        self._note(Severity.ERROR, name, summary, where)

    def warn(self, name: str, summary: str, *where: str) -> None:
        self._note(Severity.WARNING, name, summary, where)

    # -- desired values ---------------------------------------------------------------------

    def desired_tags(self, bucket: Bucket, live: LiveBucket | None) -> dict[str, str]:
        """The spec's tags with this stack's; left out, the live tags are kept as they are."""
        have = live.tags if live else {}
        base = dict(bucket.tags) if bucket.tags is not None else dict(have)
        base.update({k: v for k, v in have.items() if k.startswith("aws:")})
        base[STACK_TAG] = self.spec.stack
        return dict(sorted(base.items()))

    def desired(self, bucket: Bucket, aspect: str, live: LiveBucket | None) -> Any:
        if aspect == TAGS:
            return self.desired_tags(bucket, live)
        return getattr(bucket, aspect)

    # -- per bucket -------------------------------------------------------------------------

    def aspects_of(self, bucket: Bucket) -> list[str]:
        """The aspects to plan: the declared ones, without tags where the store has none."""
        found = declared_aspects(bucket)
        return found if self.live.tagging else [a for a in found if a != TAGS]

    def plan_bucket(self, name: str, bucket: Bucket) -> None:
        live = self.live.buckets.get(name) or LiveBucket(name=name, exists=False)
        owner = live.stack
        if live.failures:
            for failure in live.failures:
                self.error(name, failure)
            return
        if not self.live.tagging and bucket.tags is not None:
            self.error(
                name,
                "the endpoint does not implement bucket tagging: remove `tags` from this bucket "
                "or use a store that has it",
                "tags",
            )
            return
        if live.foreign:
            self.error(name, "the name belongs to another AWS account (HeadBucket answered 403)")
            return
        if live.exists and owner is not None and owner != self.spec.stack:
            self.error(
                name,
                f"the bucket belongs to stack {owner!r} (tag {STACK_TAG}); two stacks never "
                "manage one resource",
            )
            return
        if bucket.state == "absent":
            self.plan_absent(name, bucket, live)
            return
        region = bucket.region or self.options.default_region
        self.check_references(name, bucket, region)
        if not live.exists:
            self.changes.append(self.creation(name, bucket, Action.CREATE, region, live))
            return
        if live.region and live.region != region:
            self.plan_move(name, bucket, live, region)
            return
        self.plan_existing(name, bucket, live, region)

    def check_references(self, name: str, bucket: Bucket, region: str) -> None:
        """The buckets this one's aspects refer to that the spec does not declare (or whose
        spec leaves out what the reference needs), checked against what was read of them."""
        for unit in registry.ASPECTS:
            value = getattr(bucket, unit.key)
            if not value:
                continue
            for target in unit.references(value):
                declared = buckets(self.spec).get(target)
                if declared is not None:
                    live = self.live.buckets.get(target)
                    found = references.declared_bucket(unit, value, region, declared, live)
                else:
                    live = self.live.referenced.get(target)
                    found = references.referenced_bucket(unit, value, region, target, live)
                for message, where in found:
                    self.error(name, message, unit.key, *where)

    def creation(
        self, name: str, bucket: Bucket, action: Action, region: str, live: LiveBucket
    ) -> ResourceChange:
        aspects = tuple(
            AspectChange(
                aspect=a,
                action=Action.CREATE,
                before=None,
                after=spec_json(self.desired(bucket, a, None)),
            )
            for a in self.aspects_of(bucket)
            if not (
                registry.get(a).unconfigured.left_alone_on_create
                and self.desired(bucket, a, None) in (False, [])
            )
        )
        return ResourceChange(
            address=address(name),
            kind=KIND,
            name=name,
            action=action,
            region=region,
            aspects=aspects,
            **fingerprint(live, self.aspects_of(bucket) if live.exists else []),
            previous_region=live.region if action is Action.REPLACE else None,
            force_destroy=action is Action.REPLACE,
            reason=ActionReason.REGION_CHANGES if action is Action.REPLACE else None,
        )

    def plan_move(self, name: str, bucket: Bucket, live: LiveBucket, region: str) -> None:
        if address(name) not in self.options.replace:
            self.error(
                name,
                f"the bucket is in {live.region} and the spec says {region}; a bucket cannot "
                "move: it would be deleted with every object and created again. Run with "
                f"--replace {address(name)} to do that",
                "region",
            )
            return
        if bucket.prevent_destroy:
            self.error(
                name,
                "moving the bucket to another region deletes it, and prevent_destroy is set",
                "prevent_destroy",
            )
            return
        if live.stack is None:
            self.error(
                name,
                "the bucket is not tagged by this stack: it is never deleted, so "
                "it cannot be moved to another region",
                "region",
            )
            return
        self.changes.append(self.creation(name, bucket, Action.REPLACE, region, live))

    def plan_existing(self, name: str, bucket: Bucket, live: LiveBucket, region: str) -> None:
        ctx = canonical.Context(owner_id=live.owner_id)
        for unit in registry.ASPECTS:
            value = getattr(bucket, unit.key)
            if unit.prepare is not None and value:
                for warning, where in unit.prepare(value, ctx):
                    self.warn(name, warning, unit.key, *where)
        aspects: list[AspectChange] = []
        for aspect in self.aspects_of(bucket):
            want = self.desired(bucket, aspect, live)
            have = live.tags if aspect == TAGS else live.aspects.get(aspect)
            want_c = registry.canonical(aspect, want, ctx, desired=True)
            have_c = registry.canonical(aspect, have, ctx, desired=False)
            entries = diff(have_c, want_c, KEYED | registry.get(aspect).keyed)
            if not entries:
                continue
            warn_change = registry.get(aspect).warn_change
            note = warn_change(have, want) if warn_change else None
            if note:
                self.warn(name, note, aspect)
            action = (
                Action.CREATE
                if have is None or have == []
                else Action.DELETE
                if want is False or want == []
                else Action.UPDATE
            )
            aspects.append(AspectChange(aspect, action, spec_json(have), spec_json(want), entries))
        adopting = live.stack is None and self.live.tagging
        if not aspects and not adopting:
            self.unchanged += 1
            return
        self.changes.append(
            ResourceChange(
                address=address(name),
                kind=KIND,
                name=name,
                action=Action.ADOPT if adopting else Action.UPDATE,
                region=region,
                aspects=tuple(aspects),
                **fingerprint(live, self.aspects_of(bucket)),
                reason=f"the bucket exists without the {STACK_TAG} tag" if adopting else None,
            )
        )

    def plan_absent(self, name: str, bucket: Bucket, live: LiveBucket) -> None:
        if not live.exists:
            self.unchanged += 1
            return
        if live.stack != self.spec.stack:
            if self.options.destroy and live.stack is None:
                self.warn(
                    name,
                    f"not tagged {STACK_TAG}={self.spec.stack}: this stack never created or "
                    "adopted it, so destroy leaves it as it is",
                )
                return
            self.error(
                name,
                f"declared absent, but the bucket is not tagged {STACK_TAG}={self.spec.stack}: "
                "the reconciler never deletes what it does not own",
                "state",
            )
            return
        if bucket.prevent_destroy:
            self.error(name, "declared absent with prevent_destroy set", "prevent_destroy")
            return
        if live.empty is False and not bucket.force_destroy and self.options.destroy:
            self.warn(
                name,
                "still holds objects: destroy keeps it. Add force_destroy: true to delete it "
                "with every object version",
            )
            return
        if live.empty is False and not bucket.force_destroy:
            self.error(
                name,
                "the bucket still holds objects; add force_destroy: true to delete every object "
                "version with it",
                "state",
            )
            return
        self.changes.append(self.deletion(name, live, force=bucket.force_destroy))

    def deletion(self, name: str, live: LiveBucket, *, force: bool) -> ResourceChange:
        return ResourceChange(
            address=address(name),
            kind=KIND,
            name=name,
            action=Action.DELETE,
            region=live.region,
            **fingerprint(live, []),
            force_destroy=force,
            reason=None if name in buckets(self.spec) else ActionReason.NO_LONGER_DECLARED,
        )

    def plan_pruned(self, name: str) -> None:
        live = self.live.buckets[name]
        if live.failures:
            for failure in live.failures:
                self.error(name, f"owned by this stack and no longer declared, but {failure}")
            return
        if live.empty is False:
            self.diagnostics.append(
                Diagnostic(
                    Severity.WARNING,
                    address(name),
                    "owned by this stack and no longer declared, but it still holds objects: "
                    "it is kept. Declare it with state: absent and force_destroy: true to delete "
                    f"it with its objects, or remove its {STACK_TAG} tag to let it go",
                )
            )
            return
        self.changes.append(self.deletion(name, live, force=False))

    def note_store(self, covered: frozenset[str] | None) -> None:
        """What the store's answers mean for the whole plan: no tagging, unreadable buckets."""
        if not self.live.tagging:
            self.diagnostics.append(
                Diagnostic(
                    Severity.WARNING,
                    str(Address("stack", self.spec.stack)),
                    "the endpoint does not implement bucket tagging: ownership cannot be "
                    f"recorded ({STACK_TAG}), so no bucket is pruned or adopted by tag; the "
                    "declared buckets are managed without it",
                )
            )
        for name, why in self.live.unreadable.items():
            if covered is None or name in covered:
                self.diagnostics.append(
                    Diagnostic(
                        Severity.WARNING,
                        address(name),
                        f"whether this stack owns it is unknown ({why}); it is not pruned",
                    )
                )


def plan_buckets(context: PlanContext) -> KindPlan:
    """The changes and diagnostics of the buckets ``context`` covers."""
    spec, covered = context.spec, context.covered
    planner = _Planner(spec, bucket_live(context.live), context.options)
    for name, bucket in sorted(buckets(spec).items()):
        if covered is None or name in covered:
            planner.plan_bucket(name, bucket)
    for name in planner.live.owned_undeclared:
        if covered is None or name in covered:
            planner.plan_pruned(name)
    planner.note_store(covered)
    return KindPlan(planner.changes, planner.diagnostics, planner.unchanged)

"""Planning distributions: find each declared one, compare its declared fields, decide.

A declared distribution is the one tagged ``reconciler:stack=<stack>`` and
``reconciler:name=<name>``. Without such a match, an untagged distribution named by the spec's
``id`` (as ``import`` writes it) or holding one of its aliases is adopted (the plan says so);
otherwise it is created. An alias held by a distribution of
another stack, or by another distribution than the one being planned, is an error: CloudFront
would refuse it, and two stacks never fight over a resource. Distributions of this stack the
spec no longer declares are pruned (disabled, then deleted). Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reconciler.address import Address
from reconciler.errors import Severity
from reconciler.kinds.base import KindPlan, PlanContext
from reconciler.kinds.bucket import references
from reconciler.kinds.bucket.declared import buckets
from reconciler.kinds.bucket.live import BucketLive, bucket_live
from reconciler.kinds.distribution import canonical as canon
from reconciler.kinds.distribution.declared import distributions
from reconciler.kinds.distribution.live import (
    KIND,
    NAME_TAG,
    LiveDistribution,
    distributions_live,
)
from reconciler.kinds.distribution.model import Distribution
from reconciler.kinds.origin_access_control.live import (
    LiveOriginAccessControl,
    controls_live,
    owned,
)
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

Position = Callable[[tuple[str | int, ...]], str | None]


#: The collections of a distribution's comparable form whose children are keyed by id, for
#: readable diff paths (``origins[site].origin_path``).
KEYED = frozenset({"origins", "custom_error_responses"})


#: An origin access control's id when the plan creates it: the apply finds it out.
KNOWN_AFTER_APPLY = "(known after apply)"


def address(name: str) -> str:
    return str(Address(KIND, name))


def declared_fields(dist: Distribution) -> list[str]:
    """The configuration fields a distribution declares, in plan order."""
    return [f for f in canon.CONFIG_FIELDS if getattr(dist, f) is not None]


def s3_origin_domain(bucket: str, region: str) -> str:
    """The regional REST endpoint CloudFront reaches a bucket origin by."""
    return f"{bucket}.s3.{region}.amazonaws.com"


def live_parts(live: LiveDistribution | None, fields: list[str]) -> dict[str, Any]:
    """What was read of a distribution, part by part: existence (its id), tags, and the named
    fields' canonical forms (not the status, which moves on by itself while CloudFront
    deploys)."""
    parts: dict[str, Any] = {"existence": live.id if live is not None else None}
    if live is not None:
        parts["tags"] = dict(sorted(live.tags.items()))
        for f in sorted(set(fields) - {"tags"}):
            parts[f] = canon.canonical(f, (live.fields or {}).get(f))
    return parts


def fingerprint(live: LiveDistribution | None, fields: list[str]) -> dict[str, Any]:
    """The ``live_fingerprint`` and ``fingerprints`` of a change about ``live``."""
    return fingerprinted(live_parts(live, fields))


@dataclass
class DistributionPlanner:
    """Plans the spec's distributions against ``live`` (whose ``distributions`` were read)."""

    spec: Spec
    live: tuple[LiveDistribution, ...]
    buckets: BucketLive
    controls: tuple[LiveOriginAccessControl, ...]
    default_region: str
    position: Position | None = None
    changes: list[ResourceChange] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    unchanged: int = 0

    def _at(self, name: str, *where: str | int) -> str | None:
        if self.position is None:
            return None
        return self.position(("distributions", name, *where))

    def error(self, name: str, summary: str, *where: str | int) -> None:
        self.diagnostics.append(
            Diagnostic(Severity.ERROR, address(name), summary, self._at(name, *where))
        )

    # -- finding ---------------------------------------------------------------------------

    @property
    def distributions(self) -> tuple[LiveDistribution, ...]:
        return self.live

    def tagged(self, name: str) -> list[LiveDistribution]:
        return [d for d in self.distributions if d.stack == self.spec.stack and d.name == name]

    def holders(self, dist: Distribution) -> dict[str, LiveDistribution]:
        """Declared alias → the distribution that holds it now."""
        wanted = {a.lower() for a in dist.aliases or []}
        return {a: d for d in self.distributions for a in d.aliases if a in wanted}

    # -- desired values ----------------------------------------------------------------------

    def origin_region(self, bucket: str) -> str | None:
        declared = buckets(self.spec).get(bucket)
        if declared is not None:
            return declared.region or self.default_region
        live = self.buckets.buckets.get(bucket)
        if live is not None and live.exists:
            return live.region
        return self.buckets.other_buckets.get(bucket)

    def desired(self, name: str, dist: Distribution, field_name: str) -> Any:
        value = spec_json(getattr(dist, field_name))
        if field_name != "origins":
            return value
        out = []
        for index, given in enumerate(value):
            origin = dict(given)
            if origin.get("bucket"):
                region = self.origin_region(origin["bucket"])
                if region is None:
                    self.error(
                        name,
                        f"origin bucket {origin['bucket']!r} does not exist and is not declared",
                        "origins",
                        index,
                        "bucket",
                    )
                    region = self.default_region
                origin = origin | {"domain_name": s3_origin_domain(origin["bucket"], region)}
            if origin.get("origin_access_control"):
                found = owned(self.controls, self.spec.stack, origin["origin_access_control"])
                origin["origin_access_control_id"] = found.id if found else KNOWN_AFTER_APPLY
            out.append(origin)
        return out

    def desired_tags(self, name: str, dist: Distribution, live: LiveDistribution | None) -> Any:
        have = live.tags if live else {}
        base = dict(dist.tags) if dist.tags is not None else dict(have)
        base.update({k: v for k, v in have.items() if k.startswith("aws:")})
        base[STACK_TAG] = self.spec.stack
        base[NAME_TAG] = name
        return dict(sorted(base.items()))

    def positions(
        self, name: str, dist: Distribution, fields: list[str]
    ) -> tuple[tuple[str, str], ...]:
        """Where the given fields are declared (tags only when the spec declares them)."""
        found = [(f, self._at(name, f)) for f in fields if getattr(dist, f) is not None]
        return tuple((f, p) for f, p in found if p)

    # -- per distribution --------------------------------------------------------------------

    def plan(self, name: str, dist: Distribution) -> None:
        mine = self.tagged(name)
        if len(mine) > 1:
            ids = ", ".join(sorted(d.id for d in mine))
            self.error(
                name,
                f"{len(mine)} distributions carry {STACK_TAG}={self.spec.stack} and "
                f"{NAME_TAG}={name} ({ids}): remove the tags from all but one",
            )
            return
        live = mine[0] if mine else None
        if live is not None and live.failures:
            for failure in live.failures:
                self.error(name, f"distribution {live.id}: {failure}")
            return
        if dist.state == "absent":
            self.plan_absent(name, dist, live)
            return
        if dist.logging and dist.logging.bucket not in buckets(self.spec):
            log_bucket = self.buckets.referenced.get(dist.logging.bucket)
            for problem in references.distribution_log_bucket(dist.logging.bucket, log_bucket):
                self.error(name, problem, "logging", "bucket")
        adopt = self.alias_holder(name, dist, live)
        if live is None:
            adopt = self.by_id(name, dist, adopt)
        if adopt is not None and adopt.failures:
            for failure in adopt.failures:
                self.error(name, f"distribution {adopt.id}, to adopt: {failure}")
        if any(
            d.severity is Severity.ERROR and d.address == address(name) for d in self.diagnostics
        ):
            return
        found = live or adopt
        if found is None:
            self.plan_create(name, dist)
        else:
            self.plan_existing(name, dist, found, adopting=live is None)

    def alias_holder(
        self, name: str, dist: Distribution, live: LiveDistribution | None
    ) -> LiveDistribution | None:
        """The untagged distribution holding the declared aliases, to adopt; an alias held
        elsewhere is an error."""
        holders = self.holders(dist)
        adopt: LiveDistribution | None = None
        for index, alias in enumerate(dist.aliases or []):
            holder = holders.get(alias.lower())
            if holder is None or (live is not None and holder.id == live.id):
                continue
            if holder.stack not in (None, self.spec.stack):
                self.error(
                    name,
                    f"alias {alias!r} is held by distribution {holder.id} of stack "
                    f"{holder.stack!r}; two stacks never manage one resource",
                    "aliases",
                    index,
                )
            elif holder.stack == self.spec.stack:
                self.error(
                    name,
                    f"alias {alias!r} is held by distribution {holder.id} "
                    f"({NAME_TAG}={holder.name}) of this stack: an alias belongs to one "
                    "distribution",
                    "aliases",
                    index,
                )
            elif live is not None or (adopt is not None and adopt.id != holder.id):
                self.error(
                    name,
                    f"alias {alias!r} is held by distribution {holder.id}, which this stack "
                    "does not own: remove the alias there first",
                    "aliases",
                    index,
                )
            else:
                adopt = holder
        return adopt

    def by_id(
        self, name: str, dist: Distribution, adopt: LiveDistribution | None
    ) -> LiveDistribution | None:
        """The adoption candidate once the spec's ``id`` is taken into account (no tagged
        distribution matched): the one with that id, when no stack owns it."""
        if dist.id is None:
            return adopt
        named = next((d for d in self.distributions if d.id == dist.id), None)
        if named is None:
            self.error(
                name,
                f"distribution {dist.id} (its id) does not exist: remove id to create a new one",
                "id",
            )
        elif named.stack is not None:
            owner = "this stack" if named.stack == self.spec.stack else f"stack {named.stack!r}"
            self.error(
                name,
                f"distribution {dist.id} is tagged by {owner} ({NAME_TAG}={named.name}); "
                "a distribution is declared once",
                "id",
            )
        elif adopt is not None and adopt.id != named.id:
            self.error(
                name,
                f"its id names distribution {named.id}, but its aliases are held by {adopt.id}",
                "id",
            )
        return named

    def plan_create(self, name: str, dist: Distribution) -> None:
        missing = [f for f in ("origins", "default_cache_behavior") if not getattr(dist, f)]
        if missing:
            self.error(
                name,
                f"no distribution to adopt or update, and it cannot be created without "
                f"{' and '.join(missing)}",
            )
            return
        fields = declared_fields(dist)
        aspects = [
            AspectChange(f, Action.CREATE, None, self.desired(name, dist, f)) for f in fields
        ]
        aspects.append(
            AspectChange("tags", Action.CREATE, None, self.desired_tags(name, dist, None))
        )
        self.changes.append(
            ResourceChange(
                address=address(name),
                kind=KIND,
                name=name,
                action=Action.CREATE,
                aspects=tuple(aspects),
                **fingerprint(None, fields),
                wait_for_deployment=dist.wait_for_deployment,
                positions=self.positions(name, dist, [*fields, "tags"]),
            )
        )

    def plan_existing(
        self, name: str, dist: Distribution, live: LiveDistribution, *, adopting: bool
    ) -> None:
        have_fields = live.fields or {}
        aspects: list[AspectChange] = []
        for f in declared_fields(dist):
            want = self.desired(name, dist, f)
            have = have_fields.get(f)
            entries = diff(canon.canonical(f, have), canon.canonical(f, want), KEYED)
            if entries:
                aspects.append(AspectChange(f, Action.UPDATE, have, want, entries))
        want_tags = self.desired_tags(name, dist, live)
        entries = diff(canon.canonical("tags", live.tags), canon.canonical("tags", want_tags))
        if entries:
            aspects.append(AspectChange("tags", Action.UPDATE, live.tags, want_tags, entries))
        if not aspects:
            self.unchanged += 1
            return
        self.changes.append(
            ResourceChange(
                address=address(name),
                kind=KIND,
                name=name,
                action=Action.ADOPT if adopting else Action.UPDATE,
                aspects=tuple(aspects),
                **fingerprint(live, declared_fields(dist)),
                reason=(
                    f"distribution {live.id} "
                    + ("is named by its id" if dist.id == live.id else "holds a declared alias")
                    + f" and has no {STACK_TAG} tag"
                    if adopting
                    else None
                ),
                id=live.id,
                wait_for_deployment=dist.wait_for_deployment,
                positions=self.positions(name, dist, [a.aspect for a in aspects]),
            )
        )

    def plan_absent(self, name: str, dist: Distribution, live: LiveDistribution | None) -> None:
        if live is None:
            self.unchanged += 1
            return
        if dist.prevent_destroy:
            self.error(name, "declared absent with prevent_destroy set", "prevent_destroy")
            return
        self.changes.append(self.deletion(name, live, reason=None))

    def deletion(self, name: str, live: LiveDistribution, *, reason: str | None) -> ResourceChange:
        return ResourceChange(
            address=address(name),
            kind=KIND,
            name=name,
            action=Action.DELETE,
            **fingerprint(live, []),
            reason=reason,
            id=live.id,
        )

    def note_unreadable(self) -> None:
        """Distributions whose tags could not be read: whether this stack owns one (and so
        whether it is declared, to adopt, or to prune) is unknown, so the plan cannot stand."""
        for live in self.distributions:
            if live.failures and not live.tags:
                for failure in live.failures:
                    self.diagnostics.append(
                        Diagnostic(
                            Severity.ERROR,
                            address(live.id),
                            f"whether this stack owns it is unknown: {failure}",
                        )
                    )

    def plan_pruned(self) -> None:
        declared = set(distributions(self.spec))
        for live in sorted(self.distributions, key=lambda d: (d.name or "", d.id)):
            if live.stack != self.spec.stack or (live.name or "") in declared:
                continue
            if live.failures:
                for failure in live.failures:
                    self.error(
                        live.name or live.id,
                        f"distribution {live.id}, owned by this stack and no longer declared: "
                        f"{failure}",
                    )
                continue
            self.changes.append(
                self.deletion(live.name or live.id, live, reason=ActionReason.NO_LONGER_DECLARED)
            )


def plan_distributions(context: PlanContext) -> KindPlan:
    """The changes and diagnostics of the distributions ``context`` covers."""
    planner = DistributionPlanner(
        context.spec,
        distributions_live(context.live) or (),
        bucket_live(context.live),
        controls_live(context.live) or (),
        context.options.default_region,
        context.options.position,
    )
    planner.note_unreadable()
    covered = context.covered
    for name, dist in sorted(distributions(context.spec).items()):
        if covered is None or name in covered:
            planner.plan(name, dist)
    if covered is None:
        planner.plan_pruned()
    return KindPlan(planner.changes, planner.diagnostics, planner.unchanged)

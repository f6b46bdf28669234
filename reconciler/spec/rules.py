"""The AWS rules that can be checked without asking AWS, so a broken spec fails before any
API call, with a message that says what to change.

Each check returns findings (a path into the spec, a message, error or warning); the loader puts
them at file positions. Warnings mark what can only be verified against live state (a logging
target the spec does not declare) or what AWS accepts but will likely bite.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from reconciler.aws.names import bucket_name_problem
from reconciler.spec.bucket import AclGrants, Bucket, Grant, LifecycleRule
from reconciler.spec.distribution import CacheBehavior, Distribution
from reconciler.spec.model import Spec
from reconciler.spec.regions import region_problem
from reconciler.spec.source import Path

MAX_TAGS = 50
LOG_DELIVERY_PRINCIPAL = "logging.s3.amazonaws.com"
PUBLIC_CANNED = ("public-read", "public-read-write", "authenticated-read")
PUBLIC_GROUPS = ("AllUsers", "AuthenticatedUsers")
PUBLIC_URIS = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)
LOG_DELIVERY_URI = "http://acs.amazonaws.com/groups/s3/LogDelivery"
# The storage-class waterfall: transitions in a rule must move down it as time passes.
CLASS_ORDER = ["STANDARD_IA", "INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR", "GLACIER",
               "DEEP_ARCHIVE"]  # fmt: skip
THIRTY_DAY_CLASSES = ("STANDARD_IA", "ONEZONE_IA")
CLOUDFRONT_ERROR_CODES = (400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504)
METHOD_SETS = (
    {"GET", "HEAD"},
    {"GET", "HEAD", "OPTIONS"},
    {"GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"},
)
CACHED_SETS = ({"GET", "HEAD"}, {"GET", "HEAD", "OPTIONS"})

_TAG_TEXT = re.compile(r"^[\w\s.:/=+\-@]*$")
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_ACM_ARN = re.compile(r"^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate/[A-Za-z0-9-]+$")
_LOGICAL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class Finding:
    path: Path
    message: str
    severity: Literal["error", "warning"] = "error"
    at_key: bool = False  # point at the key naming ``path`` rather than its value


def check(
    spec: Spec, *, declared: set[str] | None = None, check_stack: bool = True
) -> list[Finding]:
    """Findings for a spec. ``declared`` names every bucket the files declare, including those
    whose shape was invalid (and so are missing from ``spec``): references to them are not
    reported as undeclared."""
    context = _Context(spec, declared if declared is not None else set(spec.buckets))
    findings = list(_stack(spec)) if check_stack else []
    for name, bucket in spec.buckets.items():
        findings.extend(_bucket(context, name, bucket))
    for name, distribution in spec.distributions.items():
        findings.extend(_distribution(context, name, distribution))
    findings.extend(_distribution_uniqueness(spec))
    return findings


@dataclass(frozen=True)
class _Context:
    spec: Spec
    declared: set[str]

    def bucket(self, name: str) -> Bucket | Literal[False] | None:
        """The declared bucket; ``False`` when declared but invalid (nothing to check)."""
        if name in self.spec.buckets:
            return self.spec.buckets[name]
        return False if name in self.declared else None


def _stack(spec: Spec) -> Iterator[Finding]:
    if not spec.stack.strip():
        yield Finding(("stack",), "must not be empty")
    elif len(spec.stack) > 128 or not _TAG_TEXT.match(spec.stack):
        yield Finding(
            ("stack",),
            "must be at most 128 letters, digits, spaces or _.:/=+-@ (it becomes a tag value)",
        )


def _absent(path: Path, kind: str, *, prevent_destroy: bool) -> Iterator[Finding]:
    if prevent_destroy:
        yield Finding(
            (*path, "state"),
            f"state: absent deletes the {kind}, which prevent_destroy: true forbids",
        )


# -- tags ------------------------------------------------------------------------------------


def _tags(tags: Mapping[str, str], path: Path, *, reserved: int, owner: str) -> Iterator[Finding]:
    if len(tags) + reserved > MAX_TAGS:
        yield Finding(
            path,
            f"at most {MAX_TAGS - reserved} tags (AWS allows {MAX_TAGS} per "
            f"{owner}, and the reconciler uses {reserved}); found {len(tags)}",
        )
    for key, value in tags.items():
        where = (*path, key)
        if not 1 <= len(key) <= 128:
            yield Finding(where, "a tag key must be 1 to 128 characters long", at_key=True)
        if key.lower().startswith("aws:"):
            yield Finding(where, "tag keys starting with 'aws:' are reserved for AWS", at_key=True)
        elif key.startswith("reconciler:"):
            yield Finding(
                where,
                "tag keys starting with 'reconciler:' are reserved for the "
                "reconciler's ownership tags",
                at_key=True,
            )
        if not _TAG_TEXT.match(key):
            yield Finding(
                where, "a tag key may hold letters, digits, spaces and _.:/=+-@ only", at_key=True
            )
        if len(value) > 256:
            yield Finding(where, f"a tag value must be at most 256 characters (got {len(value)})")
        if not _TAG_TEXT.match(value):
            yield Finding(where, "a tag value may hold letters, digits, spaces and _.:/=+-@ only")


# -- buckets ---------------------------------------------------------------------------------


def _bucket(ctx: _Context, name: str, bucket: Bucket) -> Iterator[Finding]:
    path: Path = ("buckets", name)
    problem = bucket_name_problem(name)
    if problem:
        yield Finding(path, f"invalid bucket name: {problem}", at_key=True)
    wrong = (
        region_problem(bucket.region, check=ctx.spec.region_check)
        if bucket.region is not None
        else None
    )
    if wrong:
        yield Finding((*path, "region"), wrong)
    if bucket.state == "absent":
        yield from _absent(path, "bucket", prevent_destroy=bucket.prevent_destroy)
        return
    if bucket.force_destroy:
        yield Finding(
            (*path, "force_destroy"),
            "force_destroy only has effect with state: absent",
            severity="warning",
        )
    if bucket.tags is not None:
        yield from _tags(bucket.tags, (*path, "tags"), reserved=1, owner="bucket")
    if bucket.lifecycle is not None:
        yield from _lifecycle(bucket.lifecycle, (*path, "lifecycle"))
    yield from _acl(bucket, path)
    yield from _logging(ctx, bucket, path)
    if isinstance(bucket.policy, dict):
        yield from _policy(bucket.policy, (*path, "policy"))
    yield from _public_exposure(bucket, path)
    yield from _encryption(bucket, path)
    yield from _cors(bucket, path)
    yield from _website(bucket, path)


def _lifecycle(rules: Sequence[LifecycleRule | None], path: Path) -> Iterator[Finding]:
    if len(rules) > 1000:
        yield Finding(path, f"at most 1000 lifecycle rules (found {len(rules)})")
    seen: dict[str, int] = {}
    for index, rule in enumerate(rules):
        if rule is None:
            continue  # its shape is wrong, reported already (see loader.SALVAGED_LISTS)
        where = (*path, index)
        shown = rule.id if len(rule.id) <= 40 else rule.id[:37] + "..."
        label = f"lifecycle rule {shown!r}"
        if not rule.id:
            yield Finding((*where, "id"), "a lifecycle rule needs a non-empty id")
        elif len(rule.id) > 255:
            yield Finding((*where, "id"), f"{label}: the id must be at most 255 characters")
        if rule.id in seen:
            yield Finding(
                (*where, "id"),
                f"{label}: the id is used twice (also {path[-1]}[{seen[rule.id]}]); rules are "
                "matched by id",
            )
        seen.setdefault(rule.id, index)
        yield from _lifecycle_rule(rule, where, label)


def _lifecycle_rule(rule: LifecycleRule, where: Path, label: str) -> Iterator[Finding]:
    tagged = rule.filter is not None and bool(rule.filter.tags)
    if not (
        rule.expiration
        or rule.transitions
        or rule.noncurrent_version_expiration
        or rule.noncurrent_version_transitions
        or rule.abort_incomplete_multipart_upload_days is not None
    ):
        yield Finding(
            where,
            f"{label}: has no action; give expiration, transitions, "
            "noncurrent_version_expiration, noncurrent_version_transitions or "
            "abort_incomplete_multipart_upload_days",
        )
    flt = rule.filter
    if flt is not None:
        low, high = flt.object_size_greater_than, flt.object_size_less_than
        if low is not None and high is not None and low >= high:
            yield Finding(
                (*where, "filter"),
                f"{label}: object_size_greater_than ({low}) must "
                f"be less than object_size_less_than ({high})",
            )
        if flt.tags:
            yield from _tags(flt.tags, (*where, "filter", "tags"), reserved=0, owner="filter")
    exp = rule.expiration
    if exp is not None:
        marker = bool(exp.expired_object_delete_marker)
        if exp.days is not None and exp.date is not None:
            yield Finding((*where, "expiration"), f"{label}: give either days or date, not both")
        elif marker and (exp.days is not None or exp.date is not None):
            yield Finding(
                (*where, "expiration"),
                f"{label}: expired_object_delete_marker cannot be combined with days or date",
            )
        elif exp.days is None and exp.date is None and not marker:
            yield Finding(
                (*where, "expiration"),
                f"{label}: expiration needs days, date or expired_object_delete_marker: true",
            )
        if marker and tagged:
            yield Finding(
                (*where, "expiration"),
                f"{label}: expired_object_delete_marker cannot be used with a tag filter",
            )
    if rule.abort_incomplete_multipart_upload_days is not None and tagged:
        yield Finding(
            (*where, "abort_incomplete_multipart_upload_days"),
            f"{label}: abort_incomplete_multipart_upload_days cannot be used with a tag filter",
        )
    yield from _transitions(rule, where, label)


def _transitions(rule: LifecycleRule, where: Path, label: str) -> Iterator[Finding]:
    by_days: list[tuple[str, int]] = []
    forms = set()
    classes: set[str] = set()
    for index, transition in enumerate(rule.transitions):
        at = (*where, "transitions", index)
        cls = transition.storage_class
        if cls in classes:
            yield Finding(at, f"{label}: two transitions to {cls}")
        classes.add(cls)
        if (transition.days is None) == (transition.date is None):
            yield Finding(
                at,
                f"{label}: the transition to {cls} needs either days or date, not both or neither",
            )
            continue
        forms.add("days" if transition.days is not None else "date")
        if transition.days is not None:
            if cls in THIRTY_DAY_CLASSES and transition.days < 30:
                yield Finding(
                    at,
                    f"{label}: a transition to {cls} must be at least 30 days "
                    f"after creation (got {transition.days})",
                )
            by_days.append((cls, transition.days))
    if len(forms) > 1:
        yield Finding(
            (*where, "transitions"), f"{label}: transitions must all use days or all use dates"
        )
    ordered = sorted(by_days, key=lambda item: CLASS_ORDER.index(item[0]))
    for (first, first_days), (later, later_days) in itertools.pairwise(ordered):
        gap = 30 if first in THIRTY_DAY_CLASSES else 1
        if later_days < first_days + gap:
            yield Finding(
                (*where, "transitions"),
                f"{label}: the transition to {later} "
                f"({later_days} days) must come at least {gap} days after the one to "
                f"{first} ({first_days} days)",
            )
    exp = rule.expiration
    if exp is not None and exp.days is not None and by_days:
        last = max(days for _, days in by_days)
        if exp.days <= last:
            yield Finding(
                (*where, "expiration"),
                f"{label}: expiration ({exp.days} days) must "
                f"come after the last transition ({last} days)",
            )
    for index, nvt in enumerate(rule.noncurrent_version_transitions):
        if nvt.storage_class in THIRTY_DAY_CLASSES and nvt.noncurrent_days < 30:
            yield Finding(
                (*where, "noncurrent_version_transitions", index),
                f"{label}: a noncurrent transition to {nvt.storage_class} must be at "
                f"least 30 days (got {nvt.noncurrent_days})",
            )
    nve = rule.noncurrent_version_expiration
    if nve is not None and rule.noncurrent_version_transitions:
        last = max(t.noncurrent_days for t in rule.noncurrent_version_transitions)
        if nve.noncurrent_days <= last:
            yield Finding(
                (*where, "noncurrent_version_expiration"),
                f"{label}: noncurrent versions must expire after their last "
                f"transition ({nve.noncurrent_days} <= {last} days)",
            )


def _grants(grants: list[Grant], path: Path) -> Iterator[Finding]:
    for index, grant in enumerate(grants):
        grantee = grant.grantee
        given = [k for k in ("id", "email", "group", "uri") if getattr(grantee, k) is not None]
        if len(given) != 1:
            yield Finding(
                (*path, index, "grantee"),
                "a grantee takes exactly one of id, email, "
                f"group or uri (got {', '.join(given) or 'none'})",
            )


def _is_public_acl(bucket: Bucket) -> str | None:
    if isinstance(bucket.acl, str):
        return bucket.acl if bucket.acl in PUBLIC_CANNED else None
    if isinstance(bucket.acl, AclGrants):
        for grant in bucket.acl.grants:
            if grant.grantee.group in PUBLIC_GROUPS or grant.grantee.uri in PUBLIC_URIS:
                return f"a grant to {grant.grantee.group or grant.grantee.uri}"
    return None


def _acl(bucket: Bucket, path: Path) -> Iterator[Finding]:
    if isinstance(bucket.acl, AclGrants):
        yield from _grants(bucket.acl.grants, (*path, "acl", "grants"))
    allows_acl = bucket.acl is None or bucket.acl in ("private", "bucket-owner-full-control")
    if bucket.object_ownership == "BucketOwnerEnforced" and not allows_acl:
        yield Finding(
            (*path, "acl"),
            "object_ownership BucketOwnerEnforced disables ACLs: "
            "the acl must be private or bucket-owner-full-control (or left out)",
        )
    elif bucket.object_ownership is None and not allows_acl:
        yield Finding(
            (*path, "acl"),
            "new buckets default to object_ownership "
            "BucketOwnerEnforced, which refuses this ACL; declare object_ownership: "
            "BucketOwnerPreferred or ObjectWriter",
            severity="warning",
        )


def delivers_logs(target: Bucket) -> bool:
    """Whether S3 may deliver server access logs into ``target``: a log-delivery ACL (canned or
    a grant to the LogDelivery group) or a policy allowing the logging service principal.
    Used on declared targets here, and by the planner on live ones."""
    if target.acl == "log-delivery-write":
        return True
    if isinstance(target.acl, AclGrants) and any(
        (g.grantee.group == "LogDelivery" or g.grantee.uri == LOG_DELIVERY_URI)
        and g.permission in ("WRITE", "FULL_CONTROL")
        for g in target.acl.grants
    ):
        return True
    if isinstance(target.policy, dict):
        for statement in _statements(target.policy):
            principal = statement.get("Principal")
            services = principal.get("Service") if isinstance(principal, dict) else None
            services = [services] if isinstance(services, str) else services or []
            actions = statement.get("Action")
            actions = [actions] if isinstance(actions, str) else actions or []
            if (
                statement.get("Effect") == "Allow"
                and LOG_DELIVERY_PRINCIPAL in services
                and any(a in ("s3:PutObject", "s3:*", "*") for a in actions)
            ):
                return True
    return False


def _logging(ctx: _Context, bucket: Bucket, path: Path) -> Iterator[Finding]:
    if not bucket.logging:
        return
    where = (*path, "logging", "target_bucket")
    target_name = bucket.logging.target_bucket
    yield from _grants(bucket.logging.target_grants, (*path, "logging", "target_grants"))
    target = ctx.bucket(target_name)
    if target is False:
        return
    if target is None:
        yield Finding(
            where,
            f"target bucket {target_name!r} is not declared in this spec: its "
            "existence, region and log-delivery permission are checked against AWS "
            "when planning",
            severity="warning",
        )
        return
    if target.state == "absent":
        yield Finding(where, f"target bucket {target_name!r} is declared state: absent")
        return
    if bucket.region and target.region and bucket.region != target.region:
        yield Finding(
            where,
            f"target bucket {target_name!r} is in {target.region} but this "
            f"bucket is in {bucket.region}: S3 delivers logs within a region only",
        )
    enforced = target.object_ownership == "BucketOwnerEnforced"
    if enforced and bucket.logging.target_grants:
        yield Finding(
            (*path, "logging", "target_grants"),
            f"target bucket {target_name!r} has "
            "object_ownership BucketOwnerEnforced, which does not support target "
            "grants",
        )
    if not delivers_logs(target):
        how = (
            "a policy statement that allows the service principal "
            f"{LOG_DELIVERY_PRINCIPAL} to s3:PutObject"
        )
        if not enforced:
            how = f"acl: log-delivery-write, or {how}"
        yield Finding(
            where, f"target bucket {target_name!r} does not let S3 deliver logs: give it {how}"
        )


def _statements(policy: Mapping[str, Any]) -> list[dict[str, Any]]:
    statement = policy.get("Statement")
    items = statement if isinstance(statement, list) else [statement]
    return [s for s in items if isinstance(s, dict)]


def _policy(policy: Mapping[str, Any], path: Path) -> Iterator[Finding]:
    unknown = sorted(set(policy) - {"Version", "Id", "Statement"})
    if unknown:
        yield Finding(
            path,
            f"a policy document holds Version, Id and Statement only (found {', '.join(unknown)})",
        )
    version = policy.get("Version")
    if version is not None and version not in ("2012-10-17", "2008-10-17"):
        yield Finding((*path, "Version"), f"Version must be 2012-10-17 (got {version!r})")
    statement = policy.get("Statement")
    if statement is None or statement == []:
        yield Finding(path, "a policy needs a Statement (false deletes the policy)")
        return
    items = statement if isinstance(statement, list) else [statement]
    for index, item in enumerate(items):
        where = (*path, "Statement", index) if isinstance(statement, list) else (*path, "Statement")
        if not isinstance(item, dict):
            yield Finding(where, "a statement must be a mapping")
            continue
        if item.get("Effect") not in ("Allow", "Deny"):
            yield Finding(
                where, f"a statement's Effect must be Allow or Deny (got {item.get('Effect')!r})"
            )
        if "Action" not in item and "NotAction" not in item:
            yield Finding(where, "a statement needs Action or NotAction")
        if "Principal" not in item and "NotPrincipal" not in item:
            yield Finding(where, "a bucket policy statement needs a Principal")
        for key in ("Principal", "NotPrincipal"):
            principal = item.get(key)
            if isinstance(principal, dict) and "CanonicalUser" in principal:
                yield Finding(
                    (*where, key, "CanonicalUser"),
                    "S3 stores a CanonicalUser principal as the IAM ARN it stands for, so this "
                    "statement would differ from the live policy on every plan; write the ARN "
                    "instead: for a CloudFront origin access identity, "
                    '{"AWS": "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity '
                    'OAI_ID"} (its id, not its canonical user id), or better, an origin access '
                    "control",
                )


def _is_public_policy(policy: Mapping[str, Any]) -> bool:
    for statement in _statements(policy):
        principal = statement.get("Principal")
        if isinstance(principal, dict):
            principal = principal.get("AWS")
        principals = principal if isinstance(principal, list) else [principal]
        if (
            statement.get("Effect") == "Allow"
            and "*" in principals
            and "Condition" not in statement
        ):
            return True
    return False


def _public_exposure(bucket: Bucket, path: Path) -> Iterator[Finding]:
    block = bucket.public_access_block
    if not block:
        return
    public_acl = _is_public_acl(bucket)
    if public_acl and block.block_public_acls:
        yield Finding(
            (*path, "acl"),
            f"the acl is public ({public_acl}), but "
            "public_access_block.block_public_acls refuses public ACLs",
        )
    if (
        isinstance(bucket.policy, dict)
        and _is_public_policy(bucket.policy)
        and (block.block_public_policy)
    ):
        yield Finding(
            (*path, "policy"),
            "the policy allows everyone (Principal '*'), but "
            "public_access_block.block_public_policy refuses public policies",
        )


def _encryption(bucket: Bucket, path: Path) -> Iterator[Finding]:
    enc = bucket.encryption
    if not enc or enc.algorithm != "AES256":
        return
    if enc.kms_key_id is not None:
        yield Finding(
            (*path, "encryption", "kms_key_id"),
            "kms_key_id applies to aws:kms or aws:kms:dsse encryption only",
        )
    if enc.bucket_key_enabled is not None:
        yield Finding(
            (*path, "encryption", "bucket_key_enabled"),
            "bucket_key_enabled applies to aws:kms or aws:kms:dsse encryption only",
        )


def _cors(bucket: Bucket, path: Path) -> Iterator[Finding]:
    if bucket.cors is None:
        return
    if len(bucket.cors) > 100:
        yield Finding((*path, "cors"), f"at most 100 CORS rules (found {len(bucket.cors)})")
    for index, rule in enumerate(bucket.cors):
        if rule is None:
            continue  # its shape is wrong, reported already (see loader.SALVAGED_LISTS)
        where = (*path, "cors", index)
        if not rule.allowed_methods:
            yield Finding((*where, "allowed_methods"), "a CORS rule needs at least one method")
        if not rule.allowed_origins:
            yield Finding((*where, "allowed_origins"), "a CORS rule needs at least one origin")
        for field, values in (
            ("allowed_origins", rule.allowed_origins),
            ("allowed_headers", rule.allowed_headers),
        ):
            for value in values:
                if value.count("*") > 1:
                    yield Finding((*where, field), f"{value!r}: at most one '*' wildcard")
        if len(set(rule.allowed_methods)) != len(rule.allowed_methods):
            yield Finding((*where, "allowed_methods"), "a method is listed twice")


def _website(bucket: Bucket, path: Path) -> Iterator[Finding]:
    site = bucket.website
    if not site:
        return
    where = (*path, "website")
    if site.redirect_all_requests_to is not None:
        others = [
            f for f in ("index_document", "error_document") if getattr(site, f) is not None
        ] + (["routing_rules"] if site.routing_rules else [])
        if others:
            yield Finding(
                where,
                "redirect_all_requests_to excludes the other website settings "
                f"(found {', '.join(others)})",
            )
        return
    if site.index_document is None:
        yield Finding(where, "a website needs index_document (or redirect_all_requests_to)")
    elif not site.index_document or "/" in site.index_document:
        yield Finding(
            (*where, "index_document"),
            "the index document is a suffix such as index.html: not empty, and without a slash",
        )
    if len(site.routing_rules) > 50:
        yield Finding((*where, "routing_rules"), "at most 50 routing rules")
    for index, rule in enumerate(site.routing_rules):
        redirect = rule.redirect
        at = (*where, "routing_rules", index, "redirect")
        if redirect.replace_key_prefix_with is not None and redirect.replace_key_with is not None:
            yield Finding(at, "give replace_key_prefix_with or replace_key_with, not both")
        if not redirect.model_dump(exclude_none=True):
            yield Finding(at, "a redirect needs at least one setting")
        code = redirect.http_redirect_code
        if code is not None and not re.match(r"^3\d\d$", code):
            yield Finding(at, f"http_redirect_code must be a 3xx code (got {code!r})")


# -- distributions ---------------------------------------------------------------------------


def _distribution(ctx: _Context, name: str, dist: Distribution) -> Iterator[Finding]:
    path: Path = ("distributions", name)
    if not _LOGICAL_NAME.match(name):
        yield Finding(
            path,
            "a distribution's logical name is 1 to 128 letters, digits, '.', "
            "'_' or '-' (it becomes the reconciler:name tag)",
            at_key=True,
        )
    if dist.state == "absent":
        yield from _absent(path, "distribution", prevent_destroy=dist.prevent_destroy)
        return
    missing = [f for f in ("origins", "default_cache_behavior") if not getattr(dist, f)]
    if missing:
        yield Finding(
            path,
            f"{' and '.join(missing)} left out: the distribution can be adopted and updated, "
            "but not created",
            severity="warning",
        )
    origin_ids = yield from _origins(ctx, dist, path)
    behaviors: list[tuple[Path, CacheBehavior]] = []
    if dist.default_cache_behavior is not None:
        behaviors.append(((*path, "default_cache_behavior"), dist.default_cache_behavior))
    patterns: dict[str, int] = {}
    for index, by_path in enumerate(dist.cache_behaviors or []):
        where = (*path, "cache_behaviors", index)
        behaviors.append((where, by_path))
        pattern = by_path.path_pattern
        if pattern in patterns:
            yield Finding(
                (*where, "path_pattern"),
                f"path pattern {pattern!r} is used twice (also behaviour #{patterns[pattern] + 1})",
            )
        patterns.setdefault(pattern, index)
    for where, behavior in behaviors:
        yield from _behavior(behavior, where, origin_ids if dist.origins else None)
    if dist.comment is not None and len(dist.comment) > 128:
        yield Finding((*path, "comment"), f"at most 128 characters (got {len(dist.comment)})")
    if dist.default_root_object is not None and dist.default_root_object.startswith("/"):
        yield Finding(
            (*path, "default_root_object"),
            "give the object name without a leading "
            f"slash ({dist.default_root_object.lstrip('/')!r})",
        )
    yield from _aliases_and_certificate(dist, path)
    yield from _distribution_logging(ctx, dist, path)
    yield from _error_responses(dist, path)
    yield from _geo(dist, path)
    if dist.tags is not None:
        yield from _tags(dist.tags, (*path, "tags"), reserved=2, owner="distribution")


def _origins(ctx: _Context, dist: Distribution, path: Path) -> Generator[Finding, None, set[str]]:
    """The origins' findings; returns their ids."""
    ids: dict[str, int] = {}
    for index, origin in enumerate(dist.origins or []):
        where = (*path, "origins", index)
        if origin.id in ids:
            yield Finding((*where, "id"), f"origin id {origin.id!r} is used twice")
        ids.setdefault(origin.id, index)
        if (origin.bucket is None) == (origin.domain_name is None):
            yield Finding(
                where,
                f"origin {origin.id!r}: give either bucket (an S3 origin) or "
                "domain_name (a custom origin)",
            )
            continue
        if origin.bucket is not None:
            if origin.custom is not None:
                yield Finding(
                    (*where, "custom"),
                    f"origin {origin.id!r}: custom settings are for "
                    "custom origins; an S3 origin takes none",
                )
            declared = ctx.bucket(origin.bucket)
            if declared is None:
                yield Finding(
                    (*where, "bucket"),
                    f"origin bucket {origin.bucket!r} is not "
                    "declared in this spec: it is checked against AWS when planning",
                    severity="warning",
                )
            elif declared is not False and declared.state == "absent":
                yield Finding(
                    (*where, "bucket"), f"origin bucket {origin.bucket!r} is declared state: absent"
                )
        elif origin.origin_access_control_id is not None:
            yield Finding(
                (*where, "origin_access_control_id"),
                f"origin {origin.id!r}: an origin access control is for S3 origins",
            )
        if origin.origin_path and (
            not origin.origin_path.startswith("/") or origin.origin_path.endswith("/")
        ):
            yield Finding(
                (*where, "origin_path"),
                "an origin path starts with '/' and does not end with one, e.g. /production",
            )
    return set(ids)


def _behavior(
    behavior: CacheBehavior, where: Path, origin_ids: set[str] | None
) -> Iterator[Finding]:
    if origin_ids is not None and behavior.target_origin not in origin_ids:
        known = ", ".join(sorted(origin_ids))
        yield Finding(
            (*where, "target_origin"),
            f"{behavior.target_origin!r} is not an origin of this distribution (origins: {known})",
        )
    allowed = set(behavior.allowed_methods)
    valid_allowed = allowed in METHOD_SETS
    if not valid_allowed:
        yield Finding(
            (*where, "allowed_methods"),
            "CloudFront accepts [GET, HEAD], [GET, HEAD, OPTIONS] or all seven methods",
        )
    cached = set(behavior.cached_methods)
    if valid_allowed and (cached not in CACHED_SETS or not cached <= allowed):
        yield Finding(
            (*where, "cached_methods"),
            "cached_methods is [GET, HEAD] or [GET, HEAD, OPTIONS], within allowed_methods",
        )
    legacy = [f for f in ("min_ttl", "default_ttl", "max_ttl") if getattr(behavior, f) is not None]
    if behavior.cache_policy_id is not None and legacy:
        yield Finding(
            where,
            f"{', '.join(legacy)} {'apply' if len(legacy) > 1 else 'applies'} only without "
            "cache_policy_id",
        )
    ttls = [behavior.min_ttl, behavior.default_ttl, behavior.max_ttl]
    known_ttls = [t for t in ttls if t is not None]
    if known_ttls != sorted(known_ttls):
        yield Finding(where, "TTLs must satisfy min_ttl <= default_ttl <= max_ttl")


def _is_host_name(alias: str) -> bool:
    labels = alias[2:].split(".") if alias.startswith("*.") else alias.split(".")
    return len(alias) <= 253 and len(labels) >= 2 and all(_HOST_LABEL.match(x) for x in labels)


def _aliases_and_certificate(dist: Distribution, path: Path) -> Iterator[Finding]:
    for index, alias in enumerate(dist.aliases or []):
        where = (*path, "aliases", index)
        if alias != alias.lower():
            yield Finding(
                where,
                f"write aliases in lower case ({alias.lower()!r}): CloudFront "
                "compares them without case",
            )
        elif not _is_host_name(alias):
            yield Finding(
                where, f"{alias!r} is not a valid host name (a leading '*.' wildcard is allowed)"
            )
    if len(set(dist.aliases or [])) != len(dist.aliases or []):
        yield Finding((*path, "aliases"), "an alias is listed twice")
    cert = dist.viewer_certificate
    if dist.aliases and (cert is None or cert.cloudfront_default_certificate):
        yield Finding(
            (*path, "aliases"),
            "aliases need a certificate that covers them: set "
            "viewer_certificate.acm_certificate_arn (or iam_certificate_id)",
        )
    if cert is None:
        return
    where = (*path, "viewer_certificate")
    sources = [
        f for f in ("acm_certificate_arn", "iam_certificate_id") if getattr(cert, f) is not None
    ] + (["cloudfront_default_certificate"] if cert.cloudfront_default_certificate else [])
    if len(sources) != 1:
        yield Finding(
            where,
            "give exactly one of cloudfront_default_certificate: true, "
            "acm_certificate_arn or iam_certificate_id",
        )
    if cert.acm_certificate_arn is not None:
        match = _ACM_ARN.match(cert.acm_certificate_arn)
        if match is None:
            yield Finding(
                (*where, "acm_certificate_arn"),
                "not an ACM certificate ARN (arn:aws:acm:us-east-1:ACCOUNT:certificate/ID)",
            )
        elif match.group(1) != "us-east-1":
            yield Finding(
                (*where, "acm_certificate_arn"),
                "CloudFront uses ACM certificates "
                f"from us-east-1 only (this one is in {match.group(1)})",
            )
    if (cert.acm_certificate_arn or cert.iam_certificate_id) and cert.ssl_support_method not in (
        "sni-only",
        "vip",
    ):
        yield Finding(
            (*where, "ssl_support_method"),
            "a custom certificate needs ssl_support_method: sni-only (or vip)",
        )


def _distribution_logging(ctx: _Context, dist: Distribution, path: Path) -> Iterator[Finding]:
    if not dist.logging:
        return
    where = (*path, "logging", "bucket")
    declared = ctx.bucket(dist.logging.bucket)
    if declared is False:
        return
    if declared is None:
        yield Finding(
            where,
            f"logging bucket {dist.logging.bucket!r} is not declared in this "
            "spec: it is checked against AWS when planning",
            severity="warning",
        )
    elif declared.object_ownership == "BucketOwnerEnforced":
        yield Finding(
            where,
            f"CloudFront writes standard logs through ACLs, which bucket "
            f"{dist.logging.bucket!r} disables (object_ownership BucketOwnerEnforced); "
            "use BucketOwnerPreferred",
        )
    elif declared.state == "absent":
        yield Finding(where, f"logging bucket {dist.logging.bucket!r} is declared state: absent")


def _error_responses(dist: Distribution, path: Path) -> Iterator[Finding]:
    seen: set[int] = set()
    for index, response in enumerate(dist.custom_error_responses or []):
        where = (*path, "custom_error_responses", index)
        if response.error_code not in CLOUDFRONT_ERROR_CODES:
            codes = ", ".join(map(str, CLOUDFRONT_ERROR_CODES))
            yield Finding(
                (*where, "error_code"),
                f"CloudFront customises {codes} only (got {response.error_code})",
            )
        if response.error_code in seen:
            yield Finding(
                (*where, "error_code"), f"error code {response.error_code} is listed twice"
            )
        seen.add(response.error_code)
        if (response.response_page_path is None) != (response.response_code is None):
            yield Finding(where, "response_page_path and response_code go together")
        if response.response_page_path is not None and not response.response_page_path.startswith(
            "/"
        ):
            yield Finding((*where, "response_page_path"), "the page path starts with '/'")


def _geo(dist: Distribution, path: Path) -> Iterator[Finding]:
    if dist.restrictions is None:
        return
    geo = dist.restrictions.geo_restriction
    where = (*path, "restrictions", "geo_restriction")
    if geo.type == "none" and geo.locations:
        yield Finding(where, "type none takes no locations")
    if geo.type != "none" and not geo.locations:
        yield Finding(where, f"type {geo.type} needs at least one location")
    for index, code in enumerate(geo.locations):
        if not _COUNTRY.match(code):
            yield Finding(
                (*where, "locations", index),
                f"{code!r} is not an ISO 3166-1 alpha-2 country code (such as DE)",
            )


def _distribution_uniqueness(spec: Spec) -> Iterator[Finding]:
    owners: dict[str, str] = {}
    for name, dist in spec.distributions.items():
        if dist.state == "absent":
            continue
        for index, alias in enumerate(dist.aliases or []):
            key = alias.lower()
            if key in owners and owners[key] != name:
                yield Finding(
                    ("distributions", name, "aliases", index),
                    f"alias {alias!r} is "
                    f"also declared by distribution {owners[key]!r}: an alias belongs "
                    "to one distribution",
                )
            owners.setdefault(key, name)
    ids: dict[str, str] = {}
    for name, dist in spec.distributions.items():
        if dist.id is None:
            continue
        if dist.id in ids:
            yield Finding(
                ("distributions", name, "id"),
                f"id {dist.id} is also given by distribution {ids[dist.id]!r}: a distribution "
                "is declared once",
            )
        ids.setdefault(dist.id, name)

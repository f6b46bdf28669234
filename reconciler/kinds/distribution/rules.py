"""The offline rules of a CloudFront distribution: names, origins, behaviours, aliases and
certificate, logging, error responses, geo restrictions, and what must be unique across the
spec's distributions."""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING

from reconciler.errors import Severity
from reconciler.kinds.bucket.aspects import object_ownership
from reconciler.kinds.bucket.declared import declared_bucket
from reconciler.kinds.distribution.declared import distributions
from reconciler.kinds.distribution.model import CacheBehavior, Distribution, Origin
from reconciler.kinds.origin_access_control.declared import SECTION as OAC_SECTION
from reconciler.kinds.origin_access_control.declared import origin_access_controls
from reconciler.spec.findings import Finding, RuleContext, absent
from reconciler.spec.source import Path
from reconciler.spec.tag_rules import check_tags

if TYPE_CHECKING:
    from reconciler.spec.model import Spec

CLOUDFRONT_ERROR_CODES = (400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504)
METHOD_SETS = (
    {"GET", "HEAD"},
    {"GET", "HEAD", "OPTIONS"},
    {"GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"},
)
CACHED_SETS = ({"GET", "HEAD"}, {"GET", "HEAD", "OPTIONS"})

_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_ACM_ARN = re.compile(r"^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate/[A-Za-z0-9-]+$")
_LOGICAL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def check(ctx: RuleContext) -> Iterator[Finding]:
    """Findings for every distribution of the spec."""
    for name, distribution in distributions(ctx.spec).items():
        yield from _distribution(ctx, name, distribution)
    yield from _distribution_uniqueness(ctx.spec)


def _distribution(ctx: RuleContext, name: str, dist: Distribution) -> Iterator[Finding]:
    path: Path = ("distributions", name)
    if not _LOGICAL_NAME.match(name):
        yield Finding(
            path,
            "a distribution's logical name is 1 to 128 letters, digits, '.', "
            "'_' or '-' (it becomes the reconciler:name tag)",
            at_key=True,
        )
    if dist.state == "absent":
        yield from absent(path, "distribution", prevent_destroy=dist.prevent_destroy)
        return
    missing = [f for f in ("origins", "default_cache_behavior") if not getattr(dist, f)]
    if missing:
        yield Finding(
            path,
            f"{' and '.join(missing)} left out: the distribution can be adopted and updated, "
            "but not created",
            severity=Severity.WARNING,
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
        yield from check_tags(dist.tags, (*path, "tags"), reserved=2, owner="distribution")


def _origins(
    ctx: RuleContext, dist: Distribution, path: Path
) -> Generator[Finding, None, set[str]]:
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
            declared = declared_bucket(ctx, origin.bucket)
            if declared is None:
                yield Finding(
                    (*where, "bucket"),
                    f"origin bucket {origin.bucket!r} is not "
                    "declared in this spec: it is checked against AWS when planning",
                    severity=Severity.WARNING,
                )
            elif declared is not False and declared.state == "absent":
                yield Finding(
                    (*where, "bucket"), f"origin bucket {origin.bucket!r} is declared state: absent"
                )
        elif origin.origin_access_control_id is not None or origin.origin_access_control:
            field = (
                "origin_access_control"
                if origin.origin_access_control
                else "origin_access_control_id"
            )
            yield Finding(
                (*where, field),
                f"origin {origin.id!r}: an origin access control is for S3 origins",
            )
        yield from _access_control(ctx, origin, where)
        if origin.origin_path and (
            not origin.origin_path.startswith("/") or origin.origin_path.endswith("/")
        ):
            yield Finding(
                (*where, "origin_path"),
                "an origin path starts with '/' and does not end with one, e.g. /production",
            )
    return set(ids)


def _access_control(ctx: RuleContext, origin: Origin, where: Path) -> Iterator[Finding]:
    """An origin's access control named by logical name: a declared, present one, and not
    beside an id."""
    named = origin.origin_access_control
    if named is None:
        return
    if origin.origin_access_control_id is not None:
        yield Finding(
            (*where, "origin_access_control_id"),
            f"origin {origin.id!r}: give origin_access_control or origin_access_control_id, "
            "not both",
        )
    declared = origin_access_controls(ctx.spec).get(named)
    if declared is None and not ctx.declares(OAC_SECTION, named):
        yield Finding(
            (*where, "origin_access_control"),
            f"origin access control {named!r} is not declared under origin_access_controls",
        )
    elif declared is not None and declared.state == "absent":
        yield Finding(
            (*where, "origin_access_control"),
            f"origin access control {named!r} is declared state: absent",
        )


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


def _distribution_logging(ctx: RuleContext, dist: Distribution, path: Path) -> Iterator[Finding]:
    if not dist.logging:
        return
    where = (*path, "logging", "bucket")
    declared = declared_bucket(ctx, dist.logging.bucket)
    if declared is False:
        return
    if declared is None:
        yield Finding(
            where,
            f"logging bucket {dist.logging.bucket!r} is not declared in this "
            "spec: it is checked against AWS when planning",
            severity=Severity.WARNING,
        )
    elif object_ownership.disables_acls(getattr(declared, object_ownership.ASPECT.key)):
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
    for name, dist in distributions(spec).items():
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
    for name, dist in distributions(spec).items():
        if dist.id is None:
            continue
        if dist.id in ids:
            yield Finding(
                ("distributions", name, "id"),
                f"id {dist.id} is also given by distribution {ids[dist.id]!r}: a distribution "
                "is declared once",
            )
        ids.setdefault(dist.id, name)

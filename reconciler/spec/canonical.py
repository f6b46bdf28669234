"""What a bucket aspect *means*, as a plain JSON value two states can be compared by.

The planner never compares spec models field by field: the same meaning has many spellings. A
canned ACL and its grants, a lifecycle rule's legacy ``Prefix`` and ``Filter{Prefix}``, a policy
with ``"Action": "s3:GetObject"`` and one with ``["s3:GetObject"]``, a missing encryption
configuration and AWS's default SSE-S3: each pair maps to one canonical value here, and the desired
and the live state (both spec models) go through the same functions. Sets become sorted lists or
maps; values AWS fills in when left out are filled in on both sides.

Shapes are chosen so attribute paths read well in a plan: lifecycle rules are keyed by id
(``rules[expire-logs].expiration.days``), grants by grantee (``grants[group:AllUsers]``).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from reconciler.spec.bucket import (
    AclGrants,
    CorsRule,
    Encryption,
    Grant,
    Grantee,
    LifecycleFilter,
    LifecycleRule,
    Logging,
    PublicAccessBlock,
    Website,
)
from reconciler.spec.common import SpecModel

Json = Any

OWNER = "owner"

GROUP_URIS = {
    "AllUsers": "http://acs.amazonaws.com/groups/global/AllUsers",
    "AuthenticatedUsers": "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
    "LogDelivery": "http://acs.amazonaws.com/groups/s3/LogDelivery",
}
URI_GROUPS = {uri: group for group, uri in GROUP_URIS.items()}

#: The grants each canned ACL stands for, besides the owner's FULL_CONTROL. The ``bucket-owner-*``
#: ACLs are meant for objects; on a bucket they leave the owner alone, like ``private``.
CANNED_GRANTS: dict[str, tuple[tuple[str, str], ...]] = {
    "private": (),
    "bucket-owner-read": (),
    "bucket-owner-full-control": (),
    "aws-exec-read": (),
    "public-read": (("AllUsers", "READ"),),
    "public-read-write": (("AllUsers", "READ"), ("AllUsers", "WRITE")),
    "authenticated-read": (("AuthenticatedUsers", "READ"),),
    "log-delivery-write": (("LogDelivery", "WRITE"), ("LogDelivery", "READ_ACP")),
}

#: What AWS reports when an aspect was never configured (or its configuration was deleted).
NEVER_SET: dict[str, Json] = {
    "object_ownership": "ObjectWriter",
    "public_access_block": {
        "block_public_acls": False,
        "ignore_public_acls": False,
        "block_public_policy": False,
        "restrict_public_buckets": False,
    },
    "encryption": {"algorithm": "AES256", "kms_key_id": None, "bucket_key_enabled": False},
    "versioning": "suspended",
    "lifecycle": {"rules": {}},
    "logging": None,
    "policy": None,
    "cors": [],
    "website": None,
    "tags": {},
}


@dataclass
class Context:
    """What canonical forms need beyond the value: the bucket owner's canonical id (for the
    owner's implicit grant), and, when the desired ACL names grantees by email (which AWS
    answers with canonical ids), the permissions given by email: such grants cannot be verified
    and are left out of the comparison on both sides."""

    owner_id: str | None = None
    email_permissions: frozenset[str] = field(default_factory=frozenset)
    declared_ids: frozenset[str] = field(default_factory=frozenset)
    #: The same, for the grants of ``logging.target_grants``.
    logging_email_permissions: frozenset[str] = field(default_factory=frozenset)
    logging_declared_ids: frozenset[str] = field(default_factory=frozenset)


def _unverifiable(
    grants: list[Grant], *, emails: frozenset[str], declared: frozenset[str], owner: str | None
) -> list[Grant]:
    """Grants without those that cannot be compared: any grant to an email address (a store
    may echo it back, AWS answers it with a canonical id), and, where the spec grants by email,
    the live canonical-id grants of those permissions that the spec does not name (they are
    what the emails became)."""
    return [
        g
        for g in grants
        if g.grantee.email is None
        and (
            not emails
            or g.grantee.id is None
            or g.grantee.id == owner
            or g.grantee.id in declared
            or g.permission not in emails
        )
    ]


def grantee_key(grantee: Grantee, owner_id: str | None) -> str:
    if grantee.id is not None:
        return OWNER if owner_id and grantee.id == owner_id else f"id:{grantee.id}"
    if grantee.group is not None:
        return f"group:{grantee.group}"
    if grantee.uri is not None:
        group = URI_GROUPS.get(grantee.uri)
        return f"group:{group}" if group else f"uri:{grantee.uri}"
    return f"email:{(grantee.email or '').lower()}"


def grants_from_canned(name: str, owner_id: str) -> list[Grant]:
    """A canned ACL as the explicit grants S3 stores for it, the owner's included."""
    grants = [Grant(grantee=Grantee(id=owner_id), permission="FULL_CONTROL")]
    grants += [
        Grant(grantee=Grantee(group=group), permission=permission)  # type: ignore[arg-type]
        for group, permission in CANNED_GRANTS[name]
    ]
    return grants


def canned_name(grants: list[Grant], owner_id: str) -> str | None:
    """The canned ACL these grants are exactly, if any (the most common name first)."""
    have = _grant_map(grants, owner_id)
    for name in (
        "private",
        "public-read",
        "public-read-write",
        "authenticated-read",
        "log-delivery-write",
    ):
        if _grant_map(grants_from_canned(name, owner_id), owner_id) == have:
            return name
    return None


def _grant_map(grants: list[Grant], owner_id: str | None) -> dict[str, str]:
    by_grantee: dict[str, set[str]] = {}
    for grant in grants:
        by_grantee.setdefault(grantee_key(grant.grantee, owner_id), set()).add(grant.permission)
    return {key: ",".join(sorted(perms)) for key, perms in sorted(by_grantee.items())}


def acl(value: str | AclGrants, ctx: Context, *, desired: bool) -> Json:
    if isinstance(value, str):
        # A canned ACL always includes the owner's FULL_CONTROL, on either side.
        grants = grants_from_canned(value, ctx.owner_id or "")
    else:
        grants = list(value.grants)
    if desired:
        grants = [g for g in grants if g.grantee.email is None]
        if not any(grantee_key(g.grantee, ctx.owner_id) == OWNER for g in grants):
            grants.append(Grant(grantee=Grantee(id=ctx.owner_id or ""), permission="FULL_CONTROL"))
    else:
        grants = _unverifiable(
            grants, emails=ctx.email_permissions, declared=ctx.declared_ids, owner=ctx.owner_id
        )
    return {"grants": _grant_map(grants, ctx.owner_id)}


def _filter(flt: LifecycleFilter | None) -> Json:
    if flt is None:
        return {}
    out: dict[str, Any] = {}
    if flt.prefix:
        out["prefix"] = flt.prefix
    if flt.tags:
        out["tags"] = dict(sorted(flt.tags.items()))
    if flt.object_size_greater_than is not None:
        out["object_size_greater_than"] = flt.object_size_greater_than
    if flt.object_size_less_than is not None:
        out["object_size_less_than"] = flt.object_size_less_than
    return out


def _date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _rule(rule: LifecycleRule) -> Json:
    out: dict[str, Any] = {"enabled": rule.enabled, "filter": _filter(rule.filter)}
    if rule.expiration is not None:
        exp = rule.expiration
        expiration = _drop_none(
            {
                "days": exp.days,
                "date": _date(exp.date),
                "expired_object_delete_marker": exp.expired_object_delete_marker or None,
            }
        )
        if expiration:
            out["expiration"] = expiration
    if rule.transitions:
        out["transitions"] = sorted(
            (
                _drop_none(
                    {"storage_class": t.storage_class, "days": t.days, "date": _date(t.date)}
                )
                for t in rule.transitions
            ),
            key=lambda t: (t.get("days", -1), t.get("date", ""), t["storage_class"]),
        )
    if rule.noncurrent_version_expiration is not None:
        out["noncurrent_version_expiration"] = _dump(rule.noncurrent_version_expiration)
    if rule.noncurrent_version_transitions:
        out["noncurrent_version_transitions"] = sorted(
            (_dump(t) for t in rule.noncurrent_version_transitions),
            key=lambda t: (t["noncurrent_days"], t["storage_class"]),
        )
    if rule.abort_incomplete_multipart_upload_days is not None:
        out["abort_incomplete_multipart_upload_days"] = rule.abort_incomplete_multipart_upload_days
    return out


def lifecycle(rules: list[LifecycleRule]) -> Json:
    keyed: dict[str, Any] = {}
    for index, rule in enumerate(rules):
        keyed[rule.id or f"#{index}"] = _rule(rule)
    return {"rules": dict(sorted(keyed.items()))}


def logging(value: Logging, ctx: Context, *, desired: bool) -> Json:
    grants = list(value.target_grants)
    if desired:
        grants = [g for g in grants if g.grantee.email is None]
    else:
        grants = _unverifiable(
            grants,
            emails=ctx.logging_email_permissions,
            declared=ctx.logging_declared_ids,
            owner=None,
        )
    return {
        "target_bucket": value.target_bucket,
        "target_prefix": value.target_prefix,
        "target_grants": _grant_map(grants, None),
    }


def encryption(value: Encryption) -> Json:
    kms = value.algorithm != "AES256"
    return {
        "algorithm": value.algorithm,
        "kms_key_id": value.kms_key_id if kms else None,
        "bucket_key_enabled": bool(value.bucket_key_enabled),
    }


def cors(rules: list[CorsRule]) -> Json:
    return [
        _drop_none(
            {
                "id": rule.id or None,
                "allowed_methods": sorted(set(rule.allowed_methods)),
                "allowed_origins": sorted(set(rule.allowed_origins)),
                "allowed_headers": sorted({h.lower() for h in rule.allowed_headers}),
                "expose_headers": sorted(set(rule.expose_headers)),
                "max_age_seconds": rule.max_age_seconds,
            }
        )
        for rule in rules
    ]


def website(value: Website) -> Json:
    out = _dump(value)
    if not out.get("routing_rules"):
        out.pop("routing_rules", None)
    return out


# -- policies -----------------------------------------------------------------------------------

_SET_KEYS = {"Action", "NotAction", "Resource", "NotResource"}
_ACCOUNT_ID_LENGTH = 12


def _as_set(value: Any) -> Any:
    if isinstance(value, list):
        items = sorted({json.dumps(v, sort_keys=True) for v in value})
        values = [json.loads(v) for v in items]
        return values[0] if len(values) == 1 else values
    return value


def _principal_value(value: Any) -> Any:
    def one(item: Any) -> Any:
        if isinstance(item, str) and item.isdigit() and len(item) == _ACCOUNT_ID_LENGTH:
            return f"arn:aws:iam::{item}:root"
        return item

    if isinstance(value, list):
        return _as_set([one(v) for v in value])
    return one(value)


def _statement(statement: Any) -> Any:
    if not isinstance(statement, dict):
        return statement
    out: dict[str, Any] = {}
    for key, value in statement.items():
        if key == "Sid" and value == "":
            continue
        if key in _SET_KEYS:
            out[key] = _as_set(value)
        elif key in ("Principal", "NotPrincipal") and isinstance(value, dict):
            out[key] = {k: _principal_value(v) for k, v in sorted(value.items())}
        elif key == "Condition" and isinstance(value, dict):
            out[key] = {
                op: {k: _as_set(v) for k, v in sorted(cond.items())}
                if isinstance(cond, dict)
                else cond
                for op, cond in sorted(value.items())
            }
        else:
            out[key] = value
    return dict(sorted(out.items()))


def policy(document: dict[str, Any]) -> Json:
    """A policy after AWS's own normalisation: a one-element list equals its element, a missing
    ``Version`` is 2008-10-17, an empty ``Sid`` is no Sid, account ids in principals are root
    ARNs, and key order and whitespace never matter."""
    out = dict(document)
    out.setdefault("Version", "2008-10-17")
    statements = out.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if isinstance(statements, list):
        out["Statement"] = [_statement(s) for s in statements]
    return dict(sorted(out.items()))


# -- dispatch -----------------------------------------------------------------------------------


def tags(value: dict[str, str]) -> Json:
    """Tags as a map; ``aws:`` tags belong to AWS services and are never compared."""
    return {k: v for k, v in sorted(value.items()) if not k.startswith("aws:")}


def canonical(aspect: str, value: Any, ctx: Context, *, desired: bool) -> Json:
    """The comparable form of one aspect's value (a spec-model value, ``False``/``[]`` meaning
    absent, ``None`` meaning never configured on the live side)."""
    if value is None or value is False:
        return NEVER_SET[aspect]
    if aspect == "acl":
        return acl(value, ctx, desired=desired)
    if aspect == "lifecycle":
        return lifecycle(value)
    if aspect == "logging":
        return logging(value, ctx, desired=desired)
    if aspect == "encryption":
        return encryption(value)
    if aspect == "public_access_block":
        return _dump(value) if isinstance(value, PublicAccessBlock) else value
    if aspect == "cors":
        return cors(value)
    if aspect == "website":
        return website(value)
    if aspect == "policy":
        return policy(value)
    if aspect == "tags":
        return tags(value)
    return value


def _dump(model: SpecModel) -> dict[str, Any]:
    dumped: dict[str, Any] = model.model_dump(mode="json", exclude_none=True)
    return dumped


def _drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def never_configured(aspect: str, value: Any, owner_id: str | None) -> bool:
    """Whether a live aspect reads as AWS answers for a bucket nobody configured: nothing, an
    empty list, the private ACL, or `NEVER_SET` (import leaves such aspects out; drift with
    every aspect does not report them)."""
    if value in (None, False, [], {}) or (aspect == "acl" and value == "private"):
        return True
    if aspect not in NEVER_SET:
        return False
    ctx = Context(owner_id=owner_id)
    return bool(canonical(aspect, value, ctx, desired=False) == NEVER_SET[aspect])

"""What bucket values *mean*, as plain JSON values two states can be compared by: the parts several
aspects share (grants, dates, the comparison context).

The planner never compares spec models field by field: the same meaning has many spellings. Each
aspect's unit (`reconciler.kinds.bucket.aspects`) maps its value to one canonical form, the
desired and the live value (both spec models) through the same function; sets become sorted lists
or maps, and values AWS fills in when left out are filled in on both sides. Grants are keyed by
grantee (``grants[group:AllUsers]``) so attribute paths read well in a plan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from reconciler.kinds.bucket.model import Grant, Grantee
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
    #: What an aspect's unit noted of the desired value for its own comparison (by key).
    notes: dict[str, Any] = field(default_factory=dict)


def unverifiable(
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


def grant_map(grants: list[Grant], owner_id: str | None) -> dict[str, str]:
    """Grants as ``{grantee key: "PERM,PERM"}``: order and repetition never matter."""
    return _grant_map(grants, owner_id)


def date_text(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def dump(model: SpecModel) -> dict[str, Any]:
    dumped: dict[str, Any] = model.model_dump(mode="json", exclude_none=True)
    return dumped


def drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}

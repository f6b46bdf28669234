"""``acl``: a canned ACL name or explicit grants. Read, it also tells the bucket owner's
canonical id (the owner's implicit grant compares as ``owner``).

ACLs are always written as explicit grants (a canned name expanded with the owner's id): S3
stores a canned ACL as exactly those grants, and an explicit list is what every S3 emulator reads
back faithfully.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element

from reconciler import xmlcodec as xml
from reconciler.errors import Severity
from reconciler.kinds.bucket import canonical as canon
from reconciler.kinds.bucket.aspects import grants as grant_xml
from reconciler.kinds.bucket.aspects.base import (
    Aspect,
    Call,
    Decoded,
    S3Calls,
    Unconfigured,
    WriteContext,
)
from reconciler.kinds.bucket.aspects.object_ownership import disables_acls
from reconciler.kinds.bucket.canonical import Context, Json
from reconciler.kinds.bucket.model import AclGrants, Bucket, Grant, Grantee
from reconciler.spec.findings import Finding, RuleContext
from reconciler.spec.source import Path

#: The root element S3 answers and takes.
DOCUMENT = "AccessControlPolicy"

PUBLIC_CANNED = ("public-read", "public-read-write", "authenticated-read")
PUBLIC_GROUPS = ("AllUsers", "AuthenticatedUsers")
PUBLIC_URIS = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)


def _decode(root: Element) -> Decoded:
    """The canned name when the grants are exactly one, else every grant (the owner's too, so a
    lost owner grant is seen)."""
    owner = root.find("Owner")
    owner_id = (xml.text(owner, "ID") or "") if owner is not None else ""
    found = grant_xml.decode(root.find("AccessControlList"))
    name = canon.canned_name(found, owner_id)
    return Decoded(name if name is not None else AclGrants(grants=found), owner_id)


def grants_to_write(value: str | AclGrants, owner_id: str) -> list[Grant]:
    """The grants a write sends: a canned ACL expanded, the owner's FULL_CONTROL kept."""
    if isinstance(value, str):
        return canon.grants_from_canned(value, owner_id)
    grants = list(value.grants)
    if not any(
        canon.grantee_key(g.grantee, owner_id) == canon.OWNER and g.permission == "FULL_CONTROL"
        for g in grants
    ):
        grants = canon.grants_from_canned("private", owner_id) + grants
    return grants


def _encode(value: Any, ctx: WriteContext) -> bytes:
    owner_id = ctx.owner_id()
    root = xml.root(DOCUMENT)
    xml.add(xml.add(root, "Owner"), "ID", owner_id)
    grant_xml.encode(xml.add(root, "AccessControlList"), grants_to_write(value, owner_id))
    return xml.serialise(root)


def _canonical(value: Any, ctx: Context, desired: bool) -> Json:
    if isinstance(value, str):
        # A canned ACL always includes the owner's FULL_CONTROL, on either side.
        grants = canon.grants_from_canned(value, ctx.owner_id or "")
    else:
        grants = list(value.grants)
    if desired:
        grants = [g for g in grants if g.grantee.email is None]
        if not any(canon.grantee_key(g.grantee, ctx.owner_id) == canon.OWNER for g in grants):
            grants.append(Grant(grantee=Grantee(id=ctx.owner_id or ""), permission="FULL_CONTROL"))
    else:
        grants = canon.unverifiable(
            grants, emails=ctx.email_permissions, declared=ctx.declared_ids, owner=ctx.owner_id
        )
    return {"grants": canon.grant_map(grants, ctx.owner_id)}


def public_acl(acl: str | AclGrants | None) -> str | None:
    """What makes an ACL public, if anything."""
    if isinstance(acl, str):
        return acl if acl in PUBLIC_CANNED else None
    if isinstance(acl, AclGrants):
        for grant in acl.grants:
            if grant.grantee.group in PUBLIC_GROUPS or grant.grantee.uri in PUBLIC_URIS:
                return f"a grant to {grant.grantee.group or grant.grantee.uri}"
    return None


def _rules(ctx: RuleContext, name: str, bucket: Bucket, path: Path) -> Iterator[Finding]:
    if isinstance(bucket.acl, AclGrants):
        yield from grant_xml.check(bucket.acl.grants, (*path, "acl", "grants"))
    allows_acl = bucket.acl is None or bucket.acl in ("private", "bucket-owner-full-control")
    if disables_acls(bucket.object_ownership) and not allows_acl:
        yield Finding(
            (*path, "acl"),
            "object_ownership BucketOwnerEnforced disables ACLs: "
            "the acl must be private or bucket-owner-full-control (or left out)",
        )
    elif bucket.object_ownership is None and not allows_acl:
        yield Finding(
            (*path, "acl"),
            "on AWS, new buckets default to object_ownership BucketOwnerEnforced, which "
            "refuses this ACL: declare object_ownership: BucketOwnerPreferred or ObjectWriter "
            "(on a store without ownership controls, leave both as they are)",
            severity=Severity.WARNING,
        )


def _prepare(value: Any, ctx: Context) -> Iterator[tuple[str, tuple[str, ...]]]:
    if not isinstance(value, AclGrants):
        return
    emails = frozenset(g.permission for g in value.grants if g.grantee.email)
    if emails:
        ctx.email_permissions = emails
        ctx.declared_ids = frozenset(g.grantee.id for g in value.grants if g.grantee.id)
        yield (
            "grants to email addresses cannot be verified (AWS answers "
            "them with canonical ids); they are left out of the comparison",
            (),
        )


def _import_hint(doc: dict[str, Any], live: dict[str, Any]) -> None:
    # A bucket made today defaults to BucketOwnerEnforced, which refuses a non-private ACL: the
    # ownership it has (never configured reads as ObjectWriter) is written beside it, so that
    # the spec re-creates the bucket as it is. A store without ownership controls has none to
    # write (the aspect was not read: ``live`` lacks it).
    if "acl" in doc and "object_ownership" not in doc and "object_ownership" in live:
        doc["object_ownership"] = live["object_ownership"] or "ObjectWriter"


ASPECT = Aspect(
    key="acl",
    calls=S3Calls(
        subresource="acl",
        document=DOCUMENT,
        get=Call("GetBucketAcl", "s3:GetBucketAcl"),
        put=Call("PutBucketAcl", "s3:PutBucketAcl"),
    ),
    decode=_decode,
    encode=_encode,
    unconfigured=Unconfigured(compares_as=None, also=("private",)),
    canonical=_canonical,
    follows=("object_ownership", "public_access_block"),
    rules=_rules,
    extra_write_actions=("s3:GetBucketAcl",),
    import_hint=_import_hint,
    prepare=_prepare,
    tells_owner=True,
)

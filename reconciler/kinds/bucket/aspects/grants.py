"""Grants, as the ACL and the logging target grants both hold them: their XML, and the rule every
grantee obeys. What a grant *means* for comparison lives in `reconciler.kinds.bucket.canonical`."""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree.ElementTree import Element

from reconciler import xmlcodec as xml
from reconciler.kinds.bucket import canonical
from reconciler.kinds.bucket.model import Grant, Grantee
from reconciler.spec.findings import Finding
from reconciler.spec.source import Path

_KINDS = ("CanonicalUser", "Group", "AmazonCustomerByEmail")


def _kind(grantee: Grantee) -> str:
    if grantee.id is not None:
        return "CanonicalUser"
    if grantee.group is not None or grantee.uri is not None:
        return "Group"
    return "AmazonCustomerByEmail"


def encode(parent: Element, grants: list[Grant]) -> None:
    """Append a ``Grant`` element per grant (groups by URI, as S3 stores them)."""
    for grant in grants:
        who = grant.grantee
        node = xml.add(parent, "Grant")
        grantee = xml.add(node, "Grantee")
        grantee.set("xmlns:xsi", xml.XSI_NS)
        grantee.set("xsi:type", _kind(who))
        xml.add_if(grantee, "ID", who.id)
        uri = canonical.GROUP_URIS[who.group] if who.group is not None else who.uri
        xml.add_if(grantee, "URI", uri)
        xml.add_if(grantee, "EmailAddress", who.email)
        xml.add(node, "Permission", grant.permission)


def decode(parent: Element | None) -> list[Grant]:
    """The grants under ``parent``; a group URI S3 knows becomes the group's name, and display
    names are dropped. The kind is inferred from what is there when ``xsi:type`` is missing
    (some S3-compatible stores leave it out)."""
    if parent is None:
        return []
    found: list[Grant] = []
    for node in xml.children(parent, "Grant"):
        element = node.find("Grantee")
        if element is None:
            continue
        uri = xml.text(element, "URI")
        email = xml.text(element, "EmailAddress")
        kind = element.get("type")
        if kind not in _KINDS:
            kind = "Group" if uri else "AmazonCustomerByEmail" if email else "CanonicalUser"
        if kind == "Group" and uri:
            group = canonical.URI_GROUPS.get(uri)
            grantee = Grantee(group=group) if group else Grantee(uri=uri)  # type: ignore[arg-type]
        elif kind == "AmazonCustomerByEmail":
            grantee = Grantee(email=email)
        else:
            grantee = Grantee(id=xml.text(element, "ID"))
        found.append(Grant(grantee=grantee, permission=xml.text(node, "Permission") or ""))  # type: ignore[arg-type]
    return found


def check(grants: list[Grant], path: Path) -> Iterator[Finding]:
    for index, grant in enumerate(grants):
        grantee = grant.grantee
        given = [k for k in ("id", "email", "group", "uri") if getattr(grantee, k) is not None]
        if len(given) != 1:
            yield Finding(
                (*path, index, "grantee"),
                "a grantee takes exactly one of id, email, "
                f"group or uri (got {', '.join(given) or 'none'})",
            )

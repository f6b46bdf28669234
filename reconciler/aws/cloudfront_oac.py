"""CloudFront origin access controls: the account's list, one read, create, update and delete.

An origin access control (OAC) is how CloudFront signs its requests to an S3 origin (what AWS
advises instead of the older origin access identities). It has no tags: what it is, is its
``OriginAccessControlConfig`` (a name unique in the account, a description, the signing
protocol and behaviour, the origin type). Updates and deletes send ``If-Match`` with the ETag of
a fresh read, as for distributions.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote
from xml.etree.ElementTree import Element

from reconciler import xmlcodec as xml
from reconciler.aws import limits
from reconciler.aws.cloudfront import NAMESPACE, CloudFrontClient
from reconciler.aws.steps import Steps
from reconciler.errors import NoSuchOriginAccessControl, ResponseParseError

_PATH = "/origin-access-control"


@dataclass(frozen=True)
class OriginAccessControl:
    """One origin access control as CloudFront tells it (``etag``: of the read it came from,
    when that read gives one)."""

    id: str
    name: str
    description: str
    signing_protocol: str
    signing_behavior: str
    origin_type: str
    etag: str | None = None


@dataclass(frozen=True)
class Config:
    """What is written of an origin access control."""

    name: str
    description: str
    signing_protocol: str
    signing_behavior: str
    origin_type: str

    def element(self) -> Element:
        root = xml.root("OriginAccessControlConfig", namespace=NAMESPACE)
        xml.add(root, "Name", self.name)
        xml.add(root, "Description", self.description)
        xml.add(root, "SigningProtocol", self.signing_protocol)
        xml.add(root, "SigningBehavior", self.signing_behavior)
        xml.add(root, "OriginAccessControlOriginType", self.origin_type)
        return root


def _read(
    node: Element, config: Element | None, operation: str, etag: str | None
) -> OriginAccessControl:
    """An origin access control from a summary (the listing's) or an ``OriginAccessControl``
    element with its ``OriginAccessControlConfig``."""
    fields = config if config is not None else node
    found = xml.text(node, "Id")
    name = xml.text(fields, "Name")
    if not found or name is None:
        raise ResponseParseError(f"{operation}: an origin access control without an Id or a Name")
    return OriginAccessControl(
        id=found,
        name=name,
        description=xml.text(fields, "Description") or "",
        signing_protocol=xml.text(fields, "SigningProtocol") or "",
        signing_behavior=xml.text(fields, "SigningBehavior") or "",
        origin_type=xml.text(fields, "OriginAccessControlOriginType") or "",
        etag=etag,
    )


class OriginAccessControls:
    """The origin access control operations, through a `CloudFrontClient`'s transport."""

    def __init__(self, cloudfront: CloudFrontClient) -> None:
        self._cf = cloudfront

    def listing(self, *, page_size: int = 100) -> Steps[list[OriginAccessControl]]:
        """Every origin access control of the account, following ``NextMarker``, as steps."""
        cf, found, marker = self._cf, [], ""
        pages = cf._pages("ListOriginAccessControls", None)
        while True:
            query: tuple[tuple[str, str], ...] = (("MaxItems", str(page_size)),)
            if marker:
                query += (("Marker", marker),)
            request = cf._request(
                "ListOriginAccessControls", "GET", _PATH, query=query, answer=limits.LISTING
            )
            response = yield from cf._transport.sending(request)
            root = cf._xml(response, "ListOriginAccessControls", None)
            found += [
                _read(node, None, "ListOriginAccessControls", None)
                for node in root.findall("Items/OriginAccessControlSummary")
            ]
            marker = xml.text(root, "NextMarker") or ""
            if not xml.boolean(root, "IsTruncated") or not marker:
                return found
            pages.follow(marker)

    def list(self) -> list[OriginAccessControl]:
        return self._cf._transport.run(self.listing())

    def _one(self, operation: str, response_body: Element, etag: str | None) -> OriginAccessControl:
        return _read(
            response_body, response_body.find("OriginAccessControlConfig"), operation, etag
        )

    def get(self, control_id: str, *, address: str | None = None) -> OriginAccessControl | None:
        """The origin access control with its ETag, or ``None`` when there is none (any more)."""
        try:
            response = self._cf._call(
                "GetOriginAccessControl", "GET", f"{_PATH}/{quote(control_id)}", address=address
            )
        except NoSuchOriginAccessControl:
            return None
        root = self._cf._xml(response, "GetOriginAccessControl", address)
        return self._one("GetOriginAccessControl", root, response.headers.get("etag"))

    def create(self, config: Config, *, address: str | None = None) -> OriginAccessControl:
        response = self._cf._call(
            "CreateOriginAccessControl",
            "POST",
            _PATH,
            body=xml.serialise(config.element()),
            address=address,
        )
        root = self._cf._xml(response, "CreateOriginAccessControl", address)
        return self._one("CreateOriginAccessControl", root, response.headers.get("etag"))

    def update(
        self, control_id: str, config: Config, *, if_match: str, address: str | None = None
    ) -> OriginAccessControl:
        response = self._cf._call(
            "UpdateOriginAccessControl",
            "PUT",
            f"{_PATH}/{quote(control_id)}/config",
            body=xml.serialise(config.element()),
            headers={"if-match": if_match},
            address=address,
        )
        root = self._cf._xml(response, "UpdateOriginAccessControl", address)
        return self._one("UpdateOriginAccessControl", root, response.headers.get("etag"))

    def delete(self, control_id: str, *, if_match: str, address: str | None = None) -> None:
        self._cf._call(
            "DeleteOriginAccessControl",
            "DELETE",
            f"{_PATH}/{quote(control_id)}",
            headers={"if-match": if_match},
            address=address,
        )

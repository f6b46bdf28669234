"""The CloudFront client: distributions, their tags and invalidations, over the REST/XML API.

CloudFront is a global service: every request is signed for ``us-east-1`` with service
``cloudfront``. The endpoint is overridable like S3's (``--endpoint-url``,
``AWS_ENDPOINT_URL_CLOUDFRONT``). A distribution's configuration travels as its
``DistributionConfig`` XML element: building it from a spec and reading it back is the job of
`reconciler.kinds.distribution.config`, not of this client. Updates and deletes take the ETag of a
fresh read (``If-Match``); errors come back typed (`NoSuchDistribution`, `PreconditionFailed`,
`DistributionNotDisabled`, `CNAMEAlreadyExists`, ...), naming the distribution.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Concatenate, ParamSpec
from urllib.parse import quote
from xml.etree.ElementTree import Element

from reconciler import xmlcodec as xml
from reconciler.aws import limits
from reconciler.aws.steps import Steps
from reconciler.aws.transport import Request, Response, Transport
from reconciler.errors import NoSuchDistribution, ResponseParseError

API = "/2020-05-31"
NAMESPACE = "http://cloudfront.amazonaws.com/doc/2020-05-31/"
DEFAULT_ENDPOINT = "https://cloudfront.amazonaws.com"
SIGNING_REGION = "us-east-1"


@dataclass(frozen=True)
class Distribution:
    """A distribution as ``GetDistribution`` tells it; ``config`` is its DistributionConfig."""

    id: str
    arn: str
    status: str
    domain_name: str
    etag: str | None
    config: Element


@dataclass(frozen=True)
class DistributionSummary:
    id: str
    arn: str
    status: str
    domain_name: str
    enabled: bool
    comment: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Invalidation:
    id: str
    status: str
    caller_reference: str | None = None
    paths: tuple[str, ...] = ()


def _require(parent: Element, name: str, what: str) -> str:
    value = xml.text(parent, name)
    if value is None:
        raise ResponseParseError(f"{what}: the answer has no {name}")
    return value


def _copy(element: Element) -> Element:
    """A copy to embed in a request body (parsed elements carry no namespace; the root does)."""
    return copy.deepcopy(element)


P = ParamSpec("P")


def _sending(
    build: Callable[Concatenate[CloudFrontClient, P], Request],
) -> Callable[Concatenate[CloudFrontClient, P], Response]:
    """The request ``build`` makes, sent with retries; the calling thread waits."""

    def call(self: CloudFrontClient, /, *args: P.args, **options: P.kwargs) -> Response:
        return self._transport.send(build(self, *args, **options))

    return call


class CloudFrontClient:
    """Typed CloudFront operations over a shared `Transport`. Thread-safe."""

    def __init__(self, transport: Transport, *, endpoint_url: str | None = None) -> None:
        self._transport = transport
        self._root = (endpoint_url or DEFAULT_ENDPOINT).rstrip("/")

    def _request(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        query: tuple[tuple[str, str], ...] = (),
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
        address: str | None = None,
        answer: str = limits.CONFIGURATION,
    ) -> Request:
        all_headers = dict(headers or {})
        if body:
            all_headers.setdefault("content-type", "application/xml")
        return Request(
            service="cloudfront",
            region=SIGNING_REGION,
            method=method,
            root=self._root,
            path=f"{API}{path}",
            operation=operation,
            query=query,
            headers=all_headers,
            body=body,
            address=address,
            answer=answer,
        )

    def _pages(self, operation: str, address: str | None) -> limits.Pages:
        return limits.Pages(operation, address=address, limit=self._transport.bounds.pages)

    #: One request built by `_request`, sent with retries (the calling thread waits).
    _call = _sending(_request)

    def _xml(self, response: Response, operation: str, address: str | None) -> Element:
        return xml.parse(
            response.body,
            what=operation,
            address=address,
            source=f"{response.root} (HTTP {response.status})" if response.root else None,
        )

    # -- distributions -----------------------------------------------------------------------

    def _distribution(
        self, response: Response, operation: str, address: str | None
    ) -> Distribution:
        root = self._xml(response, operation, address)
        config = root.find("DistributionConfig")
        if config is None:
            raise ResponseParseError(
                f"{operation}: the answer has no DistributionConfig", address=address
            )
        return Distribution(
            id=_require(root, "Id", operation),
            arn=_require(root, "ARN", operation),
            status=_require(root, "Status", operation),
            domain_name=xml.text(root, "DomainName") or "",
            etag=response.headers.get("etag"),
            config=config,
        )

    def create_distribution(
        self, config: Element, *, tags: Mapping[str, str], address: str | None = None
    ) -> Distribution:
        """Create a distribution with its tags in the same call (``?WithTags``)."""
        root = xml.root("DistributionConfigWithTags", namespace=NAMESPACE)
        body = _copy(config)
        body.tag = "DistributionConfig"
        root.append(body)
        tag_list = xml.add(xml.add(root, "Tags"), "Items")
        for key, value in sorted(tags.items()):
            tag = xml.add(tag_list, "Tag")
            xml.add(tag, "Key", key)
            xml.add(tag, "Value", value)
        response = self._call(
            "CreateDistributionWithTags",
            "POST",
            "/distribution",
            query=(("WithTags", ""),),
            body=xml.serialise(root),
            address=address,
        )
        return self._distribution(response, "CreateDistributionWithTags", address)

    def get_distribution(
        self, distribution_id: str, *, address: str | None = None
    ) -> Distribution | None:
        """The distribution, or ``None`` when it does not exist (any more)."""
        try:
            response = self._call(
                "GetDistribution", "GET", f"/distribution/{quote(distribution_id)}", address=address
            )
        except NoSuchDistribution:
            return None
        return self._distribution(response, "GetDistribution", address)

    def get_distribution_config(
        self, distribution_id: str, *, address: str | None = None
    ) -> tuple[Element, str]:
        """The configuration and the ETag an update or delete must send back."""
        return self._transport.run(self.getting_distribution_config(distribution_id, address))

    def getting_distribution_config(
        self, distribution_id: str, address: str | None = None
    ) -> Steps[tuple[Element, str]]:
        """`get_distribution_config` as steps."""
        path = f"/distribution/{quote(distribution_id)}/config"
        request = self._request("GetDistributionConfig", "GET", path, address=address)
        response = yield from self._transport.sending(request)
        etag = response.headers.get("etag")
        if not etag:
            raise ResponseParseError(
                "GetDistributionConfig: the answer has no ETag", address=address
            )
        return self._xml(response, "GetDistributionConfig", address), etag

    def update_distribution(
        self, distribution_id: str, config: Element, *, if_match: str, address: str | None = None
    ) -> Distribution:
        body = _copy(config)
        body.tag = "DistributionConfig"
        body.set("xmlns", NAMESPACE)
        response = self._call(
            "UpdateDistribution",
            "PUT",
            f"/distribution/{quote(distribution_id)}/config",
            body=xml.serialise(body),
            headers={"if-match": if_match},
            address=address,
        )
        return self._distribution(response, "UpdateDistribution", address)

    def delete_distribution(
        self, distribution_id: str, *, if_match: str, address: str | None = None
    ) -> None:
        self._call(
            "DeleteDistribution",
            "DELETE",
            f"/distribution/{quote(distribution_id)}",
            headers={"if-match": if_match},
            address=address,
        )

    def list_distributions(self, *, page_size: int = 100) -> Iterator[DistributionSummary]:
        """Every distribution of the account, following ``NextMarker``."""
        marker = ""
        pages = self._pages("ListDistributions", None)
        while True:
            query: tuple[tuple[str, str], ...] = (("MaxItems", str(page_size)),)
            if marker:
                query += (("Marker", marker),)
            response = self._call(
                "ListDistributions", "GET", "/distribution", query=query, answer=limits.LISTING
            )
            root = self._xml(response, "ListDistributions", None)
            for node in root.findall("Items/DistributionSummary"):
                yield DistributionSummary(
                    id=_require(node, "Id", "ListDistributions"),
                    arn=_require(node, "ARN", "ListDistributions"),
                    status=xml.text(node, "Status") or "",
                    domain_name=xml.text(node, "DomainName") or "",
                    enabled=bool(xml.boolean(node, "Enabled")),
                    comment=xml.text(node, "Comment") or "",
                    aliases=tuple(xml.item_texts(node, "Aliases", "CNAME")),
                )
            marker = xml.text(root, "NextMarker") or ""
            if not xml.boolean(root, "IsTruncated") or not marker:
                return
            pages.follow(marker)

    # -- tags ----------------------------------------------------------------------------------

    def list_tags(self, arn: str, *, address: str | None = None) -> dict[str, str]:
        return self._transport.run(self.listing_tags(arn, address))

    def listing_tags(self, arn: str, address: str | None = None) -> Steps[dict[str, str]]:
        """`list_tags` as steps."""
        query = (("Resource", arn),)
        request = self._request(
            "ListTagsForResource", "GET", "/tagging", query=query, address=address
        )
        response = yield from self._transport.sending(request)
        root = self._xml(response, "ListTagsForResource", address)
        return {
            xml.text(tag, "Key") or "": xml.text(tag, "Value") or ""
            for tag in root.findall("Items/Tag")
        }

    def tag_resource(
        self, arn: str, tags: Mapping[str, str], *, address: str | None = None
    ) -> None:
        root = xml.root("Tags", namespace=NAMESPACE)
        items = xml.add(root, "Items")
        for key, value in sorted(tags.items()):
            tag = xml.add(items, "Tag")
            xml.add(tag, "Key", key)
            xml.add(tag, "Value", value)
        self._call(
            "TagResource",
            "POST",
            "/tagging",
            query=(("Operation", "Tag"), ("Resource", arn)),
            body=xml.serialise(root),
            address=address,
        )

    def untag_resource(self, arn: str, keys: list[str], *, address: str | None = None) -> None:
        root = xml.root("TagKeys", namespace=NAMESPACE)
        items = xml.add(root, "Items")
        for key in sorted(keys):
            xml.add(items, "Key", key)
        self._call(
            "UntagResource",
            "POST",
            "/tagging",
            query=(("Operation", "Untag"), ("Resource", arn)),
            body=xml.serialise(root),
            address=address,
        )

    # -- invalidations -----------------------------------------------------------------------

    def create_invalidation(
        self,
        distribution_id: str,
        paths: list[str],
        *,
        caller_reference: str,
        address: str | None = None,
    ) -> Invalidation:
        """Invalidate ``paths``; the same ``caller_reference`` makes a retried request safe."""
        root = xml.root("InvalidationBatch", namespace=NAMESPACE)
        holder = xml.add(root, "Paths")
        xml.add(holder, "Quantity", len(paths))
        items = xml.add(holder, "Items")
        for path in paths:
            xml.add(items, "Path", path)
        xml.add(root, "CallerReference", caller_reference)
        response = self._call(
            "CreateInvalidation",
            "POST",
            f"/distribution/{quote(distribution_id)}/invalidation",
            body=xml.serialise(root),
            address=address,
        )
        return _invalidation(self._xml(response, "CreateInvalidation", address))

    def get_invalidation(
        self, distribution_id: str, invalidation_id: str, *, address: str | None = None
    ) -> Invalidation:
        response = self._call(
            "GetInvalidation",
            "GET",
            f"/distribution/{quote(distribution_id)}/invalidation/{quote(invalidation_id)}",
            address=address,
        )
        return _invalidation(self._xml(response, "GetInvalidation", address))

    def list_invalidations(
        self, distribution_id: str, *, address: str | None = None
    ) -> list[Invalidation]:
        found: list[Invalidation] = []
        marker = ""
        pages = self._pages("ListInvalidations", address)
        while True:
            query: tuple[tuple[str, str], ...] = (("Marker", marker),) if marker else ()
            response = self._call(
                "ListInvalidations",
                "GET",
                f"/distribution/{quote(distribution_id)}/invalidation",
                query=query,
                address=address,
                answer=limits.LISTING,
            )
            root = self._xml(response, "ListInvalidations", address)
            for node in root.findall("Items/InvalidationSummary"):
                found.append(
                    Invalidation(
                        id=_require(node, "Id", "ListInvalidations"),
                        status=xml.text(node, "Status") or "",
                    )
                )
            marker = xml.text(root, "NextMarker") or ""
            if not xml.boolean(root, "IsTruncated") or not marker:
                return found
            pages.follow(marker)


def _invalidation(root: Element) -> Invalidation:
    batch = root.find("InvalidationBatch")
    paths = tuple(xml.item_texts(batch, "Paths", "Path"))
    return Invalidation(
        id=_require(root, "Id", "Invalidation"),
        status=xml.text(root, "Status") or "",
        caller_reference=xml.text(batch, "CallerReference") if batch is not None else None,
        paths=paths,
    )

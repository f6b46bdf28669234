"""The CloudFront client against the emulator over HTTP: distributions with tags, configs with
their ETags, updates and deletes with If-Match, listing, tags and invalidations, typed errors."""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element

import pytest

from reconciler import xmlcodec as xml
from reconciler.aws.cloudfront import CloudFrontClient
from reconciler.aws.transport import Transport
from reconciler.errors import NoSuchDistribution


def config(comment: str, *, enabled: bool = True, reference: str = "ref-1") -> Element:
    root = xml.root("DistributionConfig", namespace=None)
    xml.add(root, "CallerReference", reference)
    aliases = xml.add(root, "Aliases")
    xml.add(aliases, "Quantity", 0)
    xml.add(root, "DefaultRootObject", "index.html")
    origins = xml.add(root, "Origins")
    xml.add(origins, "Quantity", 1)
    origin = xml.add(xml.add(origins, "Items"), "Origin")
    xml.add(origin, "Id", "site")
    xml.add(origin, "DomainName", "cf-site.s3.us-east-1.amazonaws.com")
    xml.add(xml.add(origin, "S3OriginConfig"), "OriginAccessIdentity", "")
    behaviour = xml.add(root, "DefaultCacheBehavior")
    xml.add(behaviour, "TargetOriginId", "site")
    xml.add(behaviour, "ViewerProtocolPolicy", "redirect-to-https")
    xml.add(behaviour, "CachePolicyId", "658327ea-f89d-4fab-a63d-7e88639e58f6")
    xml.add(root, "Comment", comment)
    xml.add(root, "Enabled", enabled)
    return root


@pytest.fixture
def cloudfront(endpoint: str, transport: Transport) -> CloudFrontClient:
    return CloudFrontClient(transport, endpoint_url=endpoint)


def test_create_with_tags_then_read_back(
    cloudfront: CloudFrontClient, boto_cloudfront: Any
) -> None:
    made = cloudfront.create_distribution(
        config("site"), tags={"reconciler:stack": "web", "reconciler:name": "site-cdn"}
    )
    assert made.id
    assert made.arn.endswith(made.id)
    assert made.etag

    got = cloudfront.get_distribution(made.id)
    assert got is not None
    assert xml.text(got.config, "Comment") == "site"
    assert cloudfront.list_tags(made.arn) == {
        "reconciler:stack": "web",
        "reconciler:name": "site-cdn",
    }
    seen = boto_cloudfront.get_distribution_config(Id=made.id)["DistributionConfig"]
    assert seen["Comment"] == "site"
    assert seen["DefaultCacheBehavior"]["TargetOriginId"] == "site"


def test_update_and_delete_send_the_etag(
    cloudfront: CloudFrontClient, boto_cloudfront: Any
) -> None:
    made = cloudfront.create_distribution(config("before"), tags={})
    _, etag = cloudfront.get_distribution_config(made.id)
    changed = config("after", enabled=False)
    updated = cloudfront.update_distribution(made.id, changed, if_match=etag)
    assert xml.text(updated.config, "Comment") == "after"
    assert (
        boto_cloudfront.get_distribution(Id=made.id)["Distribution"]["DistributionConfig"][
            "Enabled"
        ]
        is False
    )

    _, etag = cloudfront.get_distribution_config(made.id)
    cloudfront.delete_distribution(made.id, if_match=etag)
    assert cloudfront.get_distribution(made.id) is None
    with pytest.raises(NoSuchDistribution) as raised:
        cloudfront.get_distribution_config(made.id, address="distribution.site-cdn")
    assert str(raised.value).startswith("distribution.site-cdn: NoSuchDistribution")


def test_list_pages_through_every_distribution(cloudfront: CloudFrontClient) -> None:
    made = {
        cloudfront.create_distribution(config(f"d{i}", reference=f"r{i}"), tags={}).id
        for i in range(3)
    }
    listed = list(cloudfront.list_distributions(page_size=2))
    assert {d.id for d in listed} == made
    assert {d.comment for d in listed} == {"d0", "d1", "d2"}


def test_tag_and_untag(cloudfront: CloudFrontClient) -> None:
    made = cloudfront.create_distribution(config("t"), tags={"a": "1"})
    cloudfront.tag_resource(made.arn, {"b": "2"})
    cloudfront.untag_resource(made.arn, ["a"])
    assert cloudfront.list_tags(made.arn) == {"b": "2"}


def test_invalidations(cloudfront: CloudFrontClient) -> None:
    made = cloudfront.create_distribution(config("i"), tags={})
    created = cloudfront.create_invalidation(
        made.id, ["/index.html", "/img/*"], caller_reference="c1"
    )
    assert created.paths == ("/index.html", "/img/*")
    assert cloudfront.get_invalidation(made.id, created.id).id == created.id
    assert [i.id for i in cloudfront.list_invalidations(made.id)] == [created.id]

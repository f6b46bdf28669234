"""The S3 XML codecs on documents shaped as AWS sends them, including the forms moto does not
produce (object-size filters, the legacy rule-level Prefix, email grantees, "EU")."""

from __future__ import annotations

from datetime import date

from reconciler.aws import s3_xml, xml
from reconciler.aws.s3_types import (
    AccessControlPolicy,
    Expiration,
    Grant,
    Grantee,
    LifecycleFilter,
    LifecycleRule,
    LoggingConfig,
    Owner,
)

NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'


def parse(body: str) -> xml.Element:
    return xml.parse(body.encode(), what="test")


# A lifecycle document as AWS returns it: a legacy rule, an And filter with sizes, a date.
AWS_LIFECYCLE = f"""<?xml version="1.0" encoding="UTF-8"?>
<LifecycleConfiguration {NS}>
  <Rule><ID>legacy</ID><Prefix>logs/</Prefix><Status>Enabled</Status>
    <Expiration><Days>30</Days></Expiration></Rule>
  <Rule><ID>sized</ID>
    <Filter><And><Prefix>big/</Prefix><ObjectSizeGreaterThan>1048576</ObjectSizeGreaterThan>
      <ObjectSizeLessThan>1073741824</ObjectSizeLessThan></And></Filter>
    <Status>Enabled</Status>
    <Transition><Days>30</Days><StorageClass>STANDARD_IA</StorageClass></Transition></Rule>
  <Rule><ID>dated</ID><Filter><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan></Filter>
    <Status>Disabled</Status><Expiration><Date>2030-01-01T00:00:00.000Z</Date></Expiration></Rule>
  <Rule><ID>everything</ID><Filter></Filter><Status>Enabled</Status>
    <AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation>
    </AbortIncompleteMultipartUpload></Rule>
</LifecycleConfiguration>"""


def test_lifecycle_filters_decode_by_meaning() -> None:
    rules = {rule.id: rule for rule in s3_xml.decode_lifecycle(parse(AWS_LIFECYCLE))}
    assert rules["legacy"].filter == LifecycleFilter(prefix="logs/")
    assert rules["sized"].filter == LifecycleFilter(
        prefix="big/", object_size_greater_than=1048576, object_size_less_than=1073741824
    )
    assert rules["dated"].filter == LifecycleFilter(object_size_greater_than=10)
    assert rules["dated"].expiration == Expiration(date=date(2030, 1, 1))
    assert rules["dated"].enabled is False
    assert rules["everything"].filter == LifecycleFilter()
    assert rules["everything"].abort_incomplete_multipart_upload_days == 7


def test_lifecycle_encoding_round_trips_every_filter_shape() -> None:
    rules = (
        LifecycleRule(
            id="one-size",
            filter=LifecycleFilter(object_size_less_than=5),
            expiration=Expiration(days=1),
        ),
        LifecycleRule(
            id="and",
            filter=LifecycleFilter(
                prefix="p/", tags=(("a", "1"), ("b", "2")), object_size_greater_than=9
            ),
            expiration=Expiration(days=2),
        ),
        LifecycleRule(
            id="tag-only", filter=LifecycleFilter(tags=(("a", "1"),)), expiration=Expiration(days=3)
        ),
        LifecycleRule(
            id="empty-prefix", filter=LifecycleFilter(prefix=""), expiration=Expiration(days=4)
        ),
        LifecycleRule(id="no-filter", expiration=Expiration(date=date(2031, 5, 6))),
    )
    encoded = s3_xml.encode_lifecycle(rules)
    assert b"<And>" in encoded
    assert encoded.count(b"<And>") == 1  # a single condition is never wrapped
    assert s3_xml.decode_lifecycle(xml.parse(encoded, what="test")) == rules


def test_acl_with_email_and_group_grantees() -> None:
    body = f"""<AccessControlPolicy {NS}>
      <Owner><ID>owner-id</ID><DisplayName>ops</DisplayName></Owner>
      <AccessControlList>
        <Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
          xsi:type="CanonicalUser"><ID>owner-id</ID><DisplayName>ops</DisplayName></Grantee>
          <Permission>FULL_CONTROL</Permission></Grant>
        <Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group">
          <URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee>
          <Permission>READ</Permission></Grant>
        <Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
          xsi:type="AmazonCustomerByEmail"><EmailAddress>a@example.com</EmailAddress></Grantee>
          <Permission>WRITE</Permission></Grant>
      </AccessControlList></AccessControlPolicy>"""
    acl = s3_xml.decode_acl(parse(body))
    assert acl.owner == Owner("owner-id", "ops")
    assert [(g.grantee.kind, g.permission) for g in acl.grants] == [
        ("CanonicalUser", "FULL_CONTROL"),
        ("Group", "READ"),
        ("AmazonCustomerByEmail", "WRITE"),
    ]
    assert acl.grants[2].grantee.email == "a@example.com"
    again = s3_xml.decode_acl(xml.parse(s3_xml.encode_acl(acl), what="test"))
    assert [g.grantee.email or g.grantee.uri or g.grantee.id for g in again.grants] == [
        "owner-id",
        "http://acs.amazonaws.com/groups/global/AllUsers",
        "a@example.com",
    ]


def test_encoded_acl_declares_grantee_types_as_s3_requires() -> None:
    policy = AccessControlPolicy(Owner("o"), (Grant(Grantee.by_email("x@example.com"), "READ"),))
    encoded = s3_xml.encode_acl(policy)
    assert b'xsi:type="AmazonCustomerByEmail"' in encoded
    assert b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"' in encoded


def test_logging_with_target_grants() -> None:
    config = LoggingConfig("logs-bucket", "site/", (Grant(Grantee.user("someone"), "READ"),))
    decoded = s3_xml.decode_logging(xml.parse(s3_xml.encode_logging(config), what="test"))
    assert decoded is not None
    assert decoded.target_grants[0].grantee.id == "someone"
    assert s3_xml.decode_logging(parse(f"<BucketLoggingStatus {NS}/>")) is None


def test_location_constraints() -> None:
    assert s3_xml.decode_location(parse(f"<LocationConstraint {NS}/>")) == "us-east-1"
    assert s3_xml.decode_location(parse(f"<LocationConstraint {NS}>EU</LocationConstraint>")) == (
        "eu-west-1"
    )
    assert (
        s3_xml.decode_location(parse(f"<LocationConstraint {NS}>ap-south-2</LocationConstraint>"))
        == "ap-south-2"
    )


def test_versioning_never_enabled_reads_as_none() -> None:
    versioning = s3_xml.decode_versioning(parse(f"<VersioningConfiguration {NS}/>"))
    assert versioning.status is None


def test_delete_failures_are_reported() -> None:
    body = f"""<DeleteResult {NS}><Error><Key>locked</Key><VersionId>v1</VersionId>
      <Code>AccessDenied</Code><Message>Access Denied</Message></Error></DeleteResult>"""
    (failure,) = s3_xml.decode_delete_failures(parse(body))
    assert (failure.key, failure.version_id, failure.code) == ("locked", "v1", "AccessDenied")


def test_version_listing_pages_by_markers() -> None:
    body = f"""<ListVersionsResult {NS}><IsTruncated>true</IsTruncated>
      <NextKeyMarker>k2</NextKeyMarker><NextVersionIdMarker>v9</NextVersionIdMarker>
      <Version><Key>k1</Key><VersionId>v1</VersionId><IsLatest>true</IsLatest></Version>
      <DeleteMarker><Key>k2</Key><VersionId>v9</VersionId><IsLatest>true</IsLatest></DeleteMarker>
      </ListVersionsResult>"""
    versions, markers = s3_xml.decode_version_list(parse(body))
    assert [(v.key, v.is_delete_marker) for v in versions] == [("k1", False), ("k2", True)]
    assert markers == ("k2", "v9")

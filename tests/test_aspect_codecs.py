"""Each aspect's unit on documents shaped as AWS sends them, including the forms moto does not
produce (object-size filters, the legacy rule-level Prefix, email grantees, an empty
configuration): read into the spec's own values, and written back as S3 requires."""

from __future__ import annotations

from datetime import date
from typing import Any

from reconciler.kinds.bucket.aspects import registry as aspects
from reconciler.kinds.bucket.aspects.base import WriteContext
from reconciler.kinds.bucket.model import (
    AclGrants,
    Expiration,
    Grant,
    Grantee,
    LifecycleFilter,
    LifecycleRule,
    Logging,
)

NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'
OWNER = WriteContext(owner_id=lambda: "owner-id")


def read(aspect: str, body: str | bytes) -> Any:
    raw = body.encode() if isinstance(body, str) else body
    return aspects.get(aspect).read(raw, address="bucket.test").value


def write(aspect: str, value: Any) -> bytes:
    return aspects.get(aspect).encode(value, OWNER)


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
    rules = {rule.id: rule for rule in read("lifecycle", AWS_LIFECYCLE)}
    assert rules["legacy"].filter == LifecycleFilter(prefix="logs/")
    assert rules["sized"].filter == LifecycleFilter(
        prefix="big/", object_size_greater_than=1048576, object_size_less_than=1073741824
    )
    assert rules["dated"].filter == LifecycleFilter(object_size_greater_than=10)
    assert rules["dated"].expiration == Expiration(date=date(2030, 1, 1))
    assert rules["dated"].enabled is False
    assert rules["everything"].filter is None
    assert rules["everything"].abort_incomplete_multipart_upload_days == 7


def test_lifecycle_encoding_round_trips_every_filter_shape() -> None:
    rules = [
        LifecycleRule(id="p", filter=LifecycleFilter(prefix="a/"), expiration=Expiration(days=1)),
        LifecycleRule(
            id="and",
            filter=LifecycleFilter(prefix="b/", tags={"k": "v"}, object_size_greater_than=5),
            expiration=Expiration(days=2),
        ),
        LifecycleRule(
            id="size",
            filter=LifecycleFilter(object_size_less_than=9),
            expiration=Expiration(days=3),
        ),
    ]
    encoded = write("lifecycle", rules)
    assert encoded.count(b"<And>") == 1  # a single condition is never wrapped
    assert read("lifecycle", encoded) == rules


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
    decoded = aspects.get("acl").read(body.encode(), address="bucket.test")
    assert decoded.owner_id == "owner-id"
    acl = decoded.value
    assert isinstance(acl, AclGrants)
    assert acl.grants == [
        Grant(grantee=Grantee(id="owner-id"), permission="FULL_CONTROL"),
        Grant(grantee=Grantee(group="AllUsers"), permission="READ"),
        Grant(grantee=Grantee(email="a@example.com"), permission="WRITE"),
    ]
    assert read("acl", write("acl", acl)) == acl


def test_a_canned_acl_reads_by_its_name_and_is_written_as_its_grants() -> None:
    encoded = write("acl", "public-read")
    assert b"<ID>owner-id</ID>" in encoded
    assert b"http://acs.amazonaws.com/groups/global/AllUsers" in encoded
    assert read("acl", encoded) == "public-read"


def test_encoded_acl_declares_grantee_types_as_s3_requires() -> None:
    value = AclGrants(grants=[Grant(grantee=Grantee(email="x@example.com"), permission="READ")])
    encoded = write("acl", value)
    assert b'xsi:type="AmazonCustomerByEmail"' in encoded
    assert b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"' in encoded


def test_logging_with_target_grants() -> None:
    config = Logging(
        target_bucket="logs-bucket",
        target_prefix="site/",
        target_grants=[Grant(grantee=Grantee(id="someone"), permission="READ")],
    )
    assert read("logging", write("logging", config)) == config
    assert read("logging", f"<BucketLoggingStatus {NS}/>") is None


def test_versioning_never_enabled_reads_as_suspended() -> None:
    assert read("versioning", f"<VersioningConfiguration {NS}/>") == "suspended"
    assert read("versioning", write("versioning", "enabled")) == "enabled"


def test_tags_leave_out_what_belongs_to_aws() -> None:
    encoded = write("tags", {"team": "web", "aws:cloudformation:stack-name": "x"})
    assert read("tags", encoded) == {"team": "web"}

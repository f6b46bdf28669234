"""The client's own S3 XML (buckets and objects) on documents shaped as AWS sends them ("EU",
delete failures, version markers). Each aspect's document is tested with its unit:
test_aspect_codecs."""

from __future__ import annotations

from reconciler import xmlcodec as xml
from reconciler.aws import s3_xml

NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'


def parse(body: str) -> xml.Element:
    return xml.parse(body.encode(), what="test")


def test_location_constraints() -> None:
    assert s3_xml.decode_location(parse(f"<LocationConstraint {NS}/>")) == "us-east-1"
    assert s3_xml.decode_location(parse(f"<LocationConstraint {NS}>EU</LocationConstraint>")) == (
        "eu-west-1"
    )
    assert (
        s3_xml.decode_location(parse(f"<LocationConstraint {NS}>ap-south-2</LocationConstraint>"))
        == "ap-south-2"
    )


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

"""Bucket name rules (reused by the spec validator) and where requests are addressed."""

from __future__ import annotations

import pytest

from reconciler.aws.endpoints import Location, S3Addressing
from reconciler.names import bucket_name_problem, is_virtual_host_safe

VALID = ["abc", "my-bucket", "logs.acme.example", "a" * 63, "123bucket", "bucket-1.2"]
INVALID = {
    "ab": "3 to 63 characters",
    "a" * 64: "3 to 63 characters",
    "My-Bucket": "lowercase letters, digits, dots and hyphens (found 'B' 'M')",
    "under_score": "(found '_')",
    "-leading": "begin and end with a lowercase letter or a digit",
    "trailing.": "begin and end",
    "two..dots": "two adjacent dots",
    "192.168.5.4": "IP address",
    "xn--punycode": "reserved prefix 'xn--'",
    "sthree-bucket": "reserved prefix 'sthree-'",
    "amzn-s3-demo-bucket": "reserved prefix 'amzn-s3-demo-'",
    "access-s3alias": "reserved suffix '-s3alias'",
    "lambda--ol-s3": "reserved suffix '--ol-s3'",
    "point.mrap": "reserved suffix '.mrap'",
    "express--x-s3": "reserved suffix '--x-s3'",
    "tables--table-s3": "reserved suffix '--table-s3'",
}


@pytest.mark.parametrize("name", VALID)
def test_valid_names(name: str) -> None:
    assert bucket_name_problem(name) is None


@pytest.mark.parametrize(("name", "reason"), INVALID.items(), ids=list(INVALID))
def test_invalid_names_say_why(name: str, reason: str) -> None:
    problem = bucket_name_problem(name)
    assert problem is not None
    assert reason in problem


def test_dotted_names_are_not_virtual_host_safe() -> None:
    assert is_virtual_host_safe("my-bucket")
    assert not is_virtual_host_safe("logs.acme.example")
    assert not is_virtual_host_safe("Bad_Name")


def test_aws_addressing_is_virtual_hosted_for_dns_safe_names() -> None:
    where = S3Addressing().locate(bucket="my-bucket", key="a b/c", region="eu-west-1")
    assert (where.root, where.path) == ("https://my-bucket.s3.eu-west-1.amazonaws.com", "/a%20b/c")
    bucket_only = S3Addressing().locate(bucket="my-bucket", region="eu-west-1")
    assert bucket_only.path == "/"


def test_aws_addressing_is_path_style_for_dotted_names() -> None:
    where = S3Addressing().locate(bucket="logs.acme.example", key="k", region="us-east-1")
    assert (where.root, where.path) == (
        "https://s3.us-east-1.amazonaws.com",
        "/logs.acme.example/k",
    )


def test_china_regions_use_their_own_domain() -> None:
    where = S3Addressing().locate(bucket="data", region="cn-north-1")
    assert where.root == "https://data.s3.cn-north-1.amazonaws.com.cn"


def test_custom_endpoints_are_path_style_and_keep_their_prefix() -> None:
    addressing = S3Addressing("http://127.0.0.1:9000/storage")
    where = addressing.locate(bucket="my-bucket", key="x//y", region="eu-west-1")
    assert (where.root, where.path) == ("http://127.0.0.1:9000", "/storage/my-bucket/x//y")
    assert addressing.locate(bucket=None, region="eu-west-1").path == "/storage/"
    assert addressing.locate(bucket="my-bucket", region="eu-west-1").path == "/storage/my-bucket"


def test_the_addressing_style_setting() -> None:
    custom = "http://store.local:9000"
    assert S3Addressing(custom, "virtual").locate(bucket="data", key="a b", region="x") == (
        Location("http://data.store.local:9000", "/a%20b")
    )
    assert S3Addressing(custom, "auto").locate(bucket="data", region="x").root == custom
    on_aws = S3Addressing(None, "path").locate(bucket="data", key="k", region="eu-west-1")
    assert on_aws == Location("https://s3.eu-west-1.amazonaws.com", "/data/k")

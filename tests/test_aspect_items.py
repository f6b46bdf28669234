"""An aspect kept as items by id is read page by page: the continuation token S3 gives is sent
back until a page says it is the last, and a store that hands out the same page again is that
bucket's error rather than a read that never ends."""

from __future__ import annotations

import pytest

from reconciler.aws.config import RetryPolicy
from reconciler.aws.s3 import S3Client
from reconciler.aws.transport import Transport
from reconciler.errors import ResponseParseError
from reconciler.kinds.bucket.aspects import registry as aspects
from reconciler.kinds.bucket.read import read_aspect
from tests.conftest import TEST_CREDENTIALS
from tests.stub_server import Answer, stub_server

NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'


def page(ids: list[str], token: str | None) -> Answer:
    items = "".join(f"<MetricsConfiguration><Id>{i}</Id></MetricsConfiguration>" for i in ids)
    more = (
        f"<IsTruncated>true</IsTruncated><NextContinuationToken>{token}</NextContinuationToken>"
        if token
        else "<IsTruncated>false</IsTruncated>"
    )
    return Answer(200, f"<ListMetricsConfigurationsResult {NS}>{items}{more}"
                       "</ListMetricsConfigurationsResult>".encode())  # fmt: skip


def client(url: str) -> S3Client:
    transport = Transport(credentials=TEST_CREDENTIALS, retry=RetryPolicy(max_attempts=1))
    return S3Client(transport, region="us-east-1", endpoint_url=url)


def test_every_page_is_read_with_the_token_the_last_one_gave() -> None:
    with stub_server(page(["a", "b"], "next-1"), page(["c"], None)) as stub:
        read = read_aspect(client(stub.url), "paged", aspects.get("metrics"))
    assert [m.id for m in read.value] == ["a", "b", "c"]
    assert "continuation-token" not in stub.received[0].path
    assert "continuation-token=next-1" in stub.received[1].path
    assert all("metrics=" in r.path for r in stub.received)


def test_a_listing_that_repeats_its_token_is_an_error() -> None:
    with (
        stub_server(page(["a"], "same"), page(["b"], "same")) as stub,
        pytest.raises(ResponseParseError, match="repeats its continuation token"),
    ):
        read_aspect(client(stub.url), "paged", aspects.get("metrics"))
    assert len(stub.received) == 2

"""Rates over a fleet: each target its own session (so its own adaptive concurrency per
account and region); one CloudFront budget per account, shared by the account's targets: a
throttling answer to one of them lowers what the account's next target may send at once, and
no other account's; each account's role assumed once, from the hub's credentials."""

from __future__ import annotations

import pytest

from reconciler.aws.config import ClientConfig, RetryPolicy
from reconciler.aws.session import open_session
from reconciler.aws.signing import Credentials
from reconciler.fleet.sessions import FleetSessions
from reconciler.fleet.targets import Target
from tests.stub_server import Answer, Received, stub_server

LISTING = (
    b'<?xml version="1.0"?><DistributionList xmlns="http://cloudfront.amazonaws.com/doc/'
    b'2020-05-31/"><Marker></Marker><MaxItems>100</MaxItems><IsTruncated>false</IsTruncated>'
    b"<Quantity>0</Quantity></DistributionList>"
)
SLOW_DOWN = (
    b'<?xml version="1.0"?><ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>'
    b"<Message>Rate exceeded</Message></Error><RequestId>r</RequestId></ErrorResponse>"
)


def target(account: str, region: str) -> Target:
    return Target(account=account, region=region, role_arn=f"arn:aws:iam::{account}:role/deploy")


@pytest.fixture
def throttling_cloudfront() -> object:
    throttled = {"left": 1}

    def route(request: Received) -> Answer:
        if throttled["left"]:
            throttled["left"] -= 1
            return Answer(400, SLOW_DOWN)
        return Answer(200, LISTING)

    with stub_server(route=route) as stub:
        yield stub


def test_one_cloudfront_budget_per_account_and_a_session_per_target(
    endpoint: str, throttling_cloudfront: object
) -> None:
    stub = throttling_cloudfront
    config = ClientConfig(
        region="us-east-1",
        endpoints={"s3": endpoint, "sts": endpoint, "cloudfront": stub.url},  # type: ignore[attr-defined]
        parallelism=8,
        retry=RetryPolicy(max_attempts=3, base_delay=0.001, max_delay=0.01),
    )
    hub_keys = Credentials("AKIDHUB", "hub-secret")
    with open_session(config, env={}, credentials=hub_keys) as hub:
        sessions = FleetSessions(hub, env={})
        try:
            east, west, other = (
                target("111111111111", "us-east-1"),
                target("111111111111", "eu-west-1"),
                target("222222222222", "us-east-1"),
            )
            with sessions.session(east) as first:
                assert list(first.cloudfront.list_distributions()) == []  # throttled, retried
                budget = first.cloudfront._transport.limit_for(stub.url)  # type: ignore[attr-defined]
                assert budget.limit == 4  # halved from the parallelism
                assert first.s3.region == "us-east-1"
                first_transport = first.transport
            with sessions.session(west) as second, sessions.session(other) as third:
                assert second.cloudfront is first.cloudfront  # the account's one budget
                assert second.cloudfront._transport.limit_for(stub.url).limit == 4  # type: ignore[attr-defined]
                assert third.cloudfront is not first.cloudfront
                assert third.cloudfront._transport.limit_for(stub.url).limit == 8  # type: ignore[attr-defined]
                assert second.transport is not first_transport  # each target its own session
                assert second.s3.region == "eu-west-1"
                assert second.transport.credentials == first_transport.credentials  # one role
                assert third.transport.credentials != first_transport.credentials
        finally:
            sessions.close()

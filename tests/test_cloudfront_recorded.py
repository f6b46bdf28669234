"""CloudFront behaviours the emulator lacks, on recorded AWS answers served over HTTP: a stale
ETag (``PreconditionFailed``) answered by reading again, ``DistributionNotDisabled`` during a
delete, ``CNAMEAlreadyExists`` reported with the alias and where the spec declares it.

moto never changes a distribution's ETag, accepts any ``If-Match``, lets an enabled distribution
be deleted and never refuses a duplicate alias; AWS does all four. The bodies below have AWS's
shape (``ErrorResponse`` with ``Type``/``Code``/``Message``, the 2020-05-31 namespace)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from reconciler.apply.executor import Executor
from reconciler.apply.guard import Guard
from reconciler.aws.cloudfront import CloudFrontClient
from reconciler.aws.cloudfront_waiters import Waiter, WaitSettings
from reconciler.aws.config import RetryPolicy
from reconciler.aws.s3 import S3Client
from reconciler.aws.signing import Credentials
from reconciler.aws.transport import Transport
from reconciler.errors import UnsafeStep
from reconciler.kinds.base import ApplyContext, Clients, PlanOptions
from reconciler.kinds.distribution.invalidate import invalidate
from reconciler.kinds.distribution.steps import steps as distribution_steps
from reconciler.plan.model import Action, AspectChange, ResourceChange
from reconciler.plan.planner import plan
from reconciler.retries import EVENTUAL
from tests.live_states import live_state
from tests.reconcile import spec_file
from tests.stub_server import Answer, Stub, stub_server

NS = "http://cloudfront.amazonaws.com/doc/2020-05-31/"
CREDENTIALS = Credentials("AKIDSTUB", "stub-secret-value-123")


def error(code: str, message: str) -> bytes:
    return (
        f'<?xml version="1.0"?><ErrorResponse xmlns="{NS}"><Error><Type>Sender</Type>'
        f"<Code>{code}</Code><Message>{message}</Message></Error>"
        "<RequestId>5b5f8f8e-1c1a-4c1e-9d59-0b9f1f0c4e21</RequestId></ErrorResponse>"
    ).encode()


PRECONDITION_FAILED = Answer(
    412,
    error(
        "PreconditionFailed",
        "The precondition given in one or more of the request-header fields evaluated to false.",
    ),
)
NOT_DISABLED = Answer(
    409,
    error(
        "DistributionNotDisabled",
        "The distribution you are trying to delete has not been disabled.",
    ),
)
CNAME_TAKEN = Answer(
    409,
    error(
        "CNAMEAlreadyExists",
        "One or more of the CNAMEs you provided are already associated with a different resource.",
    ),
)
NO_SUCH = Answer(404, error("NoSuchDistribution", "The specified distribution does not exist."))


def config_body(comment: str, *, enabled: bool = True) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><DistributionConfig xmlns="{NS}">'
        "<CallerReference>ref-1</CallerReference><Aliases><Quantity>0</Quantity></Aliases>"
        "<DefaultRootObject></DefaultRootObject><Origins><Quantity>1</Quantity><Items><Origin>"
        "<Id>site</Id><DomainName>site.s3.us-east-1.amazonaws.com</DomainName>"
        "<OriginPath></OriginPath><CustomHeaders><Quantity>0</Quantity></CustomHeaders>"
        "<S3OriginConfig><OriginAccessIdentity></OriginAccessIdentity></S3OriginConfig>"
        "<ConnectionAttempts>3</ConnectionAttempts><ConnectionTimeout>10</ConnectionTimeout>"
        "<OriginShield><Enabled>false</Enabled></OriginShield>"
        "<OriginAccessControlId></OriginAccessControlId></Origin></Items></Origins>"
        "<DefaultCacheBehavior><TargetOriginId>site</TargetOriginId>"
        "<ViewerProtocolPolicy>redirect-to-https</ViewerProtocolPolicy>"
        "<CachePolicyId>658327ea-f89d-4fab-a63d-7e88639e58f6</CachePolicyId>"
        "</DefaultCacheBehavior>"
        f"<Comment>{comment}</Comment><Enabled>{'true' if enabled else 'false'}</Enabled>"
        "</DistributionConfig>"
    ).encode()


def config_answer(etag: str, comment: str = "old", *, enabled: bool = True) -> Answer:
    return Answer(200, config_body(comment, enabled=enabled), {"ETag": etag})


def distribution_answer(status: str, etag: str = "E9", *, enabled: bool = True) -> Answer:
    inner = (
        config_body("old", enabled=enabled)
        .split(b"?>", 1)[1]
        .replace(f' xmlns="{NS}"'.encode(), b"")
    )
    body = (
        (
            f'<?xml version="1.0" encoding="UTF-8"?><Distribution xmlns="{NS}"><Id>E1ABCDEF</Id>'
            "<ARN>arn:aws:cloudfront::123456789012:distribution/E1ABCDEF</ARN>"
            f"<Status>{status}</Status><LastModifiedTime>2026-11-21T10:00:00Z</LastModifiedTime>"
            "<InProgressInvalidationBatches>0</InProgressInvalidationBatches>"
            "<DomainName>d111111abcdef8.cloudfront.net</DomainName>"
        ).encode()
        + inner
        + b"</Distribution>"
    )
    return Answer(200, body, {"ETag": etag})


def tags_answer(stack: str, name: str) -> Answer:
    """The distribution's tags, as the executor reads them again before changing it."""
    return Answer(
        200,
        (
            f'<?xml version="1.0" encoding="UTF-8"?><Tags xmlns="{NS}"><Items>'
            f"<Tag><Key>reconciler:stack</Key><Value>{stack}</Value></Tag>"
            f"<Tag><Key>reconciler:name</Key><Value>{name}</Value></Tag></Items></Tags>"
        ).encode(),
    )


#: The spec the unit-level steps below run under: site-cdn declared with the new comment,
#: old-cdn no longer declared (pruned).
STEPS_SPEC = """\
version: 1
stack: web
distributions:
  site-cdn: {comment: new}
"""


def client(stub: Stub) -> CloudFrontClient:
    transport = Transport(credentials=CREDENTIALS, retry=RetryPolicy(max_attempts=1))
    return CloudFrontClient(transport, endpoint_url=stub.url)


class steps_for:
    """The distribution kind's steps of a change, run one by one as the executor runs them
    (no wait between ETag retries)."""

    def __init__(self, cloudfront: CloudFrontClient, tmp_path: Path) -> None:
        s3 = S3Client(Transport(credentials=CREDENTIALS), region="us-east-1")
        self.context = ApplyContext(
            clients=Clients(s3, cloudfront),
            guard=Guard(spec_file(tmp_path, STEPS_SPEC).spec, default_region="us-east-1"),
            stack="web",
            spec_digest="sha256:x",
            backoff=EVENTUAL,
            sleep=lambda _: None,
            waiter=Waiter(cloudfront, WaitSettings(interval=0.001, timeout=5.0)),
        )

    def runner(self, change: ResourceChange) -> Callable[[str, str], None]:
        by_name = {(s.part, s.action): s for s in distribution_steps(change, self.context)}
        return lambda part, action: by_name[(part, action)].run()


def calls(stub: Stub) -> list[tuple[str, str, str | None]]:
    return [(r.method, r.path.split("?")[0], r.headers.get("if-match")) for r in stub.received]


CONFIG = "/2020-05-31/distribution/E1ABCDEF/config"
DIST = "/2020-05-31/distribution/E1ABCDEF"
TAGGING = "/2020-05-31/tagging"


def test_a_stale_etag_is_read_again_and_the_update_retried(tmp_path: Path) -> None:
    change = ResourceChange(
        address="distribution.site-cdn",
        kind="distribution",
        name="site-cdn",
        action=Action.UPDATE,
        aspects=(AspectChange("comment", Action.UPDATE, "old", "new"),),
        id="E1ABCDEF",
        wait_for_deployment=False,
    )
    with stub_server(
        # the executor's own check: still this stack's site-cdn?
        distribution_answer("Deployed"),
        tags_answer("web", "site-cdn"),
        config_answer("E1"),
        PRECONDITION_FAILED,
        config_answer("E2"),
        distribution_answer("InProgress"),
    ) as stub:
        steps_for(client(stub), tmp_path).runner(change)("config", "update")
    assert calls(stub) == [
        ("GET", DIST, None),
        ("GET", TAGGING, None),
        ("GET", CONFIG, None),
        ("PUT", CONFIG, "E1"),
        ("GET", CONFIG, None),
        ("PUT", CONFIG, "E2"),
    ]
    sent = stub.received[-1].body.decode()
    assert "<Comment>new</Comment>" in sent
    # What the spec does not manage is sent back as it was.
    assert "<OriginShield><Enabled>false</Enabled></OriginShield>" in sent


def test_delete_answered_not_disabled_disables_waits_and_deletes_with_a_fresh_etag(
    tmp_path: Path,
) -> None:
    change = ResourceChange(
        address="distribution.old-cdn",
        kind="distribution",
        name="old-cdn",
        action=Action.DELETE,
        id="E1ABCDEF",
    )
    with stub_server(
        # the executor's own check: still this stack's old-cdn?
        distribution_answer("InProgress"),
        tags_answer("web", "old-cdn"),
        # disable: the distribution is deploying, then deployed; its config is enabled
        distribution_answer("InProgress"),
        distribution_answer("Deployed"),
        config_answer("E1"),
        distribution_answer("InProgress", enabled=False),  # the update's answer
        distribution_answer("Deployed", enabled=False),  # waiting for the disabled state
        # the check again before the delete
        distribution_answer("Deployed", enabled=False),
        tags_answer("web", "old-cdn"),
        # delete: AWS still says not disabled (its view lags), so the sequence starts over
        config_answer("E2", enabled=False),
        NOT_DISABLED,
        distribution_answer("Deployed", enabled=False),
        config_answer("E3", enabled=False),
        distribution_answer("Deployed", enabled=False),
        config_answer("E4", enabled=False),
        Answer(204),
        NO_SUCH,  # gone
    ) as stub:
        run = steps_for(client(stub), tmp_path).runner(change)
        run("distribution", "disable")
        run("distribution", "delete")
    assert calls(stub) == [
        ("GET", DIST, None),
        ("GET", TAGGING, None),
        ("GET", DIST, None),
        ("GET", DIST, None),
        ("GET", CONFIG, None),
        ("PUT", CONFIG, "E1"),
        ("GET", DIST, None),
        ("GET", DIST, None),
        ("GET", TAGGING, None),
        ("GET", CONFIG, None),
        ("DELETE", DIST, "E2"),
        ("GET", DIST, None),
        ("GET", CONFIG, None),
        ("GET", DIST, None),
        ("GET", CONFIG, None),
        ("DELETE", DIST, "E4"),
        ("GET", DIST, None),
    ]
    assert "<Enabled>false</Enabled>" in stub.received[5].body.decode()


SPEC = """\
version: 1
stack: web
buckets:
  web-site-origin: {}
distributions:
  site-cdn:
    aliases: [www.example.org]
    origins:
      - {id: site, bucket: web-site-origin}
    default_cache_behavior: {target_origin: site, viewer_protocol_policy: https-only}
    viewer_certificate:
      acm_certificate_arn: arn:aws:acm:us-east-1:123456789012:certificate/abc
      ssl_support_method: sni-only
"""


def test_an_alias_held_elsewhere_is_reported_with_the_alias_and_its_position(
    tmp_path: Path,
) -> None:
    loaded = spec_file(tmp_path, SPEC)

    def position(path: tuple[str | int, ...]) -> str | None:
        found = loaded.source.at(path)
        return str(found) if found else None

    # The alias may be held in another account: the account's listing cannot show it.
    the_plan = plan(
        loaded.spec,
        live_state(buckets={}, distributions=()),
        PlanOptions(default_region="us-east-1", position=position),
    )
    change = the_plan.change("distribution.site-cdn")
    assert change is not None
    only_cdn = type(the_plan)(stack="web", spec_digest="sha256:x", changes=(change,))
    with stub_server(CNAME_TAKEN) as stub:
        cloudfront = client(stub)
        s3 = S3Client(Transport(credentials=CREDENTIALS), region="us-east-1", endpoint_url=stub.url)
        guard = Guard(loaded.spec, default_region="us-east-1")
        executor = Executor(s3, guard=guard, cloudfront=cloudfront, waiter=Waiter(cloudfront))
        report = executor.apply(only_cdn)
    failed = [r for r in report.results if r.status == "failed"]
    assert len(failed) == 1
    reason = failed[0].reason or ""
    assert "www.example.org" in reason
    assert "CNAMEAlreadyExists" in reason
    assert f"{tmp_path / 'reconciler.yaml'}:7:" in reason
    assert [r.status for r in report.results] == ["failed", "skipped"]


def invalidation_answer(status: str) -> Answer:
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?><Invalidation xmlns="{NS}"><Id>I2J0I21PCUYOIK</Id>'
        f"<Status>{status}</Status><CreateTime>2026-11-21T10:00:00Z</CreateTime>"
        "<InvalidationBatch><Paths><Quantity>1</Quantity><Items><Path>/index.html</Path></Items>"
        "</Paths><CallerReference>reconciler-1</CallerReference></InvalidationBatch></Invalidation>"
    ).encode()
    return Answer(201 if status == "InProgress" else 200, body)


def test_invalidate_waits_until_cloudfront_says_completed() -> None:
    slept: list[float] = []
    with stub_server(
        invalidation_answer("InProgress"),
        invalidation_answer("InProgress"),
        invalidation_answer("Completed"),
    ) as stub:
        made = invalidate(
            client(stub),
            "E1ABCDEF",
            ["/index.html"],
            address="distribution.site-cdn",
            wait=True,
            interval=7.0,
            sleep=slept.append,
        )
    assert made.status == "Completed"
    assert slept == [7.0, 7.0]
    assert [r.method for r in stub.received] == ["POST", "GET", "GET"]
    assert b"<CallerReference>reconciler-" in stub.received[0].body


def test_the_executor_refuses_to_disable_a_distribution_of_another_stack(tmp_path: Path) -> None:
    """A forged delete naming a distribution id: its tags, read again, say whose it is."""
    change = ResourceChange(
        address="distribution.old-cdn",
        kind="distribution",
        name="old-cdn",
        action=Action.DELETE,
        id="E1ABCDEF",
    )
    with stub_server(distribution_answer("Deployed"), tags_answer("other", "their-cdn")) as stub:
        run = steps_for(client(stub), tmp_path).runner(change)
        with pytest.raises(UnsafeStep) as raised:
            run("distribution", "disable")
    assert str(raised.value) == (
        "distribution.old-cdn: refused: distribution E1ABCDEF carries reconciler:stack=other, "
        "reconciler:name=their-cdn, not this stack's old-cdn: the reconciler never changes what "
        "it does not own"
    )
    assert [method for method, _, _ in calls(stub)] == ["GET", "GET"]  # nothing written

"""S3-compatible stores and odd answers: a small S3 on loopback that answers like MinIO, R2 or a
broken proxy would, one aspect at a time. What must hold: an aspect the store does not implement
is asked for once (no retries) and is that bucket's error, naming the aspect; every other bucket
is still read and planned; a store without bucket tagging is still usable; a store that gives no
region works with the configured one."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from reconciler.aws.cloudfront import CloudFrontClient
from reconciler.aws.config import RetryPolicy
from reconciler.aws.s3 import S3Client
from reconciler.aws.transport import Transport
from reconciler.live.reader import LiveReader
from reconciler.plan.model import Plan
from reconciler.spec.loader import load_spec
from reconciler.workflow import make_plan
from tests.certificates import self_signed
from tests.conftest import TEST_CREDENTIALS
from tests.stub_server import Answer, Received, s3_error, stub_server

NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'


def listing(names: list[str], *, region: str | None) -> bytes:
    where = f"<BucketRegion>{region}</BucketRegion>" if region else ""
    buckets = "".join(
        f"<Bucket><Name>{n}</Name><CreationDate>2026-01-01T00:00:00.000Z</CreationDate>{where}"
        "</Bucket>"
        for n in names
    )
    return (
        f'<?xml version="1.0"?><ListAllMyBucketsResult {NS}><Owner><ID>o</ID></Owner>'
        f"<Buckets>{buckets}</Buckets></ListAllMyBucketsResult>"
    ).encode()


NOT_CONFIGURED = {
    "lifecycle": "NoSuchLifecycleConfiguration",
    "encryption": "ServerSideEncryptionConfigurationNotFoundError",
    "tagging": "NoSuchTagSet",
    "cors": "NoSuchCORSConfiguration",
}


class FakeStore:
    """Buckets that exist and have nothing configured, except where ``odd`` says otherwise:
    ``odd[(bucket, subresource)]`` is the answer for that read."""

    def __init__(
        self,
        buckets: list[str],
        odd: dict[tuple[str, str], Answer] | None = None,
        *,
        region: str | None = "us-east-1",
    ) -> None:
        self.buckets = buckets
        self.odd = odd or {}
        self.region = region
        self.seen: Counter[tuple[str, str]] = Counter()

    def __call__(self, received: Received) -> Answer:
        parts = urlsplit(received.path)
        bucket = parts.path.strip("/")
        sub = next(iter(parse_qs(parts.query, keep_blank_values=True)), "")
        self.seen[(bucket, sub or received.method)] += 1
        if not bucket:
            # As S3 does: BucketRegion only for a request that carries a parameter.
            region = self.region if parts.query else None
            return Answer(200, listing(self.buckets, region=region))
        if (bucket, sub) in self.odd:
            return self.odd[(bucket, sub)]
        if received.method == "HEAD":
            headers = {"x-amz-bucket-region": self.region} if self.region else {}
            return Answer(200, b"", headers)
        if received.method != "GET":
            return Answer(403, s3_error("AccessDenied", "the fake store takes no writes"))
        if sub == "versioning":
            return Answer(200, f"<VersioningConfiguration {NS}/>".encode())
        return Answer(404, s3_error(NOT_CONFIGURED.get(sub, "NoSuchKey")))


def plan_against(
    store: Callable[[Received], Answer], tmp_path: Path, spec: str
) -> tuple[Plan, Transport]:
    path = tmp_path / "reconciler.yaml"
    path.write_text(spec)
    loaded = load_spec((str(path),), cli_vars={}, env={})
    with stub_server(route=store) as server:
        transport = Transport(
            credentials=TEST_CREDENTIALS,
            retry=RetryPolicy(max_attempts=5, base_delay=0.001, max_delay=0.002),
        )
        s3 = S3Client(transport, region="us-east-1", endpoint_url=server.url)
        # A CloudFront client that would fail the test if used: nothing listens there.
        cloudfront = CloudFrontClient(transport, endpoint_url="http://127.0.0.1:9")
        reader = LiveReader(s3, cloudfront=cloudfront, parallelism=4)
        plan, _ = make_plan(loaded, reader, default_region="us-east-1")
    return plan, transport


THREE = """\
version: 1
stack: compat
buckets:
  compat-a: {lifecycle: [{id: old, filter: {prefix: ""}, expiration: {days: 30}}]}
  compat-b: {lifecycle: [{id: old, filter: {prefix: ""}, expiration: {days: 30}}]}
  compat-c: {versioning: enabled}
"""

NOT_IMPLEMENTED = Answer(
    501,
    s3_error(
        "NotImplemented", "A header you provided implies functionality that is not implemented"
    ),
)


def errors(plan: Plan) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for d in plan.diagnostics:
        if d.severity == "error":
            found.setdefault(d.address, []).append(d.summary)
    return found


def test_an_aspect_the_store_lacks_is_asked_once_and_is_that_buckets_error(
    tmp_path: Path,
) -> None:
    store = FakeStore(
        ["compat-a", "compat-b", "compat-c"], {("compat-a", "lifecycle"): NOT_IMPLEMENTED}
    )
    plan, _ = plan_against(store, tmp_path, THREE)
    assert store.seen[("compat-a", "lifecycle")] == 1  # 501 is never retried
    assert errors(plan) == {
        "bucket.compat-a": [
            "the endpoint does not implement bucket lifecycle (NotImplemented, HTTP 501): "
            "remove `lifecycle` from this bucket or use a store that has it"
        ]
    }
    planned = {c.address: [a.aspect for a in c.aspects] for c in plan.changes}
    # The others are still read and planned (adopted: untagged, with their changes).
    assert planned["bucket.compat-b"] == ["tags", "lifecycle"]
    assert planned["bucket.compat-c"] == ["tags", "versioning"]
    assert "bucket.compat-a" not in planned


def test_method_not_allowed_on_a_configuration_reads_as_not_implemented(tmp_path: Path) -> None:
    refused = Answer(405, s3_error("MethodNotAllowed", "The specified method is not allowed"))
    store = FakeStore(["compat-a", "compat-b", "compat-c"], {("compat-b", "lifecycle"): refused})
    plan, _ = plan_against(store, tmp_path, THREE)
    assert store.seen[("compat-b", "lifecycle")] == 1
    [message] = errors(plan)["bucket.compat-b"]
    assert message.startswith("the endpoint does not implement bucket lifecycle (MethodNotAllowed")


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (Answer(200, b""), "the response is not well-formed XML"),
        (Answer(200, b"<html><body>proxy</body>"), "is an HTML page, not the XML AWS speaks"),
        (Answer(200, b"<Broken"), "the response is not well-formed XML"),
        (Answer(403, s3_error("AccessDenied", "Access Denied")), "s3:GetLifecycleConfiguration"),
        (Answer(503, s3_error("SlowDown", "Reduce your request rate")), "SlowDown"),
    ],
)
def test_one_odd_answer_is_one_buckets_error(tmp_path: Path, answer: Answer, reason: str) -> None:
    store = FakeStore(["compat-a", "compat-b", "compat-c"], {("compat-a", "lifecycle"): answer})
    plan, _ = plan_against(store, tmp_path, THREE)
    [message] = errors(plan)["bucket.compat-a"]
    assert message.startswith("reading lifecycle failed: ")
    assert reason in message
    assert {c.address for c in plan.changes} == {"bucket.compat-b", "bucket.compat-c"}


def test_an_access_denied_names_the_refused_iam_action(tmp_path: Path) -> None:
    denied = Answer(403, s3_error("AccessDenied", "Access Denied"))
    store = FakeStore(["compat-a", "compat-b", "compat-c"], {("compat-c", "versioning"): denied})
    plan, _ = plan_against(store, tmp_path, THREE)
    [message] = errors(plan)["bucket.compat-c"]
    assert "the IAM action s3:GetBucketVersioning on arn:aws:s3:::compat-c was refused" in message
    assert "request id REQ123" in message


TAGLESS = """\
version: 1
stack: compat
buckets:
  compat-a: {versioning: enabled}
  compat-b: {}
"""


def test_a_store_without_tagging_is_managed_without_the_ownership_tag(tmp_path: Path) -> None:
    odd = {(b, "tagging"): NOT_IMPLEMENTED for b in ("compat-a", "compat-b", "stray")}
    store = FakeStore(["compat-a", "compat-b", "stray"], odd)
    plan, _ = plan_against(store, tmp_path, TAGLESS)
    assert errors(plan) == {}
    warnings = [d for d in plan.diagnostics if d.severity == "warning"]
    assert len(warnings) == 1  # said once for the whole store
    assert warnings[0].address == "stack.compat"
    assert "does not implement bucket tagging" in warnings[0].summary
    assert "no bucket is pruned" in warnings[0].summary
    # Only the declared change: no tags written, no adoption, nothing pruned.
    assert [(c.address, c.action.value, [a.aspect for a in c.aspects]) for c in plan.changes] == [
        ("bucket.compat-a", "update", ["versioning"])
    ]


def test_declared_tags_on_a_store_without_tagging_are_that_buckets_error(tmp_path: Path) -> None:
    odd = {(b, "tagging"): NOT_IMPLEMENTED for b in ("compat-a", "compat-b")}
    store = FakeStore(["compat-a", "compat-b"], odd)
    spec = TAGLESS.replace("compat-b: {}", "compat-b: {tags: {team: data}}")
    plan, _ = plan_against(store, tmp_path, spec)
    assert errors(plan) == {
        "bucket.compat-b": [
            "the endpoint does not implement bucket tagging: remove `tags` from this bucket "
            "or use a store that has it"
        ]
    }


def test_a_store_that_gives_no_region_works_with_the_configured_one(tmp_path: Path) -> None:
    store = FakeStore(["compat-a", "compat-b"], region=None)
    plan, _ = plan_against(store, tmp_path, TAGLESS)
    assert errors(plan) == {}
    assert {c.address: c.region for c in plan.changes} == {
        "bucket.compat-a": "us-east-1",
        "bucket.compat-b": "us-east-1",
    }


def run_count(store: FakeStore, key: Callable[[tuple[str, str]], bool]) -> int:
    return sum(n for k, n in store.seen.items() if key(k))


def test_a_bucket_only_spec_sends_no_cloudfront_request(tmp_path: Path) -> None:
    # The CloudFront endpoint of plan_against is a closed port: any request would fail the plan.
    store = FakeStore(["compat-a", "compat-b"])
    plan, transport = plan_against(store, tmp_path, TAGLESS)
    assert errors(plan) == {}
    assert transport.requests_sent == run_count(store, lambda _: True)


def test_a_store_behind_a_private_ca_works_with_its_bundle(tmp_path: Path) -> None:
    from reconciler.errors import TransportError

    cert, key = self_signed(tmp_path)
    store = FakeStore(["compat-a"])
    with stub_server(route=store, tls=(cert, key)) as server:
        trusting = Transport(credentials=TEST_CREDENTIALS, ca_bundle=str(cert))
        s3 = S3Client(trusting, region="us-east-1", endpoint_url=server.url)
        assert [b.name for b in s3.list_buckets()] == ["compat-a"]
        plain = Transport(credentials=TEST_CREDENTIALS, retry=RetryPolicy(max_attempts=1))
        with pytest.raises(TransportError, match="set AWS_CA_BUNDLE or the profile's ca_bundle"):
            S3Client(plain, region="us-east-1", endpoint_url=server.url).list_buckets()


def test_endpoint_url_in_a_profile_reaches_the_store(endpoint: str, tmp_path: Path) -> None:
    """No AWS_ENDPOINT_URL: the profile's endpoint_url alone points the CLI at the store."""
    from tests.cli import run_cli

    (tmp_path / "config").write_text(
        f"[profile store]\nendpoint_url = {endpoint}\nregion = us-east-1\n"
        "s3 =\n  addressing_style = path\n"
    )
    (tmp_path / "credentials").write_text(
        "[store]\naws_access_key_id = AKIDSTORE\naws_secret_access_key = store-secret\n"
    )
    (tmp_path / "reconciler.yaml").write_text(TAGLESS)
    env = {
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
        "AWS_PROFILE": "store",
        "AWS_ACCESS_KEY_ID": "",
        "AWS_SECRET_ACCESS_KEY": "",
        "AWS_ENDPOINT_URL": "",
        "AWS_REGION": "",
    }
    applied = run_cli("apply", "--auto-approve", cwd=tmp_path, env=env)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    again = run_cli("plan", "--detailed-exitcode", cwd=tmp_path, env=env)
    assert again.returncode == 0, again.stdout + again.stderr


ENCRYPTED = """\
version: 1
stack: compat
buckets:
  compat-a: {encryption: {algorithm: AES256}}
  compat-b: {encryption: {algorithm: AES256}}
"""


def test_an_empty_answer_for_one_aspect_at_the_command_line(tmp_path: Path) -> None:
    """An empty 200 body for one bucket's GetBucketEncryption: plan names that bucket and
    aspect and still plans the other (exit 1); apply changes nothing; drift writes its report
    with that bucket as error and exits 1."""
    from tests.cli import run_cli, user_env
    from tests.report_checks import valid_json_report

    store = FakeStore(["compat-a", "compat-b"], {("compat-a", "encryption"): Answer(200, b"")})
    (tmp_path / "reconciler.yaml").write_text(ENCRYPTED)
    with stub_server(route=store) as server:
        env = user_env(tmp_path, endpoint=server.url, secret="compat-secret")
        planned = run_cli("plan", cwd=tmp_path, env=env)
        applied = run_cli("apply", "--auto-approve", cwd=tmp_path, env=env)
        drifted = run_cli("drift", "--format", "json", "-o", "drift.json", cwd=tmp_path, env=env)
    assert planned.returncode == 1
    assert (
        "error: bucket.compat-a: reading encryption failed: GetBucketEncryption: the response "
        "is not well-formed XML"
    ) in planned.stdout
    assert "= bucket.compat-b will be adopted" in planned.stdout  # the other one is planned
    assert planned.stdout.startswith("The plan for stack compat has 1 error(s)")
    assert applied.returncode == 1
    assert "(0 writes)" in applied.stderr
    assert not any(r.method == "PUT" for r in server.received)
    assert drifted.returncode == 1, drifted.stderr
    report = valid_json_report((tmp_path / "drift.json").read_text())
    standing = {r["address"]: r for r in report["resources"]}
    assert standing["bucket.compat-a"]["status"] == "error"
    assert "reading encryption failed" in standing["bucket.compat-a"]["reason"]
    assert standing["bucket.compat-b"]["status"] == "drifted"
    assert report["summary"]["error"] == 1


CF_NS = 'xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"'


def cloudfront_route(tags: dict[str, Answer]) -> Callable[[Received], Answer]:
    """CloudFront with the distributions ``tags`` names, each answering its tag read as given."""

    def summary(ident: str) -> str:
        return (
            f"<DistributionSummary><Id>{ident}</Id><ARN>arn:aws:cloudfront::1:distribution/"
            f"{ident}</ARN><Status>Deployed</Status><Aliases><Quantity>0</Quantity></Aliases>"
            "</DistributionSummary>"
        )

    def route(received: Received) -> Answer:
        parts = urlsplit(received.path)
        if parts.path.endswith("/distribution"):
            items = "".join(summary(i) for i in tags)
            body = (
                f"<DistributionList {CF_NS}><IsTruncated>false</IsTruncated>"
                f"<Quantity>{len(tags)}</Quantity><Items>{items}</Items></DistributionList>"
            )
            return Answer(200, body.encode())
        if parts.path.endswith("/tagging"):
            arn = parse_qs(parts.query)["Resource"][0]
            return tags[arn.rsplit("/", 1)[1]]
        return Answer(404, b"")

    return route


def tagged(**tags: str) -> Answer:
    items = "".join(f"<Tag><Key>{k}</Key><Value>{v}</Value></Tag>" for k, v in tags.items())
    return Answer(200, f"<Tags {CF_NS}><Items>{items}</Items></Tags>".encode())


def test_one_distribution_that_cannot_be_read_is_that_distributions_error(
    tmp_path: Path,
) -> None:
    store = FakeStore(["compat-a"])
    owned = tagged(**{"reconciler:stack": "compat", "reconciler:name": "old-cdn"})
    cloudfront = cloudfront_route({"E1OWNED": owned, "E2BROKEN": Answer(200, b"")})
    path = tmp_path / "reconciler.yaml"
    path.write_text("version: 1\nstack: compat\nbuckets:\n  compat-a: {}\ndistributions: {}\n")
    loaded = load_spec((str(path),), cli_vars={}, env={})
    with stub_server(route=store) as s3_server, stub_server(route=cloudfront) as cf_server:
        transport = Transport(credentials=TEST_CREDENTIALS, retry=RetryPolicy(max_attempts=1))
        reader = LiveReader(
            S3Client(transport, region="us-east-1", endpoint_url=s3_server.url),
            cloudfront=CloudFrontClient(transport, endpoint_url=cf_server.url),
        )
        plan, _ = make_plan(loaded, reader, default_region="us-east-1")
    [message] = errors(plan)["distribution.E2BROKEN"]
    assert message.startswith("whether this stack owns it is unknown: reading tags failed:")
    # The owned one answers its tags but not its configuration (this CloudFront has no
    # GetDistributionConfig): its own error, not silence; the bucket is still planned.
    [pruned] = errors(plan)["distribution.old-cdn"]
    assert pruned.startswith(
        "distribution E1OWNED, owned by this stack and no longer declared: reading configuration"
    )
    assert [(c.address, c.action.value) for c in plan.changes] == [("bucket.compat-a", "adopt")]


@pytest.mark.parametrize("status", [200, 403])
def test_an_endpoint_that_answers_html_says_so(tmp_path: Path, status: int) -> None:
    """A web server or a proxy's login page at the endpoint: the message says what came back
    (HTML, the status, the URL), not an XML parser's complaint."""
    from reconciler.errors import ReconcilerError

    page = Answer(status, b"<!DOCTYPE html><html><body>Sign in</body></html>")
    with stub_server(page) as server:
        transport = Transport(credentials=TEST_CREDENTIALS, retry=RetryPolicy(max_attempts=1))
        s3 = S3Client(transport, region="us-east-1", endpoint_url=server.url)
        with pytest.raises(ReconcilerError) as caught:
            s3.list_buckets()
    message = str(caught.value)
    assert f"ListBuckets: the answer from {server.url} (HTTP {status}) is an HTML page" in message
    assert "does not answer like S3 or CloudFront" in message
    assert "DTDForbidden" not in message


def test_the_listing_gives_the_regions_and_no_bucket_needs_a_head(tmp_path: Path) -> None:
    """S3 answers BucketRegion only when ListBuckets carries a parameter: the client sends
    max-buckets, so a plan of existing buckets makes no HeadBucket at all."""
    store = FakeStore(["compat-a", "compat-b"], region="eu-central-1")
    spec = TAGLESS.replace("compat-b: {}", "compat-b: {region: eu-central-1}")
    spec = spec.replace("compat-a: {versioning: enabled}", "compat-a: {region: eu-central-1}")
    plan, transport = plan_against(store, tmp_path, spec)
    assert errors(plan) == {}
    assert not any(method == "HEAD" for (_, method) in store.seen)
    assert transport.requests_sent == 1 + 2  # the listing, and each bucket's tags


def test_with_more_buckets_than_the_parallelism_each_buckets_reads_run_together(
    tmp_path: Path,
) -> None:
    """On AWS each bucket is its own host: its reads follow one another (on one connection)
    rather than spreading over the run, so at most `parallelism` buckets are being read at
    once, and the request count is unchanged."""
    names = [f"compat-{i:02d}" for i in range(10)]
    store = FakeStore(names)
    order: list[str] = []

    def recording(received: Received) -> Answer:
        bucket = urlsplit(received.path).path.strip("/")
        if bucket:
            order.append(bucket)
        return store(received)

    body = "".join(f"  {n}: {{lifecycle: [], cors: []}}\n" for n in names)
    spec = f"version: 1\nstack: compat\nbuckets:\n{body}"
    plan, transport = plan_against(recording, tmp_path, spec)
    assert errors(plan) == {}
    assert transport.requests_sent == 1 + 10 * 3  # the listing; each bucket's tags and two aspects
    spans = {n: (order.index(n), len(order) - 1 - order[::-1].index(n)) for n in names}
    busiest = max(sum(1 for a, b in spans.values() if a <= i <= b) for i in range(len(order)))
    assert busiest <= 4  # plan_against reads with parallelism 4

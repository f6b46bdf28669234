"""Content behaviours of AWS that the emulator lacks, on recorded answers served over HTTP:

- under SSE-KMS (and for multipart uploads) S3's ETag is not the MD5 of the bytes: the
  emulator answers MD5 ETags even then. A plan compares the listed ETag with the one the
  manifest recorded at upload, never with an MD5, so such a site plans clean with no HEAD;
- S3 keeps the SHA-256 checksum it verified at upload and answers it to a HEAD with checksum
  mode (the emulator keeps none for a PUT): an object the manifest does not name but whose
  checksum and headers match the file is adopted, not uploaded again;
- CloudFront answers ``TooManyInvalidationsInProgress`` while 3,000 paths or 15 wildcards are
  in progress (the emulator never does): the invalidation is tried again until it is taken.

The bodies have AWS's shapes (``ListBucketResult`` of the 2006-03-01 namespace, CloudFront's
``ErrorResponse``)."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

from reconciler.apply.guard import Guard
from reconciler.aws.cloudfront import CloudFrontClient
from reconciler.aws.config import RetryPolicy
from reconciler.aws.s3 import S3Client
from reconciler.aws.transport import Transport
from reconciler.kinds.base import (
    ApplyContext,
    Clients,
    KindPlan,
    PlanContext,
    PlanOptions,
    ReadContext,
)
from reconciler.kinds.content.plan import plan_contents
from reconciler.kinds.content.read import read_contents
from reconciler.kinds.content.steps import steps
from reconciler.live.model import LiveState
from reconciler.live.reader import LiveReader
from reconciler.plan.model import Action, AspectChange, ResourceChange
from reconciler.retries import EVENTUAL
from tests.conftest import TEST_CREDENTIALS
from tests.reconcile import spec_file
from tests.stub_server import Answer, Received, stub_server
from tests.test_cloudfront_recorded import NS, error

S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/"
SPEC = """\
version: 1
stack: web
buckets:
  kms-site: {}
distributions:
  cdn:
    origins: [{id: site, bucket: kms-site}]
    default_cache_behavior: {target_origin: site, viewer_protocol_policy: allow-all}
content:
  site:
    bucket: kms-site
    source: ./public
    invalidate: cdn
"""
FILES = {"index.html": b"<h1>kms</h1>", "app.js": b"console.log(1)"}
#: What S3 answers as ETags under SSE-KMS: 32 hex digits that are not the bytes' MD5.
KMS_ETAGS = {
    "index.html": '"a3f1c9e0b2d84f6e9c7b1a0d5e3f2c41"',
    "app.js": '"0d9e8c7b6a5f4e3d2c1b0a9f8e7d6c5b"',
}


def listing(keys: dict[str, tuple[str, int]]) -> bytes:
    contents = "".join(
        f"<Contents><Key>{k}</Key><LastModified>2026-11-21T10:00:00.000Z</LastModified>"
        f"<ETag>{etag}</ETag><Size>{size}</Size><StorageClass>STANDARD</StorageClass>"
        "<ChecksumAlgorithm>SHA256</ChecksumAlgorithm></Contents>"
        for k, (etag, size) in sorted(keys.items())
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="{S3_NS}">'
        f"<Name>kms-site</Name><Prefix></Prefix><KeyCount>{len(keys)}</KeyCount>"
        f"<MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>{contents}</ListBucketResult>"
    ).encode()


def manifest_of(etags: dict[str, str]) -> bytes:
    objects = {
        path: {
            "sha256": hashlib.sha256(FILES[path]).hexdigest(),
            "size": len(FILES[path]),
            "etag": etags[path],
            "headers": {"content_type": ctype},
        }
        for path, ctype in (
            ("index.html", "text/html; charset=utf-8"),
            ("app.js", "text/javascript; charset=utf-8"),
        )
        if path in etags
    }
    body = {"format": 1, "stack": "web", "content": "site", "prefix": "", "objects": objects}
    return json.dumps(body).encode()


def _write_site(tmp_path: Path) -> None:
    (tmp_path / "public").mkdir()
    for path, body in FILES.items():
        (tmp_path / "public" / path).write_bytes(body)


def _plan(tmp_path: Path, stub_url: str) -> KindPlan:
    """The content's plan, read through the stub at ``stub_url``."""
    loaded = spec_file(tmp_path, SPEC)
    transport = Transport(credentials=TEST_CREDENTIALS, retry=RetryPolicy(max_attempts=1))
    s3 = S3Client(transport, region="us-east-1", endpoint_url=stub_url)
    reader = LiveReader(s3)
    context = ReadContext(spec=loaded.spec, covered=frozenset({"site"}))
    live = LiveState({"content": read_contents(s3, context, reader.run)})
    options = PlanOptions(default_region="us-east-1")
    return plan_contents(PlanContext(loaded.spec, live, options, frozenset({"site"})))


def test_kms_etags_that_are_no_md5_plan_clean_without_a_head(tmp_path: Path) -> None:
    _write_site(tmp_path)
    sizes = {p: (KMS_ETAGS[p], len(b)) for p, b in FILES.items()}
    for path, (etag, _) in sizes.items():
        assert etag.strip('"') != hashlib.md5(FILES[path]).hexdigest()

    def route(request: Received) -> Answer:
        if request.path.startswith("/kms-site/.reconciler/content/site.json"):
            return Answer(200, manifest_of(KMS_ETAGS), {"ETag": '"m1"'})
        if request.path.startswith("/kms-site?list-type=2"):
            return Answer(200, listing(sizes))
        return Answer(500, b"unexpected")

    with stub_server(route=route) as stub:
        planned = _plan(tmp_path, stub.url)
    assert planned.changes == []
    assert planned.diagnostics == []
    assert sorted(r.method for r in stub.received) == ["GET", "GET"]


def test_an_object_whose_s3_checksum_matches_is_adopted(tmp_path: Path) -> None:
    _write_site(tmp_path)
    sizes = {p: (KMS_ETAGS[p], len(b)) for p, b in FILES.items()}
    checksum = base64.b64encode(hashlib.sha256(FILES["app.js"]).digest()).decode()

    def route(request: Received) -> Answer:
        if request.path.startswith("/kms-site/.reconciler/content/site.json"):
            return Answer(200, manifest_of({"index.html": KMS_ETAGS["index.html"]}))
        if request.path.startswith("/kms-site?list-type=2"):
            return Answer(200, listing(sizes))
        if request.method == "HEAD" and request.path == "/kms-site/app.js":
            return Answer(
                200,
                FILES["app.js"],  # (a HEAD's body is not sent: its Content-Length is)
                {
                    "ETag": KMS_ETAGS["app.js"],
                    "Content-Type": "text/javascript; charset=utf-8",
                    "x-amz-checksum-sha256": checksum,
                },
            )
        return Answer(500, b"unexpected")

    with stub_server(route=route) as stub:
        planned = _plan(tmp_path, stub.url)
    (change,) = planned.changes
    assert [(a.aspect, a.action) for a in change.aspects] == [
        ('content.site["app.js"]', Action.ADOPT)
    ]
    assert [r.headers.get("x-amz-checksum-mode") for r in stub.received if r.method == "HEAD"] == [
        "ENABLED"
    ]


DIST_LIST = (
    f'<?xml version="1.0"?><DistributionList xmlns="{NS}"><Marker></Marker><MaxItems>100'
    "</MaxItems><IsTruncated>false</IsTruncated><Quantity>1</Quantity><Items>"
    "<DistributionSummary><Id>E1ABCDEF</Id>"
    "<ARN>arn:aws:cloudfront::123456789012:distribution/E1ABCDEF</ARN><Status>Deployed</Status>"
    "<DomainName>d1.cloudfront.net</DomainName><Aliases><Quantity>0</Quantity></Aliases>"
    "<Comment></Comment><Enabled>true</Enabled></DistributionSummary></Items></DistributionList>"
).encode()
TAGS = (
    f'<?xml version="1.0"?><Tags xmlns="{NS}"><Items>'
    "<Tag><Key>reconciler:stack</Key><Value>web</Value></Tag>"
    "<Tag><Key>reconciler:name</Key><Value>cdn</Value></Tag></Items></Tags>"
).encode()
CREATED = (
    f'<?xml version="1.0"?><Invalidation xmlns="{NS}"><Id>I2J3</Id><Status>InProgress</Status>'
    "<CreateTime>2026-11-21T10:00:00Z</CreateTime><InvalidationBatch><Paths><Quantity>1</Quantity>"
    "<Items><Path>/index.html</Path></Items></Paths><CallerReference>r</CallerReference>"
    "</InvalidationBatch></Invalidation>"
).encode()
TOO_MANY = Answer(
    400,
    error(
        "TooManyInvalidationsInProgress",
        "Processing your request will cause you to exceed the maximum number of in-progress "
        "wildcard invalidations.",
    ),
)


def test_too_many_invalidations_in_progress_is_tried_again(tmp_path: Path) -> None:
    _write_site(tmp_path)
    loaded = spec_file(tmp_path, SPEC)
    created: list[Received] = []
    refused = [TOO_MANY, TOO_MANY]

    def route(request: Received) -> Answer:
        if request.path.startswith("/2020-05-31/distribution?"):
            return Answer(200, DIST_LIST)
        if request.path.startswith("/2020-05-31/tagging"):
            return Answer(200, TAGS)
        if request.path.endswith("/invalidation") and request.method == "POST":
            created.append(request)
            return refused.pop() if refused else Answer(201, CREATED)
        if request.path.startswith("/kms-site/.reconciler/content/site.json"):
            if request.method == "GET":
                return Answer(200, manifest_of(KMS_ETAGS))
            return Answer(200, b"", {"ETag": '"m2"'})
        return Answer(500, b"unexpected")

    change = ResourceChange(
        address="content.site",
        kind="content",
        name="site",
        action=Action.UPDATE,
        aspects=(
            AspectChange(
                "invalidation",
                Action.CREATE,
                None,
                {"distribution": "cdn", "paths": ["/index.html"], "batches": 1, "cost": ""},
            ),
        ),
        id="s3://kms-site/",
        live_fingerprint="sha256:abc",
    )
    slept: list[float] = []
    with (
        stub_server(route=route) as stub,
        Transport(credentials=TEST_CREDENTIALS, retry=RetryPolicy(max_attempts=1)) as transport,
    ):
        s3 = S3Client(transport, region="us-east-1", endpoint_url=stub.url)
        cloudfront = CloudFrontClient(transport, endpoint_url=stub.url)
        context = ApplyContext(
            clients=Clients(s3, cloudfront),
            guard=Guard(loaded.spec, default_region="us-east-1"),
            stack="web",
            spec_digest="sha256:x",
            backoff=EVENTUAL,
            sleep=slept.append,
        )
        for step in steps(change, context):
            step.run()
    assert len(created) == 3
    assert len(slept) == 2
    references = {r.body.split(b"<CallerReference>")[1].split(b"<")[0] for r in created}
    assert len(references) == 1  # tried again as the same invalidation, never a second one
    saved = [r for r in stub.received if r.method == "PUT"]
    last = json.loads(saved[-1].body)
    assert "invalidation" not in last  # made: no longer due
    assert json.loads(saved[0].body)["invalidation"]["paths"] == ["/index.html"]

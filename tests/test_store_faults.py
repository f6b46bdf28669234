"""What real S3-compatible stores answer that AWS does not, and what the reconciler makes of it,
each against a small S3 on loopback that answers as Ceph RGW does:

- every ``GET ?replication`` answers ``<ReplicationConfiguration><Role></Role>`` (no rule):
  S3 takes 1 to 1,000 rules, so no rule is no replication (import leaves it out, ``replication:
  false`` plans clean);
- a bucket without ownership controls (the read answers the bucket's listing): import writes
  no ``object_ownership`` beside the ACL;
- a PUT of a configuration RGW does not know answers ``400 InvalidArgument`` with no message,
  where S3 would answer 501: the failed write says the store may not implement that aspect;
- two read failures on one bucket are listed in the same order on every run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reconciler import importer
from reconciler.apply.writes import write_aspect
from reconciler.aspects import registry as aspects
from reconciler.aws.config import RetryPolicy
from reconciler.aws.s3 import S3Client
from reconciler.aws.transport import Transport
from reconciler.errors import ApiError
from reconciler.live.model import LiveBucket, LiveState
from reconciler.spec.loader import load_spec
from tests.conftest import TEST_CREDENTIALS
from tests.stub_server import Answer, Received, s3_error, stub_server
from tests.test_store_compat import NOT_IMPLEMENTED, NS, FakeStore, errors, plan_against

#: What Ceph RGW answers for every bucket's replication, configured or not.
RGW_REPLICATION = b"<ReplicationConfiguration><Role></Role></ReplicationConfiguration>"
#: What Ceph RGW answers for a configuration it does not know (no Message element).
RGW_BAD_REQUEST = (
    b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidArgument</Code>'
    b"<BucketName>faults-a</BucketName><RequestId>tx01</RequestId></Error>"
)


def test_a_replication_configuration_without_rules_reads_as_none() -> None:
    unit = aspects.get("replication")
    read = unit.read(RGW_REPLICATION, address="bucket.faults-a")
    assert read.value is None
    assert unit.never_configured(read.value, None)
    with_rule = (
        f"<ReplicationConfiguration {NS}><Role>arn:aws:iam::1:role/r</Role><Rule><ID>r</ID>"
        "<Status>Enabled</Status><Destination><Bucket>arn:aws:s3:::dst</Bucket></Destination>"
        "</Rule></ReplicationConfiguration>"
    ).encode()
    assert unit.read(with_rule, address="bucket.faults-a").value.rules[0].id == "r"


def test_replication_false_plans_clean_on_such_a_store(tmp_path: Path) -> None:
    store = FakeStore(["faults-a"], {("faults-a", "replication"): Answer(200, RGW_REPLICATION)})
    spec = "version: 1\nstack: faults\nbuckets:\n  faults-a: {replication: false}\n"
    plan, _ = plan_against(store, tmp_path, spec)
    assert errors(plan) == {}
    # Adopted (untagged), with no replication change.
    assert [[a.aspect for a in c.aspects] for c in plan.changes] == [["tags"]]


def rgw_bucket(**aspects_read: Any) -> LiveState:
    """A bucket as import reads it on RGW: no ownership controls, no accelerate, and what
    ``aspects_read`` says (every other aspect not configured)."""
    values: dict[str, Any] = dict.fromkeys(aspects.DECLARABLE)
    del values["object_ownership"], values["accelerate"]
    values |= aspects_read
    lacking = "the endpoint does not implement bucket {} (answered the bucket's listing)"
    return LiveState(
        buckets={
            "faults-a": LiveBucket(
                name="faults-a",
                exists=True,
                region="us-east-1",
                owner_id="owner",
                aspects=values,
                unsupported={
                    "accelerate": lacking.format("accelerate"),
                    "object_ownership": lacking.format("object ownership"),
                },
            )
        }
    )


def test_import_writes_no_ownership_the_store_does_not_implement(tmp_path: Path) -> None:
    decoded = aspects.get("replication").read(RGW_REPLICATION, address="bucket.faults-a").value
    live = rgw_bucket(acl="public-read", replication=decoded, versioning="enabled")
    imported = importer.render(live, importer.ImportRequest(stack="faults", buckets=("faults-a",)))
    assert "bucket.faults-a: left out: the endpoint does not implement bucket object ownership" in (
        "\n".join(imported.notes)
    )
    document = importer.bucket_document("faults-a", live, "faults")
    assert document == {"region": "us-east-1", "acl": "public-read", "versioning": "enabled"}
    path = tmp_path / "imported.yaml"
    path.write_text(imported.text)
    loaded = load_spec([str(path)], cli_vars={}, env={})  # valid: no `replication: {role: ''}`
    assert loaded.spec.buckets["faults-a"].object_ownership is None
    # Where ownership controls were read, the ownership still stands beside the ACL.
    read = rgw_bucket(acl="public-read", object_ownership=None)
    assert importer.bucket_document("faults-a", read, "faults")["object_ownership"] == (
        "ObjectWriter"
    )


def test_two_failures_on_one_bucket_keep_their_order(tmp_path: Path) -> None:
    spec = (
        "version: 1\nstack: faults\nbuckets:\n  faults-a:\n"
        "    lifecycle: [{id: old, filter: {prefix: ''}, expiration: {days: 30}}]\n"
        "    cors: [{allowed_methods: [GET], allowed_origins: ['*']}]\n"
    )
    slow = Answer(NOT_IMPLEMENTED.status, NOT_IMPLEMENTED.body, NOT_IMPLEMENTED.headers, delay=0.3)
    seen = []
    for late in ("cors", "lifecycle"):  # whichever answer comes last
        odd = {("faults-a", "lifecycle"): NOT_IMPLEMENTED, ("faults-a", "cors"): NOT_IMPLEMENTED}
        odd[("faults-a", late)] = slow
        plan, _ = plan_against(FakeStore(["faults-a"], odd), tmp_path, spec)
        seen.append(errors(plan)["bucket.faults-a"])
    assert seen[0] == seen[1]
    assert [m.split(" (")[0] for m in seen[0]] == [
        "the endpoint does not implement bucket cors",
        "the endpoint does not implement bucket lifecycle",
    ]


def put_against(answer: Answer, aspect: str, value: Any) -> ApiError:
    """The error writing ``aspect`` gives when the store answers ``answer`` to the PUT."""

    def route(received: Received) -> Answer:
        if received.method == "GET" and "acl" in received.path:
            owner = f"<AccessControlPolicy {NS}><Owner><ID>o</ID></Owner></AccessControlPolicy>"
            return Answer(200, owner.encode())
        return answer

    with (
        stub_server(route=route) as server,
        Transport(
            credentials=TEST_CREDENTIALS,
            retry=RetryPolicy(max_attempts=3, base_delay=0.001, max_delay=0.002),
        ) as transport,
    ):
        s3 = S3Client(transport, region="us-east-1", endpoint_url=server.url)
        try:
            write_aspect(s3, "faults-a", aspect, value, owner=lambda: "o")
        except ApiError as exc:
            return exc
    raise AssertionError("the write did not fail")


def test_a_bare_invalid_argument_on_a_configuration_write_says_the_store_may_lack_it() -> None:
    failed = put_against(Answer(400, RGW_BAD_REQUEST), "object_ownership", "BucketOwnerPreferred")
    assert str(failed).startswith(
        "bucket.faults-a: InvalidArgument: PutBucketOwnershipControls: Bad Request; the store may "
        "not implement bucket object ownership (it gave no reason): remove `object_ownership` "
        "from this bucket or use a store that has it (HTTP 400, request id tx01)"
    )
    # As a 501 does on a write (and on a read).
    failed = put_against(NOT_IMPLEMENTED, "encryption", {"algorithm": "AES256"})
    assert "; the endpoint does not implement bucket encryption (NotImplemented, HTTP 501): " in (
        str(failed)
    )
    assert "remove `encryption` from this bucket" in str(failed)
    # An InvalidArgument that gives its reason is that reason alone.
    named = Answer(400, s3_error("InvalidArgument", "Invalid group uri"))
    failed = put_against(named, "acl", "log-delivery-write")
    assert "Invalid group uri" in str(failed)
    assert "may not implement" not in str(failed)


def test_the_warnings_hold_on_every_store_and_for_destroy(tmp_path: Path) -> None:
    path = tmp_path / "reconciler.yaml"
    path.write_text(
        "version: 1\nstack: faults\nbuckets:\n  faults-a: {acl: public-read, force_destroy: true}\n"
    )
    warnings = [str(w) for w in load_spec([str(path)], cli_vars={}, env={}).warnings]
    assert warnings == [
        f"{path}:4:19: warning: buckets.faults-a.acl: on AWS, new buckets default to "
        "object_ownership BucketOwnerEnforced, which refuses this ACL: declare object_ownership: "
        "BucketOwnerPreferred or ObjectWriter (on a store without ownership controls, leave "
        "both as they are)",
        f"{path}:4:47: warning: buckets.faults-a.force_destroy: force_destroy has effect only "
        "when the bucket is deleted (state: absent, or destroy)",
    ]

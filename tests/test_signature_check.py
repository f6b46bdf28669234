"""Signatures checked by a server: moto with authentication on (INITIAL_NO_AUTH_ACTION_COUNT)
accepts every S3 operation of the client signed with an IAM user's real secret, and rejects each
one with SignatureDoesNotMatch when the secret is wrong.

Presigned URLs are not checked here: moto's authenticating mode answers any query-signed request
(boto3's own included) with a 500. They are fetched from the plain emulator in test_s3_client, and
their signature is pinned against botocore's in test_signing. Nor are session tokens: moto's S3
authentication knows IAM access keys only; test_signing pins token signing against botocore."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import partial

import boto3
import pytest

from reconciler.aws.config import RetryPolicy
from reconciler.aws.s3 import S3Client
from reconciler.aws.signing import Credentials
from reconciler.aws.transport import Transport
from reconciler.emulator import emulator_process
from reconciler.errors import Forbidden, SignatureDoesNotMatch
from reconciler.kinds.bucket.aspects import registry as aspects
from tests import aspect_samples

# The unauthenticated IAM calls that set the user up: create user, policy, attachment, key.
SETUP_ACTIONS = 4


@pytest.fixture(scope="module")
def checking_server() -> Iterator[tuple[str, Credentials]]:
    with emulator_process({"INITIAL_NO_AUTH_ACTION_COUNT": str(SETUP_ACTIONS)}) as url:
        iam = boto3.client(
            "iam",
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id="setup",
            aws_secret_access_key="setup",
        )
        iam.create_user(UserName="reconciler-test")
        policy = iam.create_policy(
            PolicyName="s3-all",
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
                }
            ),
        )
        iam.attach_user_policy(UserName="reconciler-test", PolicyArn=policy["Policy"]["Arn"])
        key = iam.create_access_key(UserName="reconciler-test")["AccessKey"]
        yield url, Credentials(key["AccessKeyId"], key["SecretAccessKey"])


def _client(url: str, credentials: Credentials) -> S3Client:
    transport = Transport(credentials=credentials, retry=RetryPolicy(max_attempts=1))
    return S3Client(transport, region="us-east-1", endpoint_url=url)


BUCKET = "signed-bucket"


def _aspect_operations(s3: S3Client) -> list[tuple[str, Callable[[], object]]]:
    """Every aspect's read, write and removal, through its unit as a plan and an apply do."""
    found: list[tuple[str, Callable[[], object]]] = []
    for unit in aspects.ASPECTS:
        key = unit.key
        if key in aspect_samples.MOTO_LACKS:
            continue  # the operations moto lacks cannot show a signature check
        value = aspect_samples.sample(key, BUCKET)
        if key == "logging":
            value = {**value, "target_bucket": "signed-logs"}
        if key == "notifications":  # its targets must be in the bucket's region
            value = json.loads(json.dumps(value).replace(":us-east-1:", ":eu-west-1:"))
        if key == "replication":
            destination = {**value["rules"][0]["destination"], "bucket": "signed-logs"}
            value = {**value, "rules": [{**value["rules"][0], "destination": destination}]}
        found.append((f"{key}: write", partial(aspect_samples.put, s3, BUCKET, key, value)))
        found.append((f"{key}: read", partial(aspect_samples.get, s3, BUCKET, key)))
        if aspect_samples.removable(key):
            found.append((f"{key}: remove", partial(aspect_samples.remove, s3, BUCKET, key)))
    return found


def _operations(s3: S3Client) -> list[tuple[str, Callable[[], object]]]:
    """Every S3 operation of the client, in an order that works on a fresh bucket."""
    return [
        ("create_bucket", lambda: s3.create_bucket(BUCKET, region="eu-west-1")),
        ("create_bucket (log target)", lambda: s3.create_bucket("signed-logs", region="eu-west-1")),
        ("list_buckets", s3.list_buckets),
        ("get_bucket_location", lambda: s3.get_bucket_location(BUCKET)),
        (
            "acl (log target)",
            lambda: aspect_samples.put(s3, "signed-logs", "acl", "log-delivery-write"),
        ),
        *_aspect_operations(s3),
        ("put_object", lambda: s3.put_object(BUCKET, "dir/a b+c.txt", b"signed body")),
        ("get_object", lambda: s3.get_object(BUCKET, "dir/a b+c.txt")),
        ("list_objects", lambda: list(s3.list_objects(BUCKET, prefix="dir/"))),
        ("list_object_versions", lambda: list(s3.list_object_versions(BUCKET))),
        ("delete_object", lambda: s3.delete_object(BUCKET, "dir/a b+c.txt")),
        (
            "delete_objects",
            lambda: s3.delete_objects(
                BUCKET, [(v.key, v.version_id) for v in s3.list_object_versions(BUCKET)]
            ),
        ),
        ("delete_bucket", lambda: s3.delete_bucket(BUCKET)),
    ]


HEAD_OPERATIONS = ["head_bucket", "head_object"]


def test_every_operation_is_accepted_with_the_right_secret_and_refused_with_a_wrong_one(
    checking_server: tuple[str, Credentials],
) -> None:
    url, credentials = checking_server
    good = _client(url, credentials)
    bad = _client(url, Credentials(credentials.access_key_id, "not-the-secret"))
    refused: list[str] = []
    for name, operation in _operations(good):
        # the wrong secret first, against the state the right one is about to act on
        bad_operation = dict(_operations(bad))[name]
        with pytest.raises(SignatureDoesNotMatch) as caught:
            bad_operation()
        assert caught.value.status == 403
        refused.append(name)
        operation()  # raises if the server refuses the right signature
        if name == "put_object":
            assert good.head_object(BUCKET, "dir/a b+c.txt") is not None
            assert good.head_bucket(BUCKET) is not None
            with pytest.raises(Forbidden):  # HEAD answers carry no body: the status tells
                bad.head_object(BUCKET, "dir/a b+c.txt")
            head = bad.head_bucket(BUCKET)
            assert head is not None
            assert head.accessible is False
    assert len(refused) == len(_operations(good))
    assert good.head_bucket(BUCKET) is None

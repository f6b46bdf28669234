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
from datetime import date

import boto3
import pytest

from reconciler.aws.config import RetryPolicy
from reconciler.aws.s3 import S3Client
from reconciler.aws.s3_types import (
    CorsRule,
    EncryptionRule,
    Expiration,
    LifecycleFilter,
    LifecycleRule,
    LoggingConfig,
    PublicAccessBlock,
    Versioning,
    Website,
)
from reconciler.aws.signing import Credentials
from reconciler.aws.transport import Transport
from reconciler.emulator import emulator_process
from reconciler.errors import Forbidden, SignatureDoesNotMatch

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


def _operations(s3: S3Client) -> list[tuple[str, Callable[[], object]]]:
    """Every S3 operation of the client, in an order that works on a fresh bucket."""
    return [
        ("create_bucket", lambda: s3.create_bucket(BUCKET, region="eu-west-1")),
        ("create_bucket (log target)", lambda: s3.create_bucket("signed-logs", region="eu-west-1")),
        ("list_buckets", s3.list_buckets),
        ("get_bucket_location", lambda: s3.get_bucket_location(BUCKET)),
        ("get_bucket_acl", lambda: s3.get_bucket_acl(BUCKET)),
        ("put_bucket_acl", lambda: s3.put_bucket_acl(BUCKET, canned="private")),
        (
            "put_bucket_acl (log target)",
            lambda: s3.put_bucket_acl("signed-logs", canned="log-delivery-write"),
        ),
        ("put_bucket_tagging", lambda: s3.put_bucket_tagging(BUCKET, {"a": "b"})),
        ("get_bucket_tagging", lambda: s3.get_bucket_tagging(BUCKET)),
        ("delete_bucket_tagging", lambda: s3.delete_bucket_tagging(BUCKET)),
        (
            "put_bucket_lifecycle",
            lambda: s3.put_bucket_lifecycle(
                BUCKET,
                (
                    LifecycleRule(
                        id="r",
                        filter=LifecycleFilter(prefix="p/"),
                        expiration=Expiration(date=date(2030, 1, 1)),
                    ),
                ),
            ),
        ),
        ("get_bucket_lifecycle", lambda: s3.get_bucket_lifecycle(BUCKET)),
        ("delete_bucket_lifecycle", lambda: s3.delete_bucket_lifecycle(BUCKET)),
        (
            "put_bucket_logging",
            lambda: s3.put_bucket_logging(BUCKET, LoggingConfig("signed-logs", "x/")),
        ),
        ("get_bucket_logging", lambda: s3.get_bucket_logging(BUCKET)),
        ("delete_bucket_logging", lambda: s3.delete_bucket_logging(BUCKET)),
        ("put_bucket_versioning", lambda: s3.put_bucket_versioning(BUCKET, Versioning("Enabled"))),
        ("get_bucket_versioning", lambda: s3.get_bucket_versioning(BUCKET)),
        (
            "put_bucket_policy",
            lambda: s3.put_bucket_policy(
                BUCKET,
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:PutObject",
                            "Resource": f"arn:aws:s3:::{BUCKET}/blocked/*",
                        }
                    ],
                },
            ),
        ),
        ("get_bucket_policy", lambda: s3.get_bucket_policy(BUCKET)),
        ("delete_bucket_policy", lambda: s3.delete_bucket_policy(BUCKET)),
        (
            "put_public_access_block",
            lambda: s3.put_public_access_block(BUCKET, PublicAccessBlock(True, True, True, True)),
        ),
        ("get_public_access_block", lambda: s3.get_public_access_block(BUCKET)),
        ("delete_public_access_block", lambda: s3.delete_public_access_block(BUCKET)),
        (
            "put_bucket_encryption",
            lambda: s3.put_bucket_encryption(BUCKET, (EncryptionRule("AES256"),)),
        ),
        ("get_bucket_encryption", lambda: s3.get_bucket_encryption(BUCKET)),
        ("delete_bucket_encryption", lambda: s3.delete_bucket_encryption(BUCKET)),
        (
            "put_bucket_cors",
            lambda: s3.put_bucket_cors(BUCKET, (CorsRule(("GET",), ("*",), max_age_seconds=5),)),
        ),
        ("get_bucket_cors", lambda: s3.get_bucket_cors(BUCKET)),
        ("delete_bucket_cors", lambda: s3.delete_bucket_cors(BUCKET)),
        (
            "put_bucket_website",
            lambda: s3.put_bucket_website(BUCKET, Website(index_document="index.html")),
        ),
        ("get_bucket_website", lambda: s3.get_bucket_website(BUCKET)),
        ("delete_bucket_website", lambda: s3.delete_bucket_website(BUCKET)),
        (
            "put_bucket_ownership_controls",
            lambda: s3.put_bucket_ownership_controls(BUCKET, "BucketOwnerPreferred"),
        ),
        ("get_bucket_ownership_controls", lambda: s3.get_bucket_ownership_controls(BUCKET)),
        ("delete_bucket_ownership_controls", lambda: s3.delete_bucket_ownership_controls(BUCKET)),
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

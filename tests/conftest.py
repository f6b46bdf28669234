"""Shared fixtures: the emulator runs as a real HTTP server on a loopback port, and the client
under test talks to it over the wire exactly as it talks to AWS."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from reconciler.aws.config import RetryPolicy
from reconciler.aws.s3 import S3Client
from reconciler.aws.signing import Credentials
from reconciler.aws.transport import Transport
from reconciler.emulator import embedded_emulator, reset_emulator
from tests.ceph import rgw  # noqa: F401 - Ceph RGW, a session fixture for the tests/test_ceph_*

TEST_CREDENTIALS = Credentials("AKIDTESTING", "test-secret-not-real")

# No test may look for the EC2 instance metadata service at its link-local address: the tests
# that exercise it set AWS_EC2_METADATA_SERVICE_ENDPOINT to a server of their own on loopback.
# Set for the whole run, so the command-line processes the tests start inherit it too.
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"


@pytest.fixture(scope="session")
def emulator() -> Iterator[str]:
    with embedded_emulator() as endpoint:
        yield endpoint


@pytest.fixture
def endpoint(emulator: str) -> str:
    """A freshly reset emulator for each test."""
    reset_emulator(emulator)
    return emulator


@pytest.fixture
def transport() -> Iterator[Transport]:
    with Transport(
        credentials=TEST_CREDENTIALS,
        retry=RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05),
    ) as shared:
        yield shared


@pytest.fixture
def s3(endpoint: str, transport: Transport) -> S3Client:
    return S3Client(transport, region="us-east-1", endpoint_url=endpoint)


def _boto(service: str, endpoint: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIDTESTING",
        aws_secret_access_key="test-secret-not-real",
    )


@pytest.fixture
def boto_s3(endpoint: str) -> Any:
    """boto3 as an independent reader of what the client wrote."""
    return _boto("s3", endpoint)


@pytest.fixture
def boto_cloudfront(endpoint: str) -> Any:
    """boto3's CloudFront client, an independent reader of distributions."""
    return _boto("cloudfront", endpoint)

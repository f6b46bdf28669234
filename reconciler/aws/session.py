"""One place that turns resolved options into ready clients: credentials, a transport sized
for the worker pool, and the S3 and CloudFront clients with their endpoints."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from reconciler.aws.cloudfront import CloudFrontClient
from reconciler.aws.config import ClientConfig
from reconciler.aws.credentials import resolve_credentials
from reconciler.aws.s3 import S3Client
from reconciler.aws.signing import Credentials
from reconciler.aws.transport import Transport


@dataclass(frozen=True)
class Session:
    config: ClientConfig
    transport: Transport
    s3: S3Client
    cloudfront: CloudFrontClient


@contextmanager
def open_session(
    config: ClientConfig,
    *,
    env: Mapping[str, str],
    profile: str | None = None,
    credentials: Credentials | None = None,
) -> Iterator[Session]:
    found = credentials or resolve_credentials(env=env, profile=profile)
    with Transport(
        credentials=found,
        pool_size=config.parallelism,
        timeouts=config.timeouts,
        retry=config.retry,
        ca_bundle=config.ca_bundle,
    ) as transport:
        s3 = S3Client(transport, region=config.region, endpoint_url=config.endpoint("s3"))
        cloudfront = CloudFrontClient(transport, endpoint_url=config.endpoint("cloudfront"))
        yield Session(config=config, transport=transport, s3=s3, cloudfront=cloudfront)

"""One place that turns resolved options into ready clients: credentials, a transport sized
for the worker pool, and the S3 and CloudFront clients with their endpoints."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from reconciler.aws.cloudfront import CloudFrontClient
from reconciler.aws.config import ClientConfig
from reconciler.aws.credentials.chain import resolve_provider
from reconciler.aws.credentials.context import Prompt, SourceContext
from reconciler.aws.credentials.provider import CredentialProvider
from reconciler.aws.loop import Driver
from reconciler.aws.profiles import SharedFiles
from reconciler.aws.s3 import S3Client
from reconciler.aws.signing import Credentials
from reconciler.aws.transport import Transport


@dataclass(frozen=True)
class Session:
    config: ClientConfig
    transport: Transport
    s3: S3Client
    cloudfront: CloudFrontClient
    #: The event loop every request of the session goes through.
    driver: Driver


@contextmanager
def open_session(
    config: ClientConfig,
    *,
    env: Mapping[str, str],
    profile: str | None = None,
    credentials: Credentials | CredentialProvider | None = None,
    prompt: Prompt | None = None,
) -> Iterator[Session]:
    # One driver for every request: the reads, the writes and the credential sources' calls.
    driver = Driver(size=config.parallelism)
    sources = SourceContext(
        env=env,
        files=SharedFiles.from_environment(env),
        region=config.region,
        sts_url=config.endpoint("sts"),
        sso_url=config.endpoint("sso"),
        prompt=prompt,
        ca_bundle=config.ca_bundle,
        driver=driver,
        bounds=config.bounds,
    )
    try:
        found = credentials or resolve_provider(sources, profile=profile)
        with Transport(
            credentials=found,
            pool_size=config.parallelism,
            timeouts=config.timeouts,
            retry=config.retry,
            ca_bundle=config.ca_bundle,
            bounds=config.bounds,
            driver=driver,
        ) as transport:
            s3 = S3Client(
                transport,
                region=config.region,
                endpoint_url=config.endpoint("s3"),
                addressing_style=config.addressing_style,
            )
            cloudfront = CloudFrontClient(transport, endpoint_url=config.endpoint("cloudfront"))
            yield Session(
                config=config, transport=transport, s3=s3, cloudfront=cloudfront, driver=driver
            )
    finally:
        sources.close()
        driver.close()

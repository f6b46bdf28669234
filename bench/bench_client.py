"""Benchmark of the internal AWS client: the signer alone, then requests against the emulator
(in its own process) over loopback, sequential and on a thread pool. Prints its figures; asserts
nothing. The emulator is the slow side here: the figures bound the client from below.

    .venv/bin/python bench/bench_client.py [--requests N] [--parallelism P]
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from reconciler.aws.s3 import S3Client
from reconciler.aws.signing import Credentials, SigV4Signer, payload_sha256
from reconciler.aws.transport import Transport
from reconciler.emulator import emulator_process
from reconciler.kinds.bucket.aspects.registry import TAGS
from reconciler.kinds.bucket.read import read_aspect
from reconciler.kinds.bucket.writes import write_aspect

CREDENTIALS = Credentials("AKIDBENCH", "bench-secret")


def bench_signer(count: int) -> None:
    signer = SigV4Signer(service="s3", clock=lambda: datetime(2026, 1, 1, tzinfo=UTC))
    body_hash = payload_sha256(b"<Tagging/>")
    started = time.perf_counter()
    for i in range(count):
        signer.sign(
            credentials=CREDENTIALS,
            region="eu-west-1",
            method="PUT",
            host="bucket.s3.eu-west-1.amazonaws.com",
            path=f"/objects/{i}",
            query=[("tagging", "")],
            headers={"content-type": "application/xml"},
            payload_hash=body_hash,
        )
    elapsed = time.perf_counter() - started
    print(
        f"signer: {count} signatures in {elapsed:.3f} s = {count / elapsed:,.0f} per second "
        f"({elapsed / count * 1e6:.1f} us each)"
    )


def bench_requests(count: int, parallelism: int) -> None:
    with (
        emulator_process() as endpoint,
        Transport(credentials=CREDENTIALS, pool_size=parallelism) as transport,
    ):
        s3 = S3Client(transport, region="us-east-1", endpoint_url=endpoint)
        buckets = [f"bench-{i:03d}" for i in range(20)]
        for name in buckets:
            s3.create_bucket(name, region="us-east-1")
            write_aspect(s3, name, TAGS.key, {"reconciler:stack": "bench"}, owner=lambda: "")
        sent_before = transport.requests_sent

        started = time.perf_counter()
        for i in range(count):
            read_aspect(s3, buckets[i % len(buckets)], TAGS)
        sequential = time.perf_counter() - started

        started = time.perf_counter()
        with ThreadPoolExecutor(parallelism) as pool:
            list(pool.map(lambda i: read_aspect(s3, buckets[i % len(buckets)], TAGS), range(count)))
        parallel = time.perf_counter() - started

        sent = transport.requests_sent - sent_before
        reference = _boto3_reference(endpoint, buckets, count)
        print(
            f"emulator: {count} GetBucketTagging sequentially in {sequential:.2f} s "
            f"= {count / sequential:,.0f} requests/s"
        )
        print(
            f"emulator: {count} GetBucketTagging on {parallelism} threads in {parallel:.2f} s "
            f"= {count / parallel:,.0f} requests/s"
        )
        print(f"requests sent: {sent} (expected {2 * count}: no retries)")
        if reference is not None:
            print(
                f"reference: boto3, same {count} calls sequentially in {reference:.2f} s "
                f"= {count / reference:,.0f} requests/s"
            )


def _boto3_reference(endpoint: str, buckets: list[str], count: int) -> float | None:
    """boto3 against the same server, when it is installed (a dev dependency only)."""
    try:
        import boto3  # noqa: PLC0415
    except ImportError:
        return None
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=CREDENTIALS.access_key_id,
        aws_secret_access_key=CREDENTIALS.secret_access_key,
    )
    started = time.perf_counter()
    for i in range(count):
        client.get_bucket_tagging(Bucket=buckets[i % len(buckets)])
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--signatures", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=1_000)
    parser.add_argument("--parallelism", type=int, default=16)
    args = parser.parse_args()
    bench_signer(args.signatures)
    bench_requests(args.requests, args.parallelism)


if __name__ == "__main__":
    main()

"""A synthetic S3 endpoint for benchmarks: asyncio on loopback, a fixed latency added to every
answer (what a CI runner sees talking to S3), persistent HTTP/1.1 connections, and for every
bucket a configuration equal to the bench spec (`bench_spec_text`), so a plan of it changes
nothing. It answers the reads a plan makes, and "not configured" for every other aspect (what an
import reads), counts requests by kind, and refuses writes unless told to accept them (to
measure an apply; nothing is stored).

    python bench/synthetic_s3.py PORT BUCKETS LATENCY_MS [--writable] [--tls CERT KEY]

runs until terminated; with ``--tls``, over HTTPS with that certificate and key.

The counts are printed as JSON on SIGTERM (and served at GET /__counts).
"""

from __future__ import annotations

import asyncio
import json
import signal
import ssl
import sys
from collections import Counter
from urllib.parse import parse_qsl, urlsplit

NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'
STACK = "bench-latency"
REGION = "us-east-1"


def bucket_name(index: int) -> str:
    return f"bench-lat-{index:05d}"


def bench_spec_text(count: int) -> str:
    """The spec whose every bucket the endpoint answers exactly (six aspects: tags and five)."""
    head = f"version: 1\nstack: {STACK}\nbuckets:\n"
    body = "".join(
        f"  {bucket_name(i)}:\n"
        f"    region: {REGION}\n"
        f"    tags: {{team: data, index: '{i}'}}\n"
        "    versioning: enabled\n"
        "    public_access_block: {block_public_acls: true, ignore_public_acls: true,"
        " block_public_policy: true, restrict_public_buckets: true}\n"
        "    encryption: {algorithm: AES256}\n"
        "    lifecycle: [{id: expire, filter: {prefix: tmp/}, expiration: {days: 30}}]\n"
        "    cors: [{allowed_methods: [GET], allowed_origins: ['https://example.com']}]\n"
        for i in range(count)
    )
    return head + body


def _xml(body: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?>' + body).encode()


def _tagging(index: int) -> bytes:
    tags = {"team": "data", "index": str(index), "reconciler:stack": STACK}
    items = "".join(f"<Tag><Key>{k}</Key><Value>{v}</Value></Tag>" for k, v in tags.items())
    return _xml(f"<Tagging {NS}><TagSet>{items}</TagSet></Tagging>")


ANSWERS = {
    "versioning": _xml(f"<VersioningConfiguration {NS}><Status>Enabled</Status>"
                       "</VersioningConfiguration>"),
    "publicAccessBlock": _xml(
        f"<PublicAccessBlockConfiguration {NS}><BlockPublicAcls>true</BlockPublicAcls>"
        "<IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy>"
        "<RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>"
    ),
    "encryption": _xml(
        f"<ServerSideEncryptionConfiguration {NS}><Rule><ApplyServerSideEncryptionByDefault>"
        "<SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault>"
        "<BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>"
    ),
    "lifecycle": _xml(
        f"<LifecycleConfiguration {NS}><Rule><ID>expire</ID><Filter><Prefix>tmp/</Prefix>"
        "</Filter><Status>Enabled</Status><Expiration><Days>30</Days></Expiration></Rule>"
        "</LifecycleConfiguration>"
    ),
    "cors": _xml(
        f"<CORSConfiguration {NS}><CORSRule><AllowedMethod>GET</AllowedMethod>"
        "<AllowedOrigin>https://example.com</AllowedOrigin></CORSRule></CORSConfiguration>"
    ),
}  # fmt: skip

#: What S3 answers for an aspect nobody configured (the status, and the body).
UNCONFIGURED: dict[str, tuple[int, bytes]] = {
    "acl": (200, _xml(
        f"<AccessControlPolicy {NS}><Owner><ID>bench</ID></Owner><AccessControlList><Grant>"
        '<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:type="CanonicalUser"><ID>bench</ID></Grantee><Permission>FULL_CONTROL</Permission>'
        "</Grant></AccessControlList></AccessControlPolicy>")),
    "policy": (404, _xml("<Error><Code>NoSuchBucketPolicy</Code><Message>-</Message></Error>")),
    "ownershipControls": (404, _xml(
        "<Error><Code>OwnershipControlsNotFoundError</Code><Message>-</Message></Error>")),
    "website": (404, _xml(
        "<Error><Code>NoSuchWebsiteConfiguration</Code><Message>-</Message></Error>")),
    "logging": (200, _xml(f"<BucketLoggingStatus {NS}/>")),
    "accelerate": (200, _xml(f"<AccelerateConfiguration {NS}/>")),
    "requestPayment": (200, _xml(
        f"<RequestPaymentConfiguration {NS}><Payer>BucketOwner</Payer>"
        "</RequestPaymentConfiguration>")),
    "object-lock": (404, _xml(
        "<Error><Code>ObjectLockConfigurationNotFoundError</Code><Message>-</Message></Error>")),
    "replication": (404, _xml(
        "<Error><Code>ReplicationConfigurationNotFoundError</Code><Message>-</Message></Error>")),
    "notification": (200, _xml(f"<NotificationConfiguration {NS}/>")),
    "intelligent-tiering": (200, _xml(
        f"<ListBucketIntelligentTieringConfigurationsOutput {NS}><IsTruncated>false"
        "</IsTruncated></ListBucketIntelligentTieringConfigurationsOutput>")),
    "inventory": (200, _xml(
        f"<ListInventoryConfigurationsResult {NS}><IsTruncated>false</IsTruncated>"
        "</ListInventoryConfigurationsResult>")),
    "metrics": (200, _xml(
        f"<ListMetricsConfigurationsResult {NS}><IsTruncated>false</IsTruncated>"
        "</ListMetricsConfigurationsResult>")),
    "analytics": (200, _xml(
        f"<ListBucketAnalyticsConfigurationResult {NS}><IsTruncated>false</IsTruncated>"
        "</ListBucketAnalyticsConfigurationResult>")),
}  # fmt: skip


class Endpoint:
    def __init__(self, count: int, latency: float, *, writable: bool = False) -> None:
        self.count = count
        self.latency = latency
        self.writable = writable
        self.counts: Counter[str] = Counter()
        names = "".join(
            f"<Bucket><Name>{bucket_name(i)}</Name><CreationDate>2026-01-01T00:00:00.000Z"
            f"</CreationDate><BucketRegion>{REGION}</BucketRegion></Bucket>"
            for i in range(count)
        )
        self.listing = _xml(
            f"<ListAllMyBucketsResult {NS}><Owner><ID>bench</ID></Owner><Buckets>{names}"
            "</Buckets></ListAllMyBucketsResult>"
        )

    def answer(self, method: str, target: str) -> tuple[int, bytes]:
        parts = urlsplit(target)
        if parts.path == "/__counts":
            return 200, json.dumps(self.counts).encode()
        if method not in ("GET", "HEAD"):
            if self.writable:
                self.counts["write"] += 1
                return 200, b""
            self.counts["refused write"] += 1
            return 403, _xml("<Error><Code>AccessDenied</Code><Message>no writes</Message></Error>")
        bucket = parts.path.strip("/").split("/", 1)[0]
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        if not bucket:
            self.counts["ListBuckets"] += 1
            return 200, self.listing
        if method == "HEAD":
            self.counts["HeadBucket"] += 1
            return 200, b""
        sub = next((k for k in query if k in ANSWERS or k in UNCONFIGURED or k == "tagging"), "")
        self.counts[sub or "other"] += 1
        if sub == "tagging":
            return 200, _tagging(int(bucket.rsplit("-", 1)[1]))
        if sub in UNCONFIGURED:
            return UNCONFIGURED[sub]
        if sub:
            return 200, ANSWERS[sub]
        return 404, _xml("<Error><Code>NoSuchKey</Code><Message>nothing</Message></Error>")

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                method, target, _ = line.decode("latin-1").split(" ", 2)
                length = 0
                while True:
                    header = await reader.readline()
                    if header in (b"\r\n", b"\n", b""):
                        break
                    name, _, value = header.decode("latin-1").partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value.strip())
                if length:
                    await reader.readexactly(length)
                status, body = self.answer(method, target)
                await asyncio.sleep(self.latency)
                head = (
                    f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\n"
                    f"Content-Length: {len(body)}\r\nContent-Type: application/xml\r\n"
                    "x-amz-request-id: BENCH\r\n\r\n"
                )
                writer.write(head.encode() + (b"" if method == "HEAD" else body))
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        except asyncio.CancelledError:
            return  # the endpoint is stopping; the client's connection goes with it
        finally:
            writer.close()


async def main(
    port: int, count: int, latency_ms: float, writable: bool, tls: list[str] | None
) -> None:
    endpoint = Endpoint(count, latency_ms / 1000, writable=writable)
    context = None
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls[0], tls[1])
    server = await asyncio.start_server(
        endpoint.serve, "127.0.0.1", port, backlog=1024, ssl=context
    )
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("ready", flush=True)
    async with server:
        await stop.wait()
    print(json.dumps(endpoint.counts), flush=True)


if __name__ == "__main__":
    tls = sys.argv[sys.argv.index("--tls") + 1 :][:2] if "--tls" in sys.argv else None
    asyncio.run(
        main(int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), "--writable" in sys.argv, tls)
    )

"""A synthetic S3 endpoint holding objects, for the content benchmark: asyncio on loopback, a fixed
latency added to every answer, persistent HTTP/1.1 connections, one bucket (tagged as the
bench's stack) whose objects are kept in memory: ListObjectsV2 in pages of 1,000, GET, HEAD,
PUT (a copy too), DeleteObjects. Requests are counted by operation.

    python bench/synthetic_content.py PORT LATENCY_MS

runs until terminated; the counts are served at GET /__counts (and reset by GET /__reset).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import signal
import sys
from collections import Counter
from datetime import UTC, datetime
from urllib.parse import parse_qsl, unquote, urlsplit
from xml.sax.saxutils import escape

NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'
BUCKET = "bench-content-site"
STACK = "bench-content"
PAGE = 1000


def _xml(body: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?>' + body).encode()


class Store:
    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.objects: dict[str, tuple[bytes, str, dict[str, str], str]] = {}
        self.counts: Counter[str] = Counter()

    def listing(self, query: dict[str, str]) -> bytes:
        prefix = query.get("prefix", "")
        keys = sorted(k for k in self.objects if k.startswith(prefix))
        start = query.get("continuation-token") or query.get("start-after") or ""
        keys = [k for k in keys if k > start]
        page, rest = keys[:PAGE], keys[PAGE:]
        items = "".join(
            f"<Contents><Key>{escape(k)}</Key><LastModified>{self.objects[k][3]}</LastModified>"
            f"<ETag>{self.objects[k][1]}</ETag><Size>{len(self.objects[k][0])}</Size>"
            "<StorageClass>STANDARD</StorageClass></Contents>"
            for k in page
        )
        more = f"<NextContinuationToken>{escape(page[-1])}</NextContinuationToken>" if rest else ""
        return _xml(
            f"<ListBucketResult {NS}><Name>{BUCKET}</Name><Prefix>{escape(prefix)}</Prefix>"
            f"<KeyCount>{len(page)}</KeyCount><MaxKeys>{PAGE}</MaxKeys>"
            f"<IsTruncated>{'true' if rest else 'false'}</IsTruncated>{items}{more}"
            "</ListBucketResult>"
        )

    def answer(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, bytes, dict[str, str]]:
        parts = urlsplit(target)
        if parts.path == "/__counts":
            return 200, json.dumps(self.counts).encode(), {}
        if parts.path == "/__reset":
            self.counts.clear()
            return 200, b"", {}
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        bucket, _, key = parts.path.lstrip("/").partition("/")
        key = unquote(key)
        if not bucket:
            self.counts["ListBuckets"] += 1
            return (
                200,
                _xml(
                    f"<ListAllMyBucketsResult {NS}><Owner><ID>bench</ID></Owner><Buckets><Bucket>"
                    f"<Name>{BUCKET}</Name><CreationDate>2026-01-01T00:00:00.000Z</CreationDate>"
                    "<BucketRegion>us-east-1</BucketRegion></Bucket></Buckets>"
                    "</ListAllMyBucketsResult>"
                ),
                {},
            )
        if not key:
            if "tagging" in query:
                self.counts["GetBucketTagging"] += 1
                return (
                    200,
                    _xml(
                        f"<Tagging {NS}><TagSet><Tag><Key>reconciler:stack</Key><Value>{STACK}"
                        "</Value></Tag></TagSet></Tagging>"
                    ),
                    {},
                )
            if "list-type" in query:
                self.counts["ListObjectsV2"] += 1
                return 200, self.listing(query), {}
            if "delete" in query and method == "POST":
                self.counts["DeleteObjects"] += 1
                for found in re.findall(rb"<Key>(.*?)</Key>", body):
                    self.objects.pop(found.decode(), None)
                return 200, _xml(f"<DeleteResult {NS}></DeleteResult>"), {}
            if method == "HEAD":
                self.counts["HeadBucket"] += 1
                return 200, b"", {"x-amz-bucket-region": "us-east-1"}
            self.counts["other"] += 1
            return 404, _xml("<Error><Code>NoSuchKey</Code></Error>"), {}
        if method == "PUT":
            self.counts["PutObject"] += 1
            served = ("content-", "cache-", "x-amz-meta-")
            kept = {k: v for k, v in headers.items() if k.startswith(served)}
            etag = f'"{hashlib.md5(body, usedforsecurity=False).hexdigest()}"'
            now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            self.objects[key] = (body, etag, kept, now)
            return 200, b"", {"ETag": etag}
        found = self.objects.get(key)
        if found is None:
            self.counts["missing"] += 1
            missing = "<Error><Code>NoSuchKey</Code><Message>no such key</Message></Error>"
            return 404, _xml(missing), {}
        self.counts["HeadObject" if method == "HEAD" else "GetObject"] += 1
        data, etag, kept, _ = found
        return 200, data, {"ETag": etag, **kept}

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                method, target, _ = line.decode("latin-1").split(" ", 2)
                headers: dict[str, str] = {}
                while True:
                    header = await reader.readline()
                    if header in (b"\r\n", b"\n", b""):
                        break
                    name, _, value = header.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length") or 0)
                if headers.get("expect", "").lower() == "100-continue":
                    writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")  # (boto3 waits for it)
                    await writer.drain()
                body = await reader.readexactly(length) if length else b""
                status, answer, extra = self.answer(method, target, headers, body)
                await asyncio.sleep(self.latency)
                extra.setdefault("content-type", "application/xml")
                lines = "".join(f"{k}: {v}\r\n" for k, v in extra.items())
                head = (
                    f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\n"
                    f"Content-Length: {len(answer)}\r\n{lines}x-amz-request-id: BENCH\r\n\r\n"
                )
                writer.write(head.encode() + (b"" if method == "HEAD" else answer))
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        except asyncio.CancelledError:
            return
        finally:
            writer.close()


async def main(port: int, latency_ms: float) -> None:
    store = Store(latency_ms / 1000)
    server = await asyncio.start_server(store.serve, "127.0.0.1", port, backlog=1024)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("ready", flush=True)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), float(sys.argv[2])))

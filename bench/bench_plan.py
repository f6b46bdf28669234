"""Benchmark of planning: 500 buckets with six aspects each (tags, versioning, public access
block, encryption, lifecycle, CORS) and 50 distributions, applied to the emulator (in its own
process), then planned again with no changes. Prints requests made, wall time and requests per
second; asserts nothing.

    .venv/bin/python bench/bench_plan.py [--buckets N] [--distributions N] [--parallelism P]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from reconciler import importer
from reconciler.apply.executor import Executor
from reconciler.aws.cloudfront import CloudFrontClient
from reconciler.aws.s3 import S3Client
from reconciler.aws.signing import Credentials
from reconciler.aws.transport import Transport
from reconciler.drift import drift_report
from reconciler.emulator import emulator_process
from reconciler.live.reader import LiveReader
from reconciler.report import drift_formats
from reconciler.spec.loader import load_spec
from reconciler.workflow import guard_for, make_plan

CREDENTIALS = Credentials("AKIDBENCH", "bench-secret")

BUCKET = """\
  bench-plan-{i:04d}:
    tags: {{team: data, index: "{i}"}}
    versioning: enabled
    public_access_block: {{block_public_acls: true, ignore_public_acls: true,
                          block_public_policy: true, restrict_public_buckets: true}}
    encryption: {{algorithm: AES256}}
    lifecycle:
      - {{id: expire, filter: {{prefix: tmp/}}, expiration: {{days: 30}}}}
    cors:
      - {{allowed_methods: [GET], allowed_origins: ["https://example.com"]}}
"""

DISTRIBUTION = """\
  bench-cdn-{i:04d}:
    comment: bench {i}
    origins: [{{id: api, domain_name: api{i}.example.org}}]
    default_cache_behavior: {{target_origin: api, viewer_protocol_policy: https-only}}
    tags: {{index: "{i}"}}
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--buckets", type=int, default=500)
    parser.add_argument("--distributions", type=int, default=50)
    parser.add_argument("--parallelism", type=int, default=16)
    args = parser.parse_args()

    text = "version: 1\nstack: bench\nbuckets:\n" + "".join(
        BUCKET.format(i=i) for i in range(args.buckets)
    )
    if args.distributions:
        text += "distributions:\n" + "".join(
            DISTRIBUTION.format(i=i) for i in range(args.distributions)
        )
    with (
        tempfile.TemporaryDirectory() as workdir,
        emulator_process() as endpoint,
        Transport(credentials=CREDENTIALS, pool_size=args.parallelism) as transport,
    ):
        path = Path(workdir) / "reconciler.yaml"
        path.write_text(text, encoding="utf-8")
        loaded = load_spec([str(path)], cli_vars={}, env={})
        s3 = S3Client(transport, region="us-east-1", endpoint_url=endpoint)
        cloudfront = CloudFrontClient(transport, endpoint_url=endpoint)
        reader = LiveReader(s3, cloudfront=cloudfront, parallelism=args.parallelism)

        def timed(label: str, run: Callable[[], None]) -> None:
            sent, started = transport.requests_sent, time.perf_counter()
            run()
            elapsed = time.perf_counter() - started
            count = transport.requests_sent - sent
            print(
                f"{label}: {count} requests in {elapsed:.2f} s = {count / elapsed:,.0f} req/s "
                f"(parallelism {args.parallelism})"
            )

        def create() -> None:
            plan, _ = make_plan(loaded, reader, default_region="us-east-1")
            guard = guard_for(loaded, default_region="us-east-1")
            executor = Executor(
                s3, guard=guard, cloudfront=cloudfront, parallelism=args.parallelism
            )
            report = executor.apply(plan)
            if not report.ok:
                raise SystemExit("the apply failed")

        def no_change() -> None:
            plan, _ = make_plan(loaded, reader, default_region="us-east-1")
            if plan.has_changes:
                raise SystemExit("the plan after apply is not empty")

        def drift_and_import() -> None:
            plan, live = make_plan(loaded, reader, default_region="us-east-1")
            report = drift_report(loaded.spec, plan, live, include_unmanaged=True)
            started = time.perf_counter()
            sizes = {f: len(drift_formats.render(report, f)) for f in drift_formats.FORMATS}
            rendered = time.perf_counter() - started
            print(
                f"  drift report: {report.summary['in_sync']} in sync; every format rendered in "
                f"{rendered * 1000:.0f} ms ("
                + ", ".join(f"{f} {n / 1024:.0f} KiB" for f, n in sizes.items())
                + ")"
            )
            request = importer.ImportRequest("bench", tuple(loaded.spec.buckets))
            importer.render(importer.read(reader, request), request)

        print(
            f"{args.buckets} buckets, six aspects each; {args.distributions} distributions "
            "(no-change plan: 1 + 7 per bucket + 1 listing + 2 per distribution)"
        )
        timed("plan + apply (create)", create)
        timed("no-change plan", no_change)
        timed("drift (every format) + import of every bucket", drift_and_import)


if __name__ == "__main__":
    main()

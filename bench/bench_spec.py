"""Benchmark: load and validate a generated spec of many buckets (target: 5,000 in under 2 s).

    .venv/bin/python bench/bench_spec.py [--buckets N] [--repeat R]

Each bucket declares tags, versioning, encryption, a public access block, a lifecycle rule and
logging into a shared log bucket, so every offline rule runs. Prints the best and median times.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from reconciler.spec.loader import load_spec


def generate(count: int) -> str:
    lines = [
        "version: 1",
        "stack: bench",
        "vars: {env: prod}",
        "defaults:",
        "  bucket: {region: eu-west-1, tags: {team: bench}}",
        "buckets:",
        "  bench-${var.env}-logs:",
        "    object_ownership: BucketOwnerPreferred",
        "    acl: log-delivery-write",
    ]
    for i in range(count - 1):
        lines += [
            f"  bench-${{var.env}}-{i:05d}:",
            "    versioning: enabled",
            f'    tags: {{env: "${{var.env}}", index: "{i}"}}',
            "    encryption: {algorithm: AES256}",
            "    public_access_block: {block_public_acls: true, ignore_public_acls: true,",
            "                          block_public_policy: true, restrict_public_buckets: true}",
            "    lifecycle:",
            "      - id: expire",
            "        filter: {prefix: tmp/}",
            "        expiration: {days: 30}",
            '    logging: {target_bucket: "bench-${var.env}-logs", target_prefix: ' + f"b{i}/}}",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--buckets", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    text = generate(args.buckets)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.yaml"
        path.write_text(text)
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            loaded = load_spec([str(path)], env={})
            times.append(time.perf_counter() - started)
    assert len(loaded.spec.buckets) == args.buckets
    print(f"spec: {args.buckets} buckets, {text.count(chr(10))} lines, {len(text) / 1e6:.1f} MB")
    print(
        f"load + validate: best {min(times):.2f} s, median {statistics.median(times):.2f} s "
        f"over {args.repeat} runs (target: under 2 s for 5,000 buckets)"
    )


if __name__ == "__main__":
    main()

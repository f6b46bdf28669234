"""Site content at a synthetic S3 with added latency, beside boto3 code doing what ``aws s3
sync`` does (list, compare size and modification time, upload what differs), in one run:

    .venv/bin/python bench/bench_content.py [FILES] [LATENCY_MS] [CHANGED] [--parallelism P]

Each side deploys a site of FILES small files to its own endpoint (bench/synthetic_content.py,
in a process of its own), plans it unchanged, then applies CHANGED edited files. The reconciler
runs as ``reconciler apply`` / ``reconciler plan``, boto3 as a script; both as their own
processes (start included), with the same parallelism. Printed per step: wall time, CPU time
(user + system, from the kernel) and the requests the endpoint answered, by operation. Nothing
is asserted: a plan of unchanged files is meant to cost the listing's pages and the manifest
read only (no HEAD per object), and an apply the changed files' PUTs and two manifest writes.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from synthetic_content import BUCKET, STACK  # noqa: E402

from reconciler.defaults import DEFAULT_PARALLELISM  # noqa: E402

BOTO_SYNC = """
import mimetypes, os, sys, time, boto3, botocore.config
from concurrent.futures import ThreadPoolExecutor
url, root, parallelism, dry = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "dry"
s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1",
    aws_access_key_id="AKIDBENCH", aws_secret_access_key="bench-secret",
    config=botocore.config.Config(max_pool_connections=parallelism,
                                  s3={"addressing_style": "path"}))
remote = {}
for page in s3.get_paginator("list_objects_v2").paginate(Bucket=sys.argv[5]):
    for o in page.get("Contents", []):
        remote[o["Key"]] = (o["Size"], o["LastModified"].timestamp())
todo = []
for folder, _, files in os.walk(root):
    for name in files:
        full = os.path.join(folder, name)
        key = os.path.relpath(full, root).replace(os.sep, "/")
        st = os.stat(full)
        have = remote.get(key)
        if have is None or have[0] != st.st_size or st.st_mtime > have[1]:
            todo.append((key, full))
def put(item):
    key, full = item
    with open(full, "rb") as f:
        s3.put_object(Bucket=sys.argv[5], Key=key, Body=f.read(),
                      ContentType=mimetypes.guess_type(key)[0] or "application/octet-stream")
if not dry:
    with ThreadPoolExecutor(parallelism) as pool:
        list(pool.map(put, todo))
print(len(todo))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Endpoint:
    def __init__(self, latency_ms: float) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "synthetic_content.py"), str(self.port), str(latency_ms)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "ready"
        self.url = f"http://127.0.0.1:{self.port}"

    def counts(self) -> dict[str, int]:
        with urllib.request.urlopen(f"{self.url}/__counts", timeout=10) as answer:
            found: dict[str, int] = json.loads(answer.read())
        with urllib.request.urlopen(f"{self.url}/__reset", timeout=10):
            pass
        return found

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def timed(command: list[str], *, cwd: Path, env: dict[str, str]) -> tuple[float, float, str]:
    """Wall and CPU seconds of one process, and its standard output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 2):
        raise SystemExit(f"{' '.join(command[:4])} failed: {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def make_site(root: Path, files: int) -> list[Path]:
    made = []
    for n in range(files):
        path = root / f"section{n % 20:02d}" / f"group{n % 7}" / f"page{n:05d}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"<!doctype html><h1>page {n}</h1>" + "x" * (100 + n % 200))
        made.append(path)
    return made


def spec_text() -> str:
    return (
        f"version: 1\nstack: {STACK}\nbuckets:\n  {BUCKET}: {{}}\ncontent:\n  site:\n"
        f"    bucket: {BUCKET}\n    source: ./public\n    delete: true\n"
        '    headers:\n      - {match: "**/*.html", cache_control: "public, max-age=60"}\n'
    )


def line(label: str, wall: float, cpu: float, counts: dict[str, int]) -> None:
    total = sum(counts.values())
    shown = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    print(f"  {label:<34} {wall:7.2f} s wall {cpu:7.2f} s CPU {total:6d} requests ({shown})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="?", type=int, default=20_000)
    parser.add_argument("latency", nargs="?", type=float, default=20.0)
    parser.add_argument("changed", nargs="?", type=int, default=1_000)
    parser.add_argument("--parallelism", type=int, default=DEFAULT_PARALLELISM)
    args = parser.parse_args()
    print(
        f"content: {args.files} files, {args.changed} changed, {args.latency:g} ms latency, "
        f"parallelism {args.parallelism}"
    )
    with tempfile.TemporaryDirectory(prefix="bench-content-") as work:
        root = Path(work)
        (root / "reconciler.yaml").write_text(spec_text())
        site = make_site(root / "public", args.files)
        ours, theirs = Endpoint(args.latency), Endpoint(args.latency)
        try:
            env = {
                **os.environ,
                "AWS_ACCESS_KEY_ID": "AKIDBENCH",
                "AWS_SECRET_ACCESS_KEY": "bench-secret",
                "AWS_REGION": "us-east-1",
                "AWS_CONFIG_FILE": str(root / "none"),
                "AWS_SHARED_CREDENTIALS_FILE": str(root / "none"),
            }
            reconciler = [sys.executable, "-m", "reconciler"]
            parallelism = ["--parallelism", str(args.parallelism)]
            ours_env = {**env, "AWS_ENDPOINT_URL": ours.url}
            boto = [sys.executable, "-c", BOTO_SYNC, theirs.url, str(root / "public")]
            boto += [str(args.parallelism)]

            def run_ours(*command: str) -> tuple[float, float, dict[str, int]]:
                wall, cpu, _ = timed([*reconciler, *command, *parallelism], cwd=root, env=ours_env)
                return wall, cpu, ours.counts()

            def run_boto(mode: str) -> tuple[float, float, dict[str, int]]:
                wall, cpu, _ = timed([*boto, mode, BUCKET], cwd=root, env=env)
                return wall, cpu, theirs.counts()

            print("first deploy of every file:")
            line("reconciler apply", *run_ours("apply", "--auto-approve"))
            line("boto3 sync-like", *run_boto("put"))
            print("plan of unchanged files:")
            line("reconciler plan", *run_ours("plan", "--detailed-exitcode"))
            line("boto3 sync-like, dry run", *run_boto("dry"))
            time.sleep(1.1)  # the edits' modification times after the deploys' LastModified
            for path in site[: args.changed]:
                path.write_text(path.read_text() + "<p>edited</p>")
            print(f"apply of {args.changed} changed files:")
            line("reconciler apply", *run_ours("apply", "--auto-approve"))
            line("boto3 sync-like", *run_boto("put"))
        finally:
            ours.stop()
            theirs.stop()


if __name__ == "__main__":
    main()

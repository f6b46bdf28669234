"""A fleet's no-change plan through the synthetic S3 (bench/synthetic_s3.py): ACCOUNTS
accounts, each one target planning BUCKETS buckets of six aspects at LATENCY_MS, as 1 shard
(one process) and as SHARDS shards (as many processes at once, as CI jobs would be, here on
this machine's cores), beside a boto3 loop over the same accounts (assume each role, then
read every bucket's six aspects with as many threads as the reconciler's parallelism), in
one run.

    .venv/bin/python bench/bench_fleet.py [ACCOUNTS] [BUCKETS] [LATENCY_MS] [--shards N]
        [--max-concurrent N] [--parallelism P]

Each account's role is assumed through a small STS on loopback answering with the same
latency. Printed per run: requests (S3 and STS), wall time, CPU per request (user + system
of every process), the largest process's peak memory. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))

from bench_plan_latency import Endpoint, Run, measured  # noqa: E402
from synthetic_s3 import bench_spec_text  # noqa: E402

from reconciler.defaults import DEFAULT_PARALLELISM  # noqa: E402

ASSUMED = (
    b'<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>'
    b"<Credentials><AccessKeyId>ASIABENCH</AccessKeyId><SecretAccessKey>bench-secret"
    b"</SecretAccessKey><SessionToken>bench-token</SessionToken>"
    b"<Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult>"
    b"<ResponseMetadata><RequestId>bench</RequestId></ResponseMetadata></AssumeRoleResponse>"
)

BOTO_LOOP = """
import sys, boto3, botocore.config
from concurrent.futures import ThreadPoolExecutor
s3_url, sts_url = sys.argv[1], sys.argv[2]
accounts, parallelism = int(sys.argv[3]), int(sys.argv[4])
sts = boto3.client("sts", endpoint_url=sts_url, region_name="us-east-1",
    aws_access_key_id="AKIDBENCH", aws_secret_access_key="bench-secret")
config = botocore.config.Config(max_pool_connections=parallelism, s3={"addressing_style": "path"})
for n in range(accounts):
    keys = sts.assume_role(RoleArn="arn:aws:iam::%012d:role/bench" % (100000000000 + n),
                           RoleSessionName="bench")["Credentials"]
    s3 = boto3.client("s3", endpoint_url=s3_url, region_name="us-east-1", config=config,
        aws_access_key_id=keys["AccessKeyId"], aws_secret_access_key=keys["SecretAccessKey"],
        aws_session_token=keys["SessionToken"])
    names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    reads = [s3.get_bucket_tagging, s3.get_bucket_versioning, s3.get_public_access_block,
             s3.get_bucket_encryption, s3.get_bucket_lifecycle_configuration, s3.get_bucket_cors]
    with ThreadPoolExecutor(parallelism) as pool:
        list(pool.map(lambda job: job[0](Bucket=job[1]), [(r, b) for b in names for r in reads]))
"""


class Sts:
    """AssumeRole on loopback, answered after ``latency`` seconds."""

    def __init__(self, latency: float) -> None:
        self.calls = 0
        sts = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length") or 0))
                sts.calls += 1
                time.sleep(latency)
                self.send_response(200)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(ASSUMED)))
                self.end_headers()
                self.wfile.write(ASSUMED)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def targets_text(accounts: int) -> str:
    listed = "".join(f'  - id: "{100000000000 + n:012d}"\n' for n in range(accounts))
    return f"version: 1\nrole: {{name: bench}}\nregions: [us-east-1]\naccounts:\n{listed}"


def env_for(endpoint: Endpoint, sts: Sts) -> dict[str, str]:
    return {
        **os.environ,
        "AWS_ENDPOINT_URL_S3": endpoint.url,
        "AWS_ENDPOINT_URL_STS": sts.url,
        "AWS_ACCESS_KEY_ID": "AKIDBENCH",
        "AWS_SECRET_ACCESS_KEY": "bench-secret",
        "AWS_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "NO_COLOR": "1",
    }


def shards_at_once(argv: list[str], shards: int, env: dict[str, str], cwd: Path) -> Run:
    """Every shard's process at once; wall until the last ends, CPU of them all."""
    started = time.perf_counter()
    running = [
        subprocess.Popen(
            [*argv, "--shard", f"{k}/{shards}"], env=env, cwd=cwd,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for k in range(1, shards + 1)
    ]  # fmt: skip
    cpu, peak, codes = 0.0, 0.0, []
    for process in running:
        _, status, usage = os.wait4(process.pid, 0)
        cpu += usage.ru_utime + usage.ru_stime
        peak = max(peak, usage.ru_maxrss / 1024)
        codes.append(os.waitstatus_to_exitcode(status))
    return Run(time.perf_counter() - started, cpu, peak, 0, max(codes))


def line(name: str, run: Run, requests: int, accounts: int) -> str:
    per_request = run.cpu / max(requests, 1) * 1000
    return (
        f"  {name:<40} {requests:>7} req  wall {run.wall:6.2f} s  "
        f"({run.wall / accounts * 1000:5.0f} ms/account)  CPU {per_request:5.2f} ms/req  "
        f"peak {run.peak_mb:5.0f} MB" + ("" if run.code == 0 else f"  EXIT {run.code}")
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("accounts", type=int, nargs="?", default=100)
    parser.add_argument("buckets", type=int, nargs="?", default=50)
    parser.add_argument("latency_ms", type=float, nargs="?", default=20.0)
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--max-concurrent", type=int, default=4)
    parser.add_argument("--parallelism", type=int, default=DEFAULT_PARALLELISM)
    args = parser.parse_args()
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(HERE.parent / "reconciler")], check=True
    )
    endpoint = Endpoint(args.buckets, args.latency_ms)
    sts = Sts(args.latency_ms / 1000)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        (tmp / "targets.yaml").write_text(targets_text(args.accounts))
        (tmp / "spec.yaml").write_text(bench_spec_text(args.buckets))
        env = env_for(endpoint, sts)
        reconciler = str(Path(sys.executable).parent / "reconciler")
        plan = [reconciler, "plan", "-f", "spec.yaml", "--targets", "targets.yaml",
                "--detailed-exitcode", "--max-concurrent", str(args.max_concurrent),
                "--parallelism", str(args.parallelism)]  # fmt: skip
        results = []
        try:
            for name, shards in (
                ("reconciler, 1 shard", 0),
                (f"reconciler, {args.shards} shards", args.shards),
            ):
                before, calls = sum(endpoint.counts().values()), sts.calls
                if shards:
                    run = shards_at_once(plan, shards, env, tmp)
                else:
                    wall, cpu, peak, code = measured(plan, env, tmp)
                    run = Run(wall, cpu, peak, 0, code)
                requests = sum(endpoint.counts().values()) - before + sts.calls - calls
                results.append(line(name, run, requests, args.accounts))
            before, calls = sum(endpoint.counts().values()), sts.calls
            wall, cpu, peak, code = measured(
                [sys.executable, "-c", BOTO_LOOP, endpoint.url, sts.url, str(args.accounts),
                 str(args.parallelism)], {**os.environ}, tmp,
            )  # fmt: skip
            requests = sum(endpoint.counts().values()) - before + sts.calls - calls
            results.append(
                line(
                    "boto3 loop over the accounts",
                    Run(wall, cpu, peak, 0, code),
                    requests,
                    args.accounts,
                )
            )
        finally:
            endpoint.stop()
            sts.stop()
    print(
        f"A fleet's no-change plan: {args.accounts} accounts x {args.buckets} buckets x 6 "
        f"aspects at {args.latency_ms:g} ms, {os.cpu_count()} cores; the reconciler "
        f"--max-concurrent {args.max_concurrent} --parallelism {args.parallelism}, boto3 "
        f"{args.parallelism} threads:"
    )
    print("\n".join(results))


if __name__ == "__main__":
    main()

"""A no-change plan of N buckets (six aspects each) against a synthetic S3 with added latency,
beside boto3 making the same reads with the same parallelism, in one run.

    .venv/bin/python bench/bench_plan_latency.py [N] [LATENCY_MS] [--parallelism P] [--curve]
        [--apply-import] [--tls]

Both readers run as their own processes (process start included), so their wall time, CPU time
(user + system, from the kernel) and peak memory are theirs alone; the endpoint runs in a third
process (bench/synthetic_s3.py). Printed: requests and requests per bucket, wall, the latency
bound (requests / parallelism x latency), CPU per request, peak memory, and the ratios. With
--curve, the reconciler's wall time at parallelism 8, 16, 32 and 64. Also printed: two floors, the
same GETs sent unsigned and unparsed by the leanest Python clients, on threads (``http.client``
keep-alive connections, one thread per request in flight) and on one event loop (asyncio
streams, as many connections), which no Python client doing more can beat on this machine; and
the startup of ``--help``, ``validate`` and ``schema`` (the median of five runs). With --tls, the
plan and boto3's reads once more over HTTPS (a self-signed certificate made for the run), as
every request to AWS is. The package's
bytecode is compiled first, as an installed copy has it.
With --apply-import: ``reconciler apply`` of a spec that changes every bucket's versioning (the
endpoint accepts the writes and stores nothing) and ``reconciler import`` of every bucket
(every aspect read), each with its own goal. The goals are stated beside the figures; nothing
is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))  # (tests.certificates, for --tls)

from synthetic_s3 import bench_spec_text, bucket_name  # noqa: E402

from reconciler.defaults import DEFAULT_PARALLELISM  # noqa: E402

BOTO_READS = """
import sys, boto3, botocore.config
from concurrent.futures import ThreadPoolExecutor
url, count, parallelism = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
verify = sys.argv[4] if len(sys.argv) > 4 else None
s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1", verify=verify,
    aws_access_key_id="AKIDBENCH", aws_secret_access_key="bench-secret",
    config=botocore.config.Config(max_pool_connections=parallelism,
                                  s3={"addressing_style": "path"}))
names = [b["Name"] for b in s3.list_buckets(MaxBuckets=10000)["Buckets"]]
reads = [s3.get_bucket_tagging, s3.get_bucket_versioning, s3.get_public_access_block,
         s3.get_bucket_encryption, s3.get_bucket_lifecycle_configuration, s3.get_bucket_cors]
with ThreadPoolExecutor(parallelism) as pool:
    list(pool.map(lambda job: job[0](Bucket=job[1]), [(r, n) for n in names for r in reads]))
"""


LOOP_FLOOR_READS = """
import asyncio, sys
host, port, count, parallelism = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
subs = ["tagging", "versioning", "publicAccessBlock", "encryption", "lifecycle", "cors"]
targets = ["/bench-lat-%05d?%s" % (i, s) for i in range(count) for s in subs]
async def worker():
    reader, writer = await asyncio.open_connection(host, port)
    while targets:
        writer.write(("GET %s HTTP/1.1\\r\\nHost: %s\\r\\n\\r\\n" % (targets.pop(), host)).encode())
        head = await reader.readuntil(b"\\r\\n\\r\\n")
        length = [l for l in head.lower().split(b"\\r\\n") if l.startswith(b"content-length:")]
        await reader.readexactly(int(length[0].split(b":")[1]))
    writer.close()
async def main():
    await asyncio.gather(*(worker() for _ in range(parallelism)))
asyncio.run(main())
"""


FLOOR_READS = """
import http.client, sys, queue
from concurrent.futures import ThreadPoolExecutor
host, port, count, parallelism = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
subs = ["tagging", "versioning", "publicAccessBlock", "encryption", "lifecycle", "cors"]
idle = queue.LifoQueue()
for _ in range(parallelism):
    idle.put(http.client.HTTPConnection(host, port, timeout=30))
def get(target):
    connection = idle.get()
    connection.request("GET", target)
    connection.getresponse().read()
    idle.put(connection)
get("/")
names = ["bench-lat-%05d" % i for i in range(count)]
with ThreadPoolExecutor(parallelism) as pool:
    list(pool.map(get, ["/%s?%s" % (n, s) for n in names for s in subs]))
"""


@dataclass
class Run:
    wall: float
    cpu: float
    peak_mb: float
    requests: int
    code: int


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def measured(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds, peak resident MB and exit code of one process."""
    started = time.perf_counter()
    process = subprocess.Popen(
        argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, process.returncode


class Endpoint:
    def __init__(
        self,
        count: int,
        latency_ms: float,
        *,
        writable: bool = False,
        tls: tuple[Path, Path] | None = None,
    ) -> None:
        self.port = free_port()
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self.ca = tls[0] if tls else None
        certificate = ["--tls", str(tls[0]), str(tls[1])] if tls else []
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "synthetic_s3.py"), str(self.port), str(count),
             str(latency_ms), *(["--writable"] if writable else []), *certificate],
            stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "ready"

    def counts(self) -> dict[str, int]:
        import ssl  # noqa: PLC0415
        import urllib.request  # noqa: PLC0415

        context = ssl.create_default_context(cafile=str(self.ca)) if self.ca else None
        with urllib.request.urlopen(f"{self.url}/__counts", timeout=10, context=context) as answer:
            found: dict[str, int] = json.loads(answer.read())
        return found

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def run_reconciler(
    endpoint: Endpoint, spec: Path, parallelism: int, command: list[str] | None = None
) -> Run:
    """``reconciler plan`` of ``spec`` (or ``command``, whose arguments follow the binary)."""
    before = sum(endpoint.counts().values())
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": endpoint.url,
        "AWS_ACCESS_KEY_ID": "AKIDBENCH",
        "AWS_SECRET_ACCESS_KEY": "bench-secret",
        "AWS_REGION": "us-east-1",
        "NO_COLOR": "1",
        **({"AWS_CA_BUNDLE": str(endpoint.ca)} if endpoint.ca else {}),
    }
    reconciler = Path(sys.executable).parent / "reconciler"
    argv = command or ["plan", "-f", str(spec), "--detailed-exitcode"]
    wall, cpu, peak, code = measured(
        [str(reconciler), *argv, "--parallelism", str(parallelism)], env, spec.parent
    )
    return Run(wall, cpu, peak, sum(endpoint.counts().values()) - before, code)


def run_floor(
    endpoint: Endpoint, count: int, parallelism: int, cwd: Path, script: str = FLOOR_READS
) -> Run:
    before = sum(endpoint.counts().values())
    wall, cpu, peak, code = measured(
        [sys.executable, "-c", script, "127.0.0.1", str(endpoint.port), str(count),
         str(parallelism)],
        {**os.environ},
        cwd,
    )  # fmt: skip
    return Run(wall, cpu, peak, sum(endpoint.counts().values()) - before, code)


def apply_and_import(count: int, latency: float, parallelism: int, tmp: Path) -> None:
    """An apply that changes every bucket, and an import of every bucket, measured alike."""
    spec = tmp / "changed.yaml"
    spec.write_text(bench_spec_text(count).replace("versioning: enabled", "versioning: suspended"))
    endpoint = Endpoint(count, latency, writable=True)
    try:
        apply = run_reconciler(endpoint, spec, parallelism, ["apply", "-f", str(spec),
                                                             "--auto-approve"])  # fmt: skip
        buckets = [arg for i in range(count) for arg in ("--bucket", bucket_name(i))]
        imported = run_reconciler(
            endpoint,
            spec,
            parallelism,
            ["import", "--stack", "bench-latency", "-o", str(tmp / "imported.yaml"), *buckets],
        )
    finally:
        endpoint.stop()
    print(f"Apply of {count} versioning changes, and import of {count} buckets (every aspect):")
    print(line("reconciler apply", apply, count))
    print(line("reconciler import", imported, count))
    print(
        "  goals: apply and import <= 1 ms CPU per request, and wall within 1.5x of the latency "
        f"bound ({apply.requests / parallelism * latency / 1000:.2f} s and "
        f"{imported.requests / parallelism * latency / 1000:.2f} s here) plus 2 s"
    )


def run_boto3(endpoint: Endpoint, count: int, parallelism: int, cwd: Path) -> Run:
    before = sum(endpoint.counts().values())
    verify = [str(endpoint.ca)] if endpoint.ca else []
    argv = [sys.executable, "-c", BOTO_READS, endpoint.url, str(count), str(parallelism), *verify]
    wall, cpu, peak, code = measured(argv, {**os.environ}, cwd)
    return Run(wall, cpu, peak, sum(endpoint.counts().values()) - before, code)


def line(name: str, run: Run, count: int) -> str:
    per_request = run.cpu / max(run.requests, 1) * 1000
    return (
        f"  {name:<34} {run.requests:>7} req  {run.requests / count:5.2f}/bucket  "
        f"wall {run.wall:6.2f} s  CPU {per_request:5.2f} ms/req  peak {run.peak_mb:6.0f} MB"
        + {0: "", 2: "  (it planned changes!)"}.get(run.code, f"  EXIT {run.code}")
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("buckets", type=int, nargs="?", default=1000)
    parser.add_argument("latency_ms", type=float, nargs="?", default=20.0)
    parser.add_argument("--parallelism", type=int, default=DEFAULT_PARALLELISM)
    parser.add_argument("--curve", action="store_true")
    parser.add_argument("--apply-import", action="store_true")
    parser.add_argument("--tls", action="store_true")
    args = parser.parse_args()
    count, latency, parallelism = args.buckets, args.latency_ms, args.parallelism
    # As an installed copy has it (pip compiles on install): no run pays for compiling.
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(HERE.parent / "reconciler")],
        check=True,
        stdout=subprocess.DEVNULL,
    )

    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "reconciler.yaml"
        spec.write_text(bench_spec_text(count))
        endpoint = Endpoint(count, latency)
        try:
            ours = run_reconciler(endpoint, spec, parallelism)
            theirs = run_boto3(endpoint, count, parallelism, Path(tmp))
            floor = run_floor(endpoint, count, parallelism, Path(tmp))
            loop_floor = run_floor(endpoint, count, parallelism, Path(tmp), LOOP_FLOOR_READS)
            curve = (
                {p: run_reconciler(endpoint, spec, p) for p in (8, 16, 32, 64)}
                if args.curve
                else {}
            )
        finally:
            endpoint.stop()
    bound = ours.requests / parallelism * latency / 1000
    print(
        f"No-change plan of {count} buckets x 6 aspects ({bucket_name(0)}...), "
        f"{latency:g} ms added latency, parallelism {parallelism}:"
    )
    print(line("reconciler plan (process start incl.)", ours, count))
    print(line("boto3, the same reads", theirs, count))
    print(line("floor: http.client on threads", floor, count))
    print(line("floor: asyncio streams, one loop", loop_floor, count))
    print(f"  latency bound (requests / parallelism x latency): {bound:.2f} s")
    print(
        f"  ratio boto3 / reconciler wall: {theirs.wall / ours.wall:.2f}x   "
        f"CPU per request: {ours.cpu / max(ours.requests, 1) * 1000:.2f} ms vs "
        f"{theirs.cpu / max(theirs.requests, 1) * 1000:.2f} ms"
    )
    print(
        "  goals (1,000 buckets, 20 ms): wall <= 5 s, >= 2x boto3, <= 0.5 ms CPU per request; "
        "10,000 buckets <= 10x the 1,000-bucket time"
    )
    for p, run in curve.items():
        print(line(f"reconciler plan, parallelism {p}", run, count))
    if args.apply_import:
        with tempfile.TemporaryDirectory() as tmp:
            apply_and_import(count, latency, parallelism, Path(tmp))
    if args.tls:
        with tempfile.TemporaryDirectory() as tmp:
            over_tls(count, latency, parallelism, Path(tmp))
    startup()


def over_tls(count: int, latency: float, parallelism: int, tmp: Path) -> None:
    """The plan and boto3's reads again, over HTTPS."""
    from tests.certificates import self_signed  # noqa: PLC0415 - (dev dependencies)

    cert, key = self_signed(tmp)
    spec = tmp / "reconciler.yaml"
    spec.write_text(bench_spec_text(count))
    endpoint = Endpoint(count, latency, tls=(cert, key))
    try:
        ours = run_reconciler(endpoint, spec, parallelism)
        theirs = run_boto3(endpoint, count, parallelism, tmp)
    finally:
        endpoint.stop()
    print(f"Over TLS (HTTPS, keep-alive), the same plan, parallelism {parallelism}:")
    print(line("reconciler plan (process start incl.)", ours, count))
    print(line("boto3, the same reads", theirs, count))
    print(f"  ratio boto3 / reconciler wall: {theirs.wall / ours.wall:.2f}x")


def startup() -> None:
    """The median wall time of five starts of commands that need no endpoint."""
    example = HERE.parent / "examples" / "data-lake.yaml"
    reconciler = str(Path(sys.executable).parent / "reconciler")
    commands = {
        "--help": [reconciler, "--help"],
        "validate (examples/data-lake.yaml)": [reconciler, "validate", "-f", str(example)],
        "schema": [reconciler, "schema"],
    }
    env = {**os.environ, "AWS_EC2_METADATA_DISABLED": "true", "NO_COLOR": "1"}
    print("Startup, median of 5 runs (goal <= 0.3 s):")
    for name, argv in commands.items():
        walls = sorted(measured(argv, env, HERE.parent)[0] for _ in range(5))
        print(f"  reconciler {name:<36} {walls[2]:5.2f} s")


if __name__ == "__main__":
    main()

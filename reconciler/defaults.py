"""Defaults every layer shares, kept where the command line can read them without importing
the client."""

#: Requests under way at once per endpoint, at most (``--parallelism``). Chosen from the
#: benchmark's curve (bench/bench_plan_latency.py --curve: at 20 ms a no-change plan of 1,000
#: buckets keeps getting faster up to here); an endpoint that throttles gets fewer (the
#: transport's adaptive limit, `reconciler.aws.concurrency`), so a high ceiling never hammers
#: an account.
DEFAULT_PARALLELISM = 64

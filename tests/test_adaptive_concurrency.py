"""Adaptive concurrency: an endpoint that answers SlowDown to more than N requests at once is
sent about N at once after a while, and every request still succeeds (retried). The limit
itself: halved once per throttling burst, grown back by one per run of successes."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from reconciler.aws.concurrency import AdaptiveLimit
from reconciler.aws.config import RetryPolicy
from reconciler.aws.transport import Request, Transport
from tests.conftest import TEST_CREDENTIALS
from tests.stub_server import Answer, Received, s3_error, stub_server

CAPACITY = 4


class Crowded:
    """Takes CAPACITY requests at once; beyond that, SlowDown (503), as S3 does under load."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.under_way = 0
        self.seen: list[int] = []  # how many were under way as each request arrived
        self.limits: list[int] = []  # the client's limit as each request arrived
        self.limit_now = lambda: 0
        self.throttled = 0

    def __call__(self, received: Received) -> Answer:
        # (the stub server calls this under its own lock: count, then answer after a pause)
        self.under_way += 1
        self.seen.append(self.under_way)
        self.limits.append(self.limit_now())
        if self.under_way > CAPACITY:
            self.under_way -= 1
            self.throttled += 1
            return Answer(503, s3_error("SlowDown", "Please reduce your request rate."))
        threading.Timer(0.02, self.done).start()
        return Answer(200, b"<Tagging><TagSet/></Tagging>", delay=0.02)

    def done(self) -> None:
        with self.lock:
            self.under_way -= 1


def test_the_concurrency_settles_where_the_endpoint_stops_throttling() -> None:
    crowded = Crowded()
    with stub_server(route=crowded) as stub:
        transport = Transport(
            credentials=TEST_CREDENTIALS,
            pool_size=16,
            retry=RetryPolicy(max_attempts=8, base_delay=0.01, max_delay=0.05),
        )
        crowded.limit_now = lambda: transport.limit_for(stub.url).limit
        request = Request(
            service="s3",
            region="us-east-1",
            method="GET",
            root=stub.url,
            path="/bucket",
            operation="GetBucketTagging",
            query=(("tagging", ""),),
        )
        with ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(lambda _: transport.send(request).status, range(300)))
    assert answers == [200] * 300  # no error: throttled requests were retried
    assert crowded.throttled > 0  # it did push too hard at first
    settled = crowded.seen[-100:]
    assert max(settled) <= CAPACITY + 2
    assert sum(settled) / len(settled) >= CAPACITY / 2  # and still uses what there is
    # the AIMD sawtooth around it while requests still queue: the client's limit, as requests
    # arrived, is mostly within twice the capacity (its peaks come and go with the timing)
    window = sorted(crowded.limits[-100:-16])
    assert window[len(window) // 2] <= 2 * CAPACITY


def test_one_burst_halves_the_limit_once_and_successes_grow_it_back() -> None:
    limit = AdaptiveLimit(16)
    epochs = []
    for _ in range(5):
        epoch = limit.try_enter()
        assert epoch is not None
        epochs.append(epoch)
        limit.leave()
    for epoch in epochs:  # five answers of one burst, all sent before any decrease
        limit.throttled(epoch)
    assert limit.limit == 8
    for _ in range(8):
        limit.succeeded()
    assert limit.limit == 9
    for _ in range(1000):
        limit.succeeded()
    assert limit.limit == 16  # never past the ceiling (--parallelism)

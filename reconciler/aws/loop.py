"""Running many calls at once on one event loop: the reads of a plan, a drift check, an import.

Each task is a call written as steps (`steps`); the runner sends its exchanges on keep-alive
connections driven by one event loop (`loop_connections`), at most ``parallelism`` calls under
way and, per endpoint, no more requests in flight than its adaptive limit allows
(`concurrency.AdaptiveLimit`: a throttling answer halves it, successes grow it back).

Why not a thread per call in flight: measured on the plan's hot path (64 in flight, 20 ms
latency), waking a thread for each answer cost more CPU than the rest of the request
(``http.client`` alone on threads 0.37 ms per request; the same GETs on an event loop 0.12 ms):
see docs/architecture.md and `bench/bench_plan_latency.py`.

Endpoints reached through a proxy keep the blocking connections (urllib3's proxy manager),
each exchange on a thread of a pool as large as the parallelism. The loop lives as long as
the transport, so connections are reused from one batch of tasks to the next; one batch runs
at a time (callers on other threads wait their turn).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from reconciler.aws.config import Timeouts
from reconciler.aws.connections import ConnectionFailure, IdleBudget
from reconciler.aws.loop_connections import LoopConnections
from reconciler.aws.steps import Exchange, Outcome, Pause, Steps, Task

if TYPE_CHECKING:
    from reconciler.aws.concurrency import AdaptiveLimit
    from reconciler.aws.transport import Transport


class StepRunner:
    """Drives tasks' steps for one `Transport` on an event loop of its own."""

    def __init__(self, transport: Transport, timeouts: Timeouts, ca_certs: str, size: int) -> None:
        self._transport = transport
        self._timeouts = timeouts
        self._ca_certs = ca_certs
        self._size = max(size, 1)
        self._loop = asyncio.new_event_loop()
        self._pools: dict[str, LoopConnections | None] = {}
        self._budget = IdleBudget(self._size)  # idle connections over every endpoint
        self._threads: ThreadPoolExecutor | None = None
        self._waiting: list[asyncio.Future[None]] = []
        self._one_batch = threading.Lock()

    def close(self) -> None:
        for pool in self._pools.values():
            if pool is not None:
                pool.close()
        if self._threads is not None:
            self._threads.shutdown(wait=False)
        if not self._loop.is_closed():
            # let the closed connections' transports finish closing
            self._loop.run_until_complete(asyncio.sleep(0))
            self._loop.close()

    def run(
        self,
        tasks: list[Task],
        *,
        parallelism: int,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        """Run ``tasks``, at most ``parallelism`` at once, each started as another ends. The
        first error stops the others starting more, and is raised once those under way are
        done; a Ctrl-C cancels those under way (they only read)."""
        if not tasks:
            return
        with self._one_batch:
            batch = self._loop.create_task(self._batch(tasks, parallelism, progress))
            try:
                self._loop.run_until_complete(batch)
            except BaseException:
                batch.cancel()
                with contextlib.suppress(BaseException):
                    self._loop.run_until_complete(batch)
                raise

    async def _batch(
        self, tasks: list[Task], parallelism: int, progress: Callable[[int], None] | None
    ) -> None:
        pending = deque(tasks)
        stopped = False
        finished = 0

        async def worker() -> None:
            nonlocal stopped, finished
            while pending and not stopped:
                task = pending.popleft()
                try:
                    await self._drive(task())
                except BaseException:
                    stopped = True
                    raise
                finished += 1
                if progress is not None:
                    progress(finished)

        workers = [worker() for _ in range(min(max(parallelism, 1), len(tasks)))]
        results = await asyncio.gather(*workers, return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result

    async def _drive(self, steps: Steps[None]) -> None:
        value: Outcome | None = None
        try:
            while True:
                step = steps.send(value)
                if isinstance(step, Pause):
                    await asyncio.sleep(step.seconds)
                    value = None
                    continue
                epoch = await self._enter(step.limit)
                try:
                    value = await self._exchange(step, epoch)
                finally:
                    self._leave(step.limit)
        except StopIteration:
            return

    async def _enter(self, limit: AdaptiveLimit) -> int:
        epoch = limit.try_enter()
        while epoch is None:
            waiter: asyncio.Future[None] = self._loop.create_future()
            self._waiting.append(waiter)
            await waiter
            epoch = limit.try_enter()
        return epoch

    def _leave(self, limit: AdaptiveLimit) -> None:
        limit.leave()
        # Room was made (or the limit grew meanwhile): whoever waits looks again.
        waiting, self._waiting = self._waiting, []
        for waiter in waiting:
            if not waiter.done():
                waiter.set_result(None)

    def _pool(self, root: str) -> LoopConnections | None:
        """The event loop's connections to ``root``; ``None`` where a proxy is in the way."""
        if root not in self._pools:
            direct = not self._transport.through_proxy(root)
            self._pools[root] = (
                LoopConnections(
                    root,
                    connect=self._timeouts.connect,
                    read=self._timeouts.read,
                    size=self._size,
                    ca_certs=self._ca_certs,
                    budget=self._budget,
                )
                if direct
                else None
            )
        return self._pools[root]

    async def _exchange(self, step: Exchange, epoch: int) -> Outcome:
        request = step.request
        pool = self._pool(request.root)
        if pool is None:
            if self._threads is None:
                self._threads = ThreadPoolExecutor(self._size, thread_name_prefix="proxied")
            return await self._loop.run_in_executor(
                self._threads, self._transport.exchange, step, epoch
            )
        transport = self._transport
        headers, started = transport.begin(request)
        try:
            answer = await pool.request(
                request.method, request.target, body=request.body or None, headers=headers
            )
        except ConnectionFailure as exc:
            return Outcome(None, transport.failed(request, step.attempt, started, exc), epoch)
        return Outcome(transport.answered(request, step.attempt, started, answer), None, epoch)

"""The one driver of every request: an event loop on a thread of its own, running calls written
as steps (`steps`) on keep-alive HTTP/1.1 connections (`loop_connections`, framed by h11).

Whoever calls — the reads of a plan (thousands at once, `run_many`), a write on one of the
apply's threads, a credential fetch, a single read (`run`) — hands the loop its steps and waits
for the result. Per endpoint, no more requests are in flight than its adaptive limit allows
(`concurrency.AdaptiveLimit`: a throttling answer halves it, successes grow it back). Whatever
may block (fetching fresh credentials: an STS call, a ``sleep`` between retries, an MFA prompt)
is an `Offload`, run on a thread, never on the loop.

Why one loop rather than a thread per request in flight: waking a thread for each answer cost
more CPU than the rest of the request (``http.client`` on 64 threads 0.33-0.37 ms per request;
the same GETs on an event loop 0.10-0.12 ms): see docs/architecture.md and
`bench/bench_plan_latency.py`. Connections live as long as the driver, so they are reused from
one call or batch of calls to the next; at most ``size`` idle over every endpoint
(`connections.IdleBudget`).

This module knows nothing of signing, retries or errors' meaning: the transport gives it steps
(an import-linter contract keeps the two apart).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from reconciler.aws.concurrency import AdaptiveLimit
from reconciler.aws.connections import ConnectionFailure, IdleBudget
from reconciler.aws.limits import Settings
from reconciler.aws.loop_connections import LoopConnections
from reconciler.aws.proxies import Proxy, proxy_for
from reconciler.aws.steps import Exchange, Offload, Outcome, Pause, Steps, Task

T = TypeVar("T")

Pauser = Callable[[float], Awaitable[None]]


class DeadlinePassed(Exception):
    """A call given ``within`` seconds did not finish in them (it was cancelled)."""


class Driver:
    """Runs steps on an event loop of its own thread (started at the first call)."""

    def __init__(self, *, size: int, pause: Pauser | None = None) -> None:
        self._size = max(size, 1)
        self._pause: Pauser = pause or asyncio.sleep
        #: Per transport's settings, per endpoint: its connections.
        self._pools: dict[Settings, dict[str, LoopConnections]] = {}
        self._budget = IdleBudget(self._size)  # idle connections over every endpoint
        self._waiting: list[asyncio.Future[None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    # -- the thread and its loop ---------------------------------------------------------------

    def _running(self) -> asyncio.AbstractEventLoop:
        loop = self._loop
        if loop is not None:
            return loop
        with self._start:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                self._thread = threading.Thread(
                    target=loop.run_forever, name="reconciler-http", daemon=True
                )
                self._thread.start()
                self._loop = loop
            return self._loop

    def close(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        self._loop = None

        def stop() -> None:
            for pools in self._pools.values():
                for pool in pools.values():
                    pool.close()
            # let the closed connections' transports finish closing, then stop
            loop.call_soon(loop.stop)

        if not loop.is_closed():
            loop.call_soon_threadsafe(stop)
            thread.join(timeout=5)
            if not thread.is_alive():
                loop.close()

    def _wait(self, work: Awaitable[T], within: float | None) -> T:
        loop = self._running()
        if threading.current_thread() is self._thread:
            raise RuntimeError("a blocking call was made on the event loop's own thread")
        future = asyncio.run_coroutine_threadsafe(_awaiting(work), loop)
        try:
            return future.result(within)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise DeadlinePassed from None
        except BaseException:
            future.cancel()  # Ctrl-C: what is under way is given up
            raise

    # -- what callers hand over ----------------------------------------------------------------

    def run(self, steps: Steps[T], *, within: float | None = None) -> T:
        """Run one call's steps; its result, or what it raised. ``within``: seconds before it is
        given up (`DeadlinePassed`)."""
        return self._wait(self._drive(steps), within)

    def run_many(
        self,
        tasks: list[Task],
        *,
        parallelism: int,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        """Run ``tasks``, at most ``parallelism`` at once, each started as another ends. The
        first error stops the others starting more, and is raised once those under way are
        done; a Ctrl-C cancels those under way."""
        if tasks:
            self._wait(self._batch(tasks, parallelism, progress), None)

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

    # -- steps ---------------------------------------------------------------------------------

    async def _drive(self, steps: Steps[T]) -> T:
        value: Any = None
        error: BaseException | None = None
        while True:
            try:
                step = steps.send(value) if error is None else steps.throw(error)
            except StopIteration as finished:
                result: T = finished.value
                return result
            error = None
            if type(step) is Exchange:
                epoch = await self._enter(step.limit)
                try:
                    value = await self._exchange(step, epoch)
                finally:
                    self._leave(step.limit)
            elif type(step) is Pause:
                await self._pause(step.seconds)
                value = None
            else:
                assert isinstance(step, Offload)
                try:
                    value = await asyncio.get_running_loop().run_in_executor(None, step.call)
                except Exception as exc:  # raised where the steps resume
                    error = exc

    async def _enter(self, limit: AdaptiveLimit) -> int:
        epoch = limit.try_enter()
        while epoch is None:
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
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

    def _pool(self, root: str, settings: Settings) -> LoopConnections:
        pools = self._pools.get(settings)
        if pools is None:
            pools = self._pools[settings] = {}
        pool = pools.get(root)
        if pool is None:
            proxy: Proxy | None = proxy_for(root)
            pool = pools[root] = LoopConnections(
                root,
                connect=settings.connect,
                read=settings.read,
                size=self._size,
                ca_certs=settings.ca_certs,
                budget=self._budget,
                proxy=proxy,
                head_bytes=settings.bounds.head_bytes,
            )
        return pool

    async def _exchange(self, step: Exchange, epoch: int) -> Outcome:
        request = step.request
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            pool = self._pool(request.root, step.settings)
            body = request.body or None
            answer = await pool.request(
                request.method.encode("ascii"),
                request.target.encode("ascii"),
                _head(pool.host_header, request.method, step.headers, body),
                body,
                limit=step.settings.answer_bytes[request.answer],
                deadline=started + step.settings.bounds.exchange_seconds,
            )
        except ConnectionFailure as exc:
            return Outcome(None, exc, epoch, loop.time() - started)
        return Outcome(answer, None, epoch, loop.time() - started)


async def _awaiting(work: Awaitable[T]) -> T:
    return await work


def _head(
    host: bytes, method: str, headers: Mapping[str, str], body: bytes | None
) -> list[tuple[bytes, bytes]]:
    """The headers sent: ``Host``, ``Content-Length`` and ``Accept-Encoding: identity`` added
    where the caller gave none. (Values are checked before: ASCII, no line break.)"""
    lines = [(name.encode("ascii"), value.encode("ascii")) for name, value in headers.items()]
    names = {name.lower() for name in headers}
    if "host" not in names:
        lines.insert(0, (b"host", host))
    if "content-length" not in names and (body or method in ("PUT", "POST")):
        lines.append((b"content-length", str(len(body or b"")).encode("ascii")))
    if "accept-encoding" not in names:
        lines.append(_IDENTITY)
    return lines


_IDENTITY = (b"accept-encoding", b"identity")

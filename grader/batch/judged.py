"""Running a batch's jobs through a judge (llm and hybrid modes): one event loop, one client, `concurrency` calls.

The rows wait on a server, not on the CPU, so they are graded as coroutines on one event loop in a thread of its
own, inside the judge's session (`judge_session`: one client, its connection pool sized to the concurrency),
exactly as `grader.grading.agrade_many` does from the Python API. Jobs are started in input order, at most
`window` at once; finished chunks go to the caller's thread in input order through a bounded queue, so memory
stays flat however many rows there are. A `GraderError` (no key, no server) stops the run and reaches the caller;
one row that fails to grade becomes an error row. Closing the iterator (Ctrl-C, an error while writing) cancels
the rows in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections import deque
from collections.abc import Iterator
from typing import Any

from grader.batch.tasks import Chunk, Job, Resolver, Style, agrade_task, pack
from grader.llm.judges.cache import judge_session
from grader.models import Mode

_DONE = object()


def run_judged(jobs: Iterator[Job], resolver: Resolver, *, mode: Mode, judge: Any, concurrency: int,
               repeat: int = 1, style: Style = Style()) -> Iterator[Chunk]:  # fmt: skip
    """The jobs graded through `judge`, in job order, with at most `concurrency` rows being judged at once."""
    out: queue.Queue[Any] = queue.Queue(maxsize=2 * concurrency)
    stop = threading.Event()
    runner = _Runner(jobs, resolver, mode, judge, concurrency, repeat, style, out, stop)
    thread = threading.Thread(target=runner.run, name="grader-judge-loop", daemon=True)
    thread.start()
    try:
        while (item := out.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        runner.cancel()
        while thread.is_alive():  # let it see `stop` if it waits to hand over a chunk
            try:
                out.get_nowait()
            except queue.Empty:
                thread.join(0.05)


class _Runner:
    """The event loop's side: grade jobs, hand chunks over in order."""

    def __init__(self, jobs: Iterator[Job], resolver: Resolver, mode: Mode, judge: Any, concurrency: int,
                 repeat: int, style: Style, out: queue.Queue[Any], stop: threading.Event) -> None:  # fmt: skip
        self.jobs, self.resolver, self.mode, self.judge = jobs, resolver, mode, judge
        self.concurrency, self.repeat, self.style = concurrency, repeat, style
        self.out, self.stop = out, stop
        self.loop: asyncio.AbstractEventLoop | None = None
        self.main: asyncio.Task[None] | None = None

    def run(self) -> None:
        try:
            asyncio.run(self._main())
        except asyncio.CancelledError:
            pass
        except BaseException as exc:
            self._hand(exc)
        self._hand(_DONE)

    def cancel(self) -> None:
        loop, main = self.loop, self.main
        if loop is not None and main is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(main.cancel)

    def _hand(self, item: Any) -> None:
        """Put `item` in the queue, waiting for room unless the caller has stopped reading."""
        while not self.stop.is_set():
            try:
                self.out.put(item, timeout=0.05)
                return
            except queue.Full:
                continue

    async def _main(self) -> None:
        self.loop, self.main = asyncio.get_running_loop(), asyncio.current_task()
        gate = asyncio.Semaphore(self.concurrency)
        window = 2 * self.concurrency
        pending: deque[asyncio.Task[Chunk]] = deque()
        async with judge_session(self.judge):
            try:
                for job in self.jobs:
                    pending.append(asyncio.create_task(self._grade(job, gate)))
                    if len(pending) >= window:
                        await self._give(await pending.popleft())
                while pending:
                    await self._give(await pending.popleft())
            finally:
                for task in pending:
                    task.cancel()

    async def _grade(self, job: Job, gate: asyncio.Semaphore) -> Chunk:
        records = []
        for task in job.tasks or ():  # jobs here carry their tasks (made by the caller from the rows)
            # The gate is held for the judge's calls only: rows are read ahead of a free slot.
            records.append(await agrade_task(task, self.resolver, self.mode, self.judge, self.repeat, slots=gate))
        return pack(records, self.style, job.heads, self.resolver)

    async def _give(self, chunk: Chunk) -> None:
        try:
            self.out.put_nowait(chunk)
        except queue.Full:
            await asyncio.to_thread(self._hand, chunk)

"""Running a batch's jobs through a judge (llm and hybrid modes): one event loop, one client, `concurrency` calls.

The rows wait on a server, not on the CPU, so they are graded as coroutines on one event loop inside the judge's
session (`judge_session`: one client, its connection pool sized to the concurrency), exactly as
`grader.grading.agrade_many` does from the Python API. The loop runs on the caller's thread, driven by the
iterator: each `next()` runs it until the next chunk in input order is done, and the caller writes that chunk
while the loop waits, so no second thread contends with the loop for the GIL.

Rows are started in input order as soon as one of the `2 × concurrency` rows being graded finishes, whatever its
place: a slow reply holds back only its own row, not the rows behind it (no head-of-line blocking). Finished rows
wait in a reorder buffer of at most `REORDER × concurrency` rows until the rows before them are handed over, so
the output order is the input's and memory stays flat however many rows there are. A `GraderError` (no key, no
server) stops the run: no row is started after it, the rows before it are handed over, then it is raised; one
row that fails to grade becomes an error row. Closing the iterator (Ctrl-C, an error while writing) cancels the
rows in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Generator, Iterator
from typing import Any

from grader.batch.tasks import Chunk, Job, Resolver, Style, agrade_task, pack
from grader.llm.judges.cache import judge_session
from grader.models import Mode

REORDER = 8  # finished rows held for the rows before them, per request in flight


def run_judged(jobs: Iterator[Job], resolver: Resolver, *, mode: Mode, judge: Any, concurrency: int,
               repeat: int = 1, style: Style = Style()) -> Iterator[Chunk]:  # fmt: skip
    """The jobs graded through `judge`, in job order, with at most `concurrency` rows being judged at once."""
    runner = _Runner(jobs, resolver, mode, judge, concurrency, repeat, style)
    if _loop_running():  # called from async code (a notebook): the loop of this run gets a thread of its own
        return _on_thread(runner)
    return runner.chunks()


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class _Runner:
    """Grade jobs on an event loop of its own; hand the chunks over in job order."""

    def __init__(self, jobs: Iterator[Job], resolver: Resolver, mode: Mode, judge: Any, concurrency: int,
                 repeat: int, style: Style) -> None:  # fmt: skip
        self.jobs, self.resolver, self.mode, self.judge = jobs, resolver, mode, judge
        self.concurrency, self.repeat, self.style = concurrency, repeat, style
        self.done: dict[int, Chunk] = {}  # finished jobs by index, until handed over
        self.handed = 0  # jobs handed over so far
        self.failed: tuple[int, BaseException] | None = None  # the first job (by index) that raised
        self.started = 0  # jobs started (the producer stops at a failure or the end of the input)
        self.changed = asyncio.Event()  # a job finished, or one was handed over

    def chunks(self) -> Generator[Chunk, None, None]:
        loop = asyncio.new_event_loop()
        main = loop.create_task(self._main())
        step: asyncio.Task[Chunk | None] | None = None
        try:
            while True:
                step = loop.create_task(self._next(main))
                chunk = loop.run_until_complete(step)
                if chunk is None:
                    break
                yield chunk
        finally:
            for task in (step, main):
                if task is not None and not task.done():
                    task.cancel()
                    with contextlib.suppress(BaseException):  # cancelled, or its error was raised already
                        loop.run_until_complete(task)
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()

    async def _next(self, main: asyncio.Task[None]) -> Chunk | None:
        """The next chunk in job order, None after the last; raises what stopped the run, in its place."""
        while True:
            if self.handed in self.done:
                self.handed += 1
                self.changed.set()  # room in the reorder buffer
                return self.done.pop(self.handed - 1)
            if self.failed is not None and self.failed[0] == self.handed:
                raise self.failed[1]
            if main.done():
                main.result()  # an error outside any row (reading the input, closing the session)
                if self.handed >= self.started:
                    return None
                raise RuntimeError(f"job {self.handed} of the batch was neither graded nor failed")  # a bug
            await self._wait(main)

    async def _wait(self, main: asyncio.Task[None]) -> None:
        """Until a job finishes (or the producer does)."""
        self.changed.clear()
        waiter = asyncio.ensure_future(self.changed.wait())
        await asyncio.wait([waiter, main], return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()

    async def _main(self) -> None:
        gate = asyncio.Semaphore(self.concurrency)  # rows being judged
        room = asyncio.Semaphore(2 * self.concurrency)  # rows being graded: being judged, or ready to be
        buffer = REORDER * self.concurrency
        running: set[asyncio.Task[None]] = set()
        async with judge_session(self.judge):
            try:
                for index, job in enumerate(self.jobs):
                    await room.acquire()
                    while index - self.handed >= buffer and self.failed is None:
                        self.changed.clear()
                        await self.changed.wait()
                    if self.failed is not None:
                        room.release()
                        break
                    task = asyncio.create_task(self._grade(index, job, gate, room))
                    running.add(task)
                    task.add_done_callback(running.discard)
                    self.started = index + 1
                while running:  # the session stays open for them
                    await asyncio.wait(set(running))
            finally:
                for task in running:
                    task.cancel()
                if running:
                    await asyncio.wait(set(running))

    async def _grade(self, index: int, job: Job, gate: asyncio.Semaphore, room: asyncio.Semaphore) -> None:
        try:
            records = []
            for task in job.tasks or ():  # jobs here carry their tasks (made by the caller from the rows)
                # The gate is held for the judge's calls only: rows are read ahead of a free slot.
                records.append(await agrade_task(task, self.resolver, self.mode, self.judge, self.repeat, slots=gate))
            self.done[index] = pack(records, self.style, job.heads, self.resolver)
        except Exception as exc:  # a GraderError: no row is started after it, the rows before it are handed over
            if self.failed is None or index < self.failed[0]:
                self.failed = (index, exc)
        finally:
            room.release()
            self.changed.set()


_DONE = object()


def _on_thread(runner: _Runner) -> Iterator[Chunk]:
    """`runner.chunks()` iterated on a thread of its own, its chunks handed over through a bounded queue."""
    out: queue.Queue[Any] = queue.Queue(maxsize=2 * runner.concurrency)
    stop = threading.Event()

    def hand(item: Any) -> bool:
        while not stop.is_set():
            try:
                out.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        chunks = runner.chunks()
        try:
            for chunk in chunks:
                if not hand(chunk):
                    break
        except BaseException as exc:
            hand(exc)
        finally:
            chunks.close()
        hand(_DONE)

    thread = threading.Thread(target=produce, name="grader-judge-loop", daemon=True)
    thread.start()
    try:
        while (item := out.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()

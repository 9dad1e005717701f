"""Running the batch's jobs in order on worker processes (lexical: CPU-bound) or one event loop (llm/hybrid: waiting
on a server, `grader.batch.judged`), with a bounded window so memory stays flat however many rows there are.

Per-row work in the parent is what stops a batch scaling with workers (on 2 cores it competes with them), so the
parent does none. A chunk of rows is a `Job`: for CSV and JSONL input in lexical mode just "rows 640..703", and
whoever grades it reads those rows from the file itself (`RowCursor`), makes their tasks, grades them and formats
them (`Chunk`: grades.jsonl and grades.csv lines, encoded, and the rows' summary facts, counted). The parent writes
bytes and merges one small tally per chunk. XLSX input and the llm modes (the event loop) get their tasks from
the parent.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import pickle
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Any

from grader.bank.store import Bank
from grader.batch.tasks import CHUNK, Chunk, Job, Resolver, Style, Task, grade_job, task_for
from grader.errors import GraderError
from grader.models import Mode
from grader.tables import RowCursor, RowSource

# --- worker processes ---------------------------------------------------------------------------------------------

class Workers:
    """Worker processes for lexical grading, started before the batch's first pass so that they start up (a Python
    each, importing the grader) while it reads the input. `share` then hands them what the pass found (rubrics of
    own references, examples) through a file in OUT, which each reads at its first job."""

    def __init__(self, count: int, bank_root: Path, style: Style, source: RowSource, shared: Path) -> None:
        self.count, self.shared = count, shared
        self._clean()  # a killed run's
        ctx = multiprocessing.get_context(start_method())
        # Not multiprocessing.Pool: its worker-handler thread wakes whenever a result waits in the pipe, and with
        # large results it spun on the GIL for as much CPU as the parent's real work.
        self.pool = ProcessPoolExecutor(count, ctx, _init_worker, (str(bank_root), style, source, str(shared)))
        for _ in range(count):
            self.pool.submit(_started)  # while none is idle, each submit starts one more process

    def start_early(self, heads: int) -> list[tuple[Job, Future[Chunk | None]]]:
        """Start grading the first rows before the first pass is done (the workers would wait for it otherwise):
        a job whose rows all name bank questions (or cannot be graded) is graded as usual; one with a row that
        brings its own reference is left for after the pass (see `_grade_early`). Jobs past the input's end
        come back empty."""
        jobs = list(jobs_between(0, 2 * self.count * CHUNK, CHUNK, heads))
        return [(job, self.pool.submit(_grade_early, job)) for job in jobs]

    def share(self, resolver: Resolver) -> None:
        tmp = self.shared.with_name(f"{self.shared.name}.tmp")
        tmp.write_bytes(pickle.dumps((resolver.pairs, resolver.by_hash), pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, self.shared)

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)  # on Ctrl-C too: chunks not started are dropped
        self._clean()

    def _clean(self) -> None:
        """Remove the shared file and any results a worker left (Ctrl-C, a kill: the rows are graded again)."""
        self.shared.unlink(missing_ok=True)
        for leftover in self.shared.parent.glob(f"{_SPOOL_PREFIX}*"):
            leftover.unlink(missing_ok=True)


def start_method() -> str:
    """How worker processes start: forked on Linux when this process has no other thread (a fork copies a lock
    another thread may hold), so a worker starts at once with the grader imported; else spawned (a new Python that
    imports it, ~0.35 s of CPU each)."""
    return "fork" if sys.platform == "linux" and threading.active_count() == 1 else "spawn"


@contextmanager
def start_workers(count: int, bank_root: Path, style: Style, source: RowSource,
                  shared: Path) -> Iterator[Workers | None]:  # fmt: skip
    """`Workers` when there are to be more than one (else None, for grading in this process), stopped at the end."""
    workers = Workers(count, bank_root, style, source, shared) if count > 1 else None
    try:
        yield workers
    finally:
        if workers is not None:
            workers.close()


_setup: tuple[str, Style, RowSource, str] | None = None
_worker: tuple[Resolver, Style, RowCursor, Path] | None = None
_shared_read = False


def _init_worker(root: str, style: Style, source: RowSource, shared: str) -> None:
    global _setup
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops the pool
    parent = multiprocessing.parent_process()
    if parent is not None:  # a killed parent must not leave workers waiting for tasks forever
        threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True).start()
    _setup = (root, style, source, shared)


def _exit_with(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(1)


def _started() -> None:
    """Nothing: submitted once per worker to start the processes."""


def _worker_state(after_pass: bool) -> tuple[Resolver, Style, RowCursor, Path]:
    """This worker's resolver, style, row reader and shared file; with `after_pass`, the resolver knows what the
    first pass shared (read once, at the first job after it)."""
    global _worker, _shared_read
    if _worker is None:
        assert _setup is not None
        root, style, source, shared = _setup
        _worker = (Resolver(Bank(Path(root))), style, RowCursor(source), Path(shared))
    if after_pass and not _shared_read:
        pairs, by_hash = pickle.loads(_worker[3].read_bytes())
        _worker[0].pairs.update(pairs)
        _worker[0].by_hash.update(by_hash)
        _shared_read = True
    return _worker


def _grade_early(job: Job) -> Chunk | None:
    """`_grade_job` before the first pass has shared what it found: with the bank's questions only; None when a
    row brings its own reference (its rubric is built by the pass)."""
    resolver, style, rows, shared = _worker_state(after_pass=False)
    taken = rows.take(job.start, job.rows)
    if not all(r.error is not None or resolver.knows(r.question_id.strip(), r.reference) for r in taken):
        return None
    tasks = [task_for(row, resolver) for row in taken]
    return grade_job(job._replace(tasks=tasks), resolver, style, None).spooled(_spool_path(shared, job.start))


def _grade_job(job: Job) -> Chunk:
    resolver, style, rows, shared = _worker_state(after_pass=True)
    return grade_job(job, resolver, style, rows).spooled(_spool_path(shared, job.start))


def _spool_path(shared: Path, start: int) -> Path:
    """Where a worker leaves the results of the job starting at row `start` (beside the shared file, in OUT)."""
    return shared.with_name(f"{_SPOOL_PREFIX}{start}")


_SPOOL_PREFIX = ".grader-batch-job-"


def run_ordered(jobs: Iterable[Job], resolver: Resolver, source: RowSource, *, mode: Mode, judge: Any,
                workers: Workers | None, concurrency: int, repeat: int = 1, style: Style = Style(),
                early: Sequence[tuple[Job, Future[Chunk | None]]] = ()) -> Iterator[Chunk]:  # fmt: skip
    """The jobs' rows graded, in job order; at most a few jobs are in flight at once. Jobs without tasks read their
    rows from `source`, in lexical mode only (one reader per process; the llm modes grade on threads)."""
    if mode != "lexical":
        if judge is None:
            raise GraderError(f"--mode {mode} needs a judge", fix="Pass --judge, or use --mode lexical")
        from grader.batch.judged import run_judged

        yield from run_judged(iter(jobs), resolver, mode=mode, judge=judge, concurrency=max(1, concurrency),
                              repeat=repeat, style=style)  # fmt: skip
        return
    if workers is None:
        rows = RowCursor(source)
        try:
            for job in jobs:
                yield grade_job(job, resolver, style, rows)
        finally:
            rows.close()
        return
    workers.share(resolver)
    procs = workers.pool

    def finish_early(job: Job, future: Future[Chunk | None]) -> Callable[[], Chunk]:
        def result() -> Chunk:
            chunk = future.result()
            return chunk if chunk is not None else procs.submit(_grade_job, job).result()

        return result

    started = deque(finish_early(job, future) for job, future in early)  # the jobs before `jobs`, in order
    try:
        yield from _windowed(iter(jobs), lambda j: procs.submit(_grade_job, j).result, 3 * workers.count, started)
    except BrokenProcessPool:
        raise GraderError("a worker process died (out of memory, or killed)", fix="Run again with --resume to "
                          "finish the batch; add --workers 1 if it happens again") from None  # fmt: skip


def jobs_of(tasks: Iterable[Task], start: int, size: int, heads_before: int) -> Iterator[Job]:
    """Jobs carrying `tasks`, `size` at a time; the first task is row `start` (see `Job.heads`)."""
    it = iter(tasks)
    while chunk := list(islice(it, size)):
        yield Job(start, len(chunk), _heads(start, len(chunk), heads_before), chunk)
        start += len(chunk)


def jobs_between(start: int, end: int, size: int, heads_before: int) -> Iterator[Job]:
    """Jobs for rows start .. end - 1, `size` at a time, each read by whoever grades it."""
    for first in range(start, end, size):
        count = min(size, end - first)
        yield Job(first, count, _heads(first, count, heads_before))


def _heads(start: int, count: int, heads_before: int) -> int:
    """How many of rows start .. start + count - 1 come before row `heads_before`."""
    return max(0, min(count, heads_before - start))


def _windowed(jobs: Iterator[Job], submit: Callable[[Job], Callable[[], Chunk]], window: int,
              pending: deque[Callable[[], Chunk]] | None = None) -> Iterator[Chunk]:  # fmt: skip
    pending = deque() if pending is None else pending
    for job in jobs:
        pending.append(submit(job))
        if len(pending) >= window:
            yield pending.popleft()()
    while pending:
        yield pending.popleft()()

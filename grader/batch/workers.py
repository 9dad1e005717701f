"""Running the batch's grading: which question and rubric a row is graded against, and grading rows in order on
worker processes (lexical: CPU-bound) or threads (llm/hybrid: waiting on a server), with a bounded window so
memory stays flat however many rows there are.

Per-row work in the parent is what stops a batch scaling with workers (on 2 cores it competes with them), so the
parent does none. A chunk of rows is a `Job`: for CSV and JSONL input in lexical mode just "rows 640..703", and
whoever grades it reads those rows from the file itself (`RowCursor`), makes their tasks, grades them and formats
them (`Chunk`: grades.jsonl and grades.csv lines, encoded, and the rows' summary facts, counted). The parent writes
bytes and merges one small tally per chunk. XLSX input and the llm modes (threads) get their tasks from the parent.
"""

from __future__ import annotations

import json
import multiprocessing
import multiprocessing.connection
import os
import pickle
import re
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from grader.bank.store import Bank, atomic_write, model_yaml, reference_hash, rubric_yaml
from grader.errors import GraderError, NotFound
from grader.grading import grade
from grader.bank.importers.telegram import slugify
from grader.models import Mode, Question, Rubric
from grader.batch.records import Aggregator, csv_row, error_record, grade_record, summary_facts, without_surrogates
from grader.tables.rows import LeanRow, RowCursor, RowSource
from grader.engine.rubric import build_rubric, is_stale, rubric_for
from grader.engine.text import detect_lang

CHUNK = 256  # rows per job in lexical mode: the parent's cost per job (results, merging) is ~1 ms
_ID_OK = re.compile(r"^[a-z0-9][a-z0-9-]*$")


# NamedTuples, not models: these cross to worker processes per row, where pickling and validation would cost.
class Task(NamedTuple):
    """A row to grade (`key` names its question), or, with `error` set, a row recorded as not gradable."""

    row_id: str
    candidate: str
    line_no: int
    key: str = ""
    answer: str = ""
    question_id: str = ""
    error: str = ""


class Job(NamedTuple):
    """A chunk of rows to grade: `rows` rows from row `start` of the input (counting from 0), read by whoever
    grades them, or, when `tasks` is given, those. The first `heads` rows are indexed by the report (`Chunk.heads`)."""

    start: int
    rows: int
    heads: int = 0
    tasks: list[Task] | None = None


class Chunk(NamedTuple):
    """Graded rows as the batch writes them: grades.jsonl and grades.csv lines (UTF-8, one blob each), the row
    count, (candidate, question id, grades.jsonl line size) of the job's first `heads` rows, and the rows' summary
    facts counted (an `Aggregator` of the chunk, merged by the parent).

    A worker process leaves the two blobs in a file of its own (`spool`, the grades.jsonl bytes then the grades.csv
    bytes, `sizes` long) instead of sending them: they are most of what a batch writes (~7 KB a row), and piping
    and unpickling them was most of the parent's work; the parent copies the file in the kernel (`write`)."""

    jsonl: bytes
    csv: bytes
    rows: int
    heads: list[tuple[str, str, int]]
    tally: Aggregator
    spool: str = ""
    sizes: tuple[int, int] = (0, 0)

    def write(self, jsonl: BinaryIO, csv: BinaryIO) -> int:
        """Append the rows' grades.jsonl and grades.csv lines to those files; return the grades.jsonl bytes."""
        if not self.spool:
            jsonl.write(self.jsonl)
            csv.write(self.csv)
            return len(self.jsonl)
        fd = os.open(self.spool, os.O_RDONLY)
        try:
            _copy(fd, jsonl, self.sizes[0])
            _copy(fd, csv, self.sizes[1])
        finally:
            os.close(fd)
        os.unlink(self.spool)
        return self.sizes[0]

    def spooled(self, path: Path) -> Chunk:
        """This chunk with its blobs moved to the file `path` (see `spool`)."""
        with path.open("wb") as fh:
            fh.write(self.jsonl)
            fh.write(self.csv)
        return self._replace(jsonl=b"", csv=b"", spool=str(path), sizes=(len(self.jsonl), len(self.csv)))


def _copy(src: int, dst: BinaryIO, count: int) -> None:
    """`count` bytes from the descriptor `src` (at its position) to the end of `dst`, in the kernel where it can."""
    dst.flush()
    out = dst.fileno()
    try:
        while count > 0:
            done = os.copy_file_range(src, out, count)
            if done == 0:
                raise OSError("copy_file_range copied nothing")
            count -= done
    except (AttributeError, OSError):  # not Linux, another filesystem, an O_APPEND file: copy through memory
        while count > 0:
            data = os.read(src, min(count, 1 << 20))
            if not data:
                raise OSError(f"{count} bytes missing from a worker's results") from None
            dst.write(data)
            count -= len(data)
    dst.seek(0, os.SEEK_END)  # the file's position moved under its buffer


class Style(NamedTuple):
    """How rows are written: grades.csv's delimiter, and a calibration mapping every score (or None)."""

    csv_delimiter: str = ";"
    calibration: Any = None  # grader.agreement.calibration.Calibration


class Resolver:
    """Question and rubric for each row: the bank's (by question_id) or one built from the row's own reference."""

    def __init__(self, bank: Bank) -> None:
        self.bank = bank
        self.bank_ids = set(bank.ids())
        self.pairs: dict[str, tuple[Question, Rubric]] = {}
        self.by_hash: dict[str, str] = {}
        self.warnings: list[str] = []

    def add_adhoc(self, adhoc: dict[str, tuple[str, str, str]], out: Path) -> list[str]:
        """Build (or reuse from OUT/rubrics) a rubric per distinct own reference; return the ids built anew."""
        corpus = sorted({q.reference for q in self.bank.questions()} | {ref for _, _, ref in adhoc.values()})
        built = []
        for h, (qid, text, ref) in adhoc.items():
            key = qid if _ID_OK.match(qid) and qid not in self.pairs else f"{slugify(text or ref)[:48]}-{h[:6]}"
            question = Question(id=key, question=text.strip() or qid or key, reference=ref, lang=detect_lang(ref))
            path = out / "rubrics" / f"{key}.yaml"
            saved = Bank(out).rubric(key) if path.exists() else None
            if saved is None or is_stale(saved, question):
                saved = build_rubric(question, [c for c in corpus if c != ref])
                atomic_write(out / "questions" / f"{key}.yaml", model_yaml(question))
                atomic_write(path, rubric_yaml(saved))
                built.append(key)
            self.pairs[key] = (question, saved)
            self.by_hash[h] = key
        return built

    def knows(self, qid: str, reference: str) -> bool:
        """Whether `key_for` can answer for this row yet: a row's own reference needs the rubric the first pass
        builds for it."""
        return qid in self.bank_ids or not reference.strip() or reference_hash(reference) in self.by_hash

    def key_for(self, qid: str, reference: str) -> tuple[str | None, str | None]:
        """(key, None) for a gradable row, or (None, why not)."""
        if qid in self.bank_ids:
            self.pair(qid)
            return qid, None
        if reference.strip():
            return self.by_hash[reference_hash(reference)], None
        if not qid:
            return None, "no question_id, and no question and reference"
        try:
            self.bank.question(qid)
        except NotFound as exc:
            return None, f"unknown question id '{qid}'. {exc.fix or ''}".strip()
        return None, f"unknown question id '{qid}'"  # pragma: no cover - question() raises for unknown ids

    def pair(self, key: str) -> tuple[Question, Rubric]:
        found = self.pairs.get(key)
        if found is None:
            question = self.bank.question(key)
            rubric, warnings = rubric_for(self.bank, question)
            self.warnings += warnings
            found = self.pairs[key] = (question, rubric)
        return found

    def text_of(self, key: str) -> str:
        """The question text for the report ('' for an unknown id)."""
        if key in self.pairs or key in self.bank_ids:
            return self.pair(key)[0].question
        return ""


def grade_task(task: Task, resolver: Resolver, mode: Mode = "lexical", judge: Any = None,
               repeat: int = 1) -> dict[str, Any]:  # fmt: skip
    """The grades.jsonl object for a task; a row that fails to grade becomes an error object."""
    if task.error or not task.key:
        return error_record(task.row_id, task.candidate, task.line_no, task.question_id, task.error or "no question")
    question, rubric = resolver.pair(task.key)
    answer = without_surrogates(task.answer)
    try:
        g = grade(question, rubric, answer, mode=mode, judge=judge, repeat=repeat)
    except NotImplementedError as exc:
        raise GraderError(f"--mode {mode} is not available: {exc}", fix="Use --mode lexical") from None
    except GraderError:
        raise  # a judge that cannot work at all (no key, no server) stops the batch
    except Exception as exc:  # one answer that breaks grading must not stop the others
        rec = error_record(task.row_id, task.candidate, task.line_no, task.key, f"grading failed: {exc!r}")
    else:
        rec = grade_record(task.row_id, task.candidate, task.line_no, answer, g)
    return rec


def task_for(row: LeanRow, resolver: Resolver) -> Task:
    """A row to grade, or one to record with the reason it cannot be graded."""
    qid = row.question_id.strip()
    problem = row.error
    key = None
    if problem is None:
        key, problem = resolver.key_for(qid, row.reference)
    if problem is None and not row.answer.strip():
        problem = "empty answer"
    if problem is not None or key is None:
        return Task(row.id, row.candidate, row.line, question_id=qid, error=problem or "no question")
    return Task(row.id, row.candidate, row.line, key=key, answer=row.answer)


def pack(records: Iterable[dict[str, Any]], style: Style, heads: int = 0) -> Chunk:
    """grades.jsonl objects as the batch writes them (each score calibrated when `style` says so)."""
    lines, csvs, tally = [], [], Aggregator({})
    index: list[tuple[str, str, int]] = []
    for record in records:
        line = json.dumps(record, ensure_ascii=False) + "\n"
        if style.calibration is not None:
            from grader.batch.teach import calibrate_line

            mapped = calibrate_line(line, style.calibration)
            if mapped is not line:
                line, record = mapped, json.loads(mapped)
        data = line.encode("utf-8")
        lines.append(data)
        csvs.append(csv_row(record, style.csv_delimiter))
        facts = summary_facts(record)
        tally.add_facts(facts)
        if len(index) < heads:
            index.append((facts[2], facts[1], len(data)))
    return Chunk(b"".join(lines), "".join(csvs).encode("utf-8"), len(lines), index, tally)


def grade_job(job: Job, resolver: Resolver, style: Style, rows: RowCursor | None, mode: Mode = "lexical",
              judge: Any = None, repeat: int = 1) -> Chunk:  # fmt: skip
    """Read the job's rows (unless it brings its tasks), grade them and format them for writing."""
    tasks = job.tasks
    if tasks is None:
        assert rows is not None, "a job without tasks needs the input's rows"
        tasks = [task_for(row, resolver) for row in rows.take(job.start, job.rows)]
    return pack((grade_task(t, resolver, mode, judge, repeat) for t in tasks), style, job.heads)


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
        with ThreadPoolExecutor(max(1, concurrency)) as pool:
            yield from _windowed(iter(jobs), lambda j: pool.submit(
                lambda: grade_job(j, resolver, style, None, mode, judge, repeat)).result,
                2 * concurrency)  # fmt: skip
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

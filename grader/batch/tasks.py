"""What a batch row is graded against, and grading a chunk of rows into the bytes the batch writes.

A `Resolver` turns a row into a `Task` (its question and rubric: a bank question, or one made from the row's own
reference); `grade_job` grades a `Job` (a range of rows, or tasks sent by the parent) into a `Chunk` (grades.jsonl
and grades.csv lines, encoded, and the rows' summary facts, counted). `grader.batch.workers` runs jobs in order on
worker processes or threads.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from grader.bank.importers.telegram import slugify
from grader.bank.store import Bank, atomic_write, model_yaml, rubric_for, rubric_yaml
from grader.batch import integrity, lean
from grader.batch.records import Extra, calibrate_line, csv_row, error_record, grade_record, without_surrogates
from grader.batch.summary import Aggregator, summary_facts
from grader.engine.rubric import build_rubric, is_stale, reference_hash
from grader.engine.text import detect_lang
from grader.errors import GraderError, NotFound
from grader.grading import agrade, grade
from grader.models import QUESTION_ID, Grade, Mode, Question, Rubric
from grader.tables import LeanRow, RowCursor

CHUNK = 256  # rows per job in lexical mode: the parent's cost per job (results, merging) is ~1 ms
# `json.dumps(record, ensure_ascii=False)` made once: dumps builds an encoder per call when given an option. Records
# are the grader's own dicts, never circular, so the encoder does not check for cycles (the text is the same).
_to_json = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
_ID_OK = re.compile(QUESTION_ID)


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
    extra: Extra = ()  # the row's extra input columns, carried into its records


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
    """How rows are written: grades.csv's delimiter, a calibration mapping every score (or None), and the input's
    extra columns that grades.csv carries (`grader.batch.records.csv_header`)."""

    csv_delimiter: str = ";"
    calibration: Any = None  # grader.agreement.calibration.Calibration
    extra_columns: tuple[str, ...] = ()
    output: str = "full"  # grades.jsonl's rows: "full", or "lean" (`grader.batch.lean`)


class Resolver:
    """Question and rubric for each row: the bank's (by question_id) or one built from the row's own reference."""

    def __init__(self, bank: Bank) -> None:
        self.bank = bank
        self.bank_ids = set(bank.ids())
        self.pairs: dict[str, tuple[Question, Rubric]] = {}
        self.by_hash: dict[str, str] = {}
        self.warnings: list[str] = []
        self._entries: dict[str, dict[str, Any] | None] = {}

    def entry(self, key: str) -> dict[str, Any] | None:
        """What rubrics.json holds of a question the resolver knows (None for another id); made once per key."""
        if key not in self._entries:
            pair = self.pairs.get(key)
            self._entries[key] = None if pair is None else lean.rubric_entry(*pair)
        return self._entries[key]

    def add_adhoc(self, adhoc: dict[str, tuple[str, str, str]], out: Path) -> list[str]:
        """Build (or reuse from OUT/rubrics) a rubric per distinct own reference; return the ids built anew."""
        built = []
        for h, (qid, text, ref) in adhoc.items():
            key = qid if _ID_OK.match(qid) and qid not in self.pairs else f"{slugify(text or ref)[:48]}-{h[:6]}"
            question = Question(id=key, question=text.strip() or qid or key, reference=ref, lang=detect_lang(ref))
            path = out / "rubrics" / f"{key}.yaml"
            saved = Bank(out).rubric(key) if path.exists() else None
            if saved is None or is_stale(saved, question):
                saved = build_rubric(question)
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
    ready = _ready(task, resolver)
    if isinstance(ready, dict):
        return ready
    question, rubric, answer = ready
    try:
        g = grade(question, rubric, answer, mode=mode, judge=judge, repeat=repeat)
    except Exception as exc:
        return _failed(task, mode, exc)
    return _graded(task, question, answer, g)


async def agrade_task(task: Task, resolver: Resolver, mode: Mode, judge: Any, repeat: int = 1,
                      slots: Any = None) -> dict[str, Any]:  # fmt: skip
    """`grade_task` inside an event loop: the judge is awaited, so one client serves every row in flight; `slots`
    bounds the rows being judged at once (see `grader.grading.agrade`)."""
    ready = _ready(task, resolver)
    if isinstance(ready, dict):
        return ready
    question, rubric, answer = ready
    try:
        g = await agrade(question, rubric, answer, mode=mode, judge=judge, repeat=repeat, slots=slots)
    except Exception as exc:
        return _failed(task, mode, exc)
    return _graded(task, question, answer, g)


def _ready(task: Task, resolver: Resolver) -> dict[str, Any] | tuple[Question, Rubric, str]:
    """What to grade the task with, or its error object when it cannot be graded."""
    if task.error or not task.key:
        return error_record(task.row_id, task.candidate, task.line_no, task.question_id, task.error or "no question",
                            task.extra)  # fmt: skip
    question, rubric = resolver.pair(task.key)
    return question, rubric, without_surrogates(task.answer)


def _graded(task: Task, question: Question, answer: str, g: Grade) -> dict[str, Any]:
    """The grades.jsonl object of a graded row, with its integrity flags (which never change the score)."""
    found = integrity.flags_for(answer, question.reference) if answer.strip() else []
    if found:
        g = g.model_copy(update={"flags": [*g.flags, *found]})
    return grade_record(task.row_id, task.candidate, task.line_no, answer, g, question.question, task.extra)


def _failed(task: Task, mode: Mode, exc: Exception) -> dict[str, Any]:
    """The error object of a row whose grading raised `exc`; raises again what must stop the batch."""
    if isinstance(exc, NotImplementedError):
        raise GraderError(f"--mode {mode} is not available: {exc}", fix="Use --mode lexical") from None
    if isinstance(exc, GraderError):
        raise exc  # a judge that cannot work at all (no key, no server) stops the batch
    # one answer that breaks grading must not stop the others
    return error_record(task.row_id, task.candidate, task.line_no, task.key, f"grading failed: {exc!r}", task.extra)


def task_for(row: LeanRow, resolver: Resolver) -> Task:
    """A row to grade, or one to record with the reason it cannot be graded."""
    qid = row.question_id.strip()
    problem = row.error
    key = None
    if problem is None:
        key, problem = resolver.key_for(qid, row.reference)
    if problem is not None or key is None:
        return Task(row.id, row.candidate, row.line, question_id=qid, error=problem or "no question", extra=row.extra)
    return Task(row.id, row.candidate, row.line, key=key, answer=row.answer, extra=row.extra)


def pack(records: Iterable[dict[str, Any]], style: Style, heads: int = 0, resolver: Resolver | None = None) -> Chunk:
    """grades.jsonl objects as the batch writes them (each score calibrated when `style` says so; lean rows, made
    with the rubrics `resolver` knows, when it says so)."""
    lines, csvs, tally = [], [], Aggregator({})
    index: list[tuple[str, str, int]] = []
    shrink = style.output == "lean" and resolver is not None
    for record in records:
        line = "" if shrink and style.calibration is None else _to_json(record) + "\n"
        if style.calibration is not None:
            mapped = calibrate_line(line, style.calibration)
            if mapped is not line:
                line, record = mapped, json.loads(mapped)
        if shrink:
            assert resolver is not None
            line = _to_json(lean.lean(record, resolver.entry(record.get("question_id") or "")))
            line += "\n"
        data = line.encode("utf-8")
        lines.append(data)
        csvs.append(csv_row(record, style.csv_delimiter, style.extra_columns))
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
    return pack((grade_task(t, resolver, mode, judge, repeat) for t in tasks), style, job.heads, resolver)

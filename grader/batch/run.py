"""The batch job: grade every row of an input file, write grades.jsonl, grades.csv, summary.json and report.html.

Two passes over the input. The first (`scan`) counts rows, names duplicate ids up front and collects the distinct
references of rows that bring their own question; a rubric is built once for each and saved in OUT/rubrics (with
the question in OUT/questions, so OUT is a bank you can review, curate and reuse: a curated rubric found there is
used instead of a new one). The second pass grades rows in input order and appends each result to
OUT/grades.jsonl.part as it is made, its grades.csv line to a partial file beside it, and its summary facts to
memory (`ReportWriter`). A killed run leaves the .part file behind; `resume=True` keeps its complete lines, checks
they belong to this input, feeds them to the reports again and grades only the rest. When all rows are done,
grades.csv, summary.json and report.html are moved into place (`os.replace`), grades.jsonl last. The files hold no
timestamps, so a resumed batch ends with the same files as an uninterrupted one.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from grader import __version__
from grader.bank.store import Bank, atomic_write
from grader.batch import lean
from grader.batch.files import DETAIL_LIMIT, ReportWriter
from grader.batch.records import csv_line
from grader.batch.tasks import CHUNK, Job, Resolver, Style, task_for
from grader.batch.workers import jobs_between, jobs_of, run_ordered, start_workers
from grader.engine.rubric import reference_hash
from grader.errors import GraderError, InvalidFile
from grader.limits import cores, json_loads
from grader.models import Mode, Model
from grader.outputs import FolderLock, write_atomic, writing
from grader.tables import LeanRow, RowSource

if TYPE_CHECKING:
    from grader.agreement.calibration import Calibration

PART = "grades.jsonl.part"
STATE = ".grader-batch.json"
SHARED = ".grader-batch-shared.pickle"  # what the first pass found, for the workers
ProgressFn = Callable[[int, int], None]
Output = Literal["full", "lean"]


class BatchResult(Model):
    """What a batch did: counts, where the files are, and notes for the user (rubrics built, stale rubrics)."""

    out: str
    rows: int
    graded: int
    blank: int = 0  # blank answers: graded 0, flag `empty`
    unscored: int
    errors: int
    resumed: int  # rows taken from an interrupted run
    files: dict[str, str]
    rubrics_built: list[str] = []
    warnings: list[str] = []


@dataclass
class Plan:
    """What the first pass found: the row count and the distinct references of rows without a bank question."""

    total: int = 0
    adhoc: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # ref hash -> (row qid, question, ref)
    questions: dict[str, None] = field(default_factory=dict)  # the bank questions named, in order of first row


def scan(source: RowSource, bank_ids: set[str]) -> Plan:
    """Count rows, collect own references, and raise on duplicate row ids (all named, with their lines)."""
    plan, first, dups = Plan(), dict[str, int](), list[str]()
    for row in source.row_keys():
        plan.total += 1
        if row.id in first:
            dups.append(f"'{row.id}' (lines {first[row.id]} and {row.line})")
        else:
            first[row.id] = row.line
        qid = row.question_id.strip()
        if qid in bank_ids:
            plan.questions.setdefault(qid)
        elif row.reference.strip():
            plan.adhoc.setdefault(reference_hash(row.reference), (qid, row.question, row.reference))
    if dups:
        more = f" and {len(dups) - 5} more" if len(dups) > 5 else ""
        raise InvalidFile(f"duplicate row ids: {', '.join(dups[:5])}{more}", where=str(source.path),
                          fix="Give every row a unique id (or drop the id column to number rows by line)")  # fmt: skip
    return plan


def run_batch(source: RowSource, out: Path, bank: Bank, *, mode: Mode = "lexical", judge: Any = None,
              workers: int = 1, concurrency: int = 4, repeat: int = 1, resume: bool = False, restart: bool = False,
              csv_delimiter: str = ";", progress: ProgressFn | None = None, examples: Path | None = None,
              calibration: Calibration | None = None, score_max: float | None = None,
              output: Output = "full") -> BatchResult:  # fmt: skip
    """Grade every row of `source` into the folder `out`; see the module docstring for the files and resuming.
    `output="lean"` writes lean grades.jsonl rows and OUT/rubrics.json to expand them (`grader.batch.lean`).
    One run at a time writes into a folder: another one (resuming or restarting too) is refused while it runs.
    `workers` is capped at the cores this process may use.

    `examples`: graded answers that teach the grader (`grader.batch.teach`), their scores on 0..`score_max`
    (read from the file when not given); `calibration` maps every score."""
    _check_delimiter(csv_delimiter)
    with FolderLock(out), writing(out):
        return _run_batch(source, out, bank, mode=mode, judge=judge, workers=min(workers, cores()),
                          concurrency=concurrency, repeat=repeat, resume=resume, restart=restart,
                          csv_delimiter=csv_delimiter, progress=progress, examples=examples,
                          calibration=calibration, score_max=score_max, output=output)  # fmt: skip


def _run_batch(source: RowSource, out: Path, bank: Bank, *, mode: Mode, judge: Any, workers: int, concurrency: int,
               repeat: int, resume: bool, restart: bool, csv_delimiter: str, progress: ProgressFn | None,
               examples: Path | None, calibration: Calibration | None,
               score_max: float | None = None, output: Output = "full") -> BatchResult:  # fmt: skip
    if output not in ("full", "lean"):
        raise GraderError(f"no output format {output!r}", fix="Use --output full or --output lean")
    style = Style(csv_delimiter, calibration, tuple(source.extra_columns()), output)
    # Workers start now, so that they start up while the first pass reads the input.
    with start_workers(workers if mode == "lexical" else 0, bank.root, style, source, out / SHARED) as pool:
        # The workers start on the first rows meanwhile, unless the pass may change how rows are graded (examples)
        # or which rows are left (resuming); XLSX rows are read by this process only.
        early = []
        if pool is not None and not resume and examples is None and source.format != "xlsx":
            early = pool.start_early(DETAIL_LIMIT)
        plan = scan(source, set(bank.ids()))
        resolver = Resolver(bank)
        built = resolver.add_adhoc(plan.adhoc, out)
        state = _state(source, mode, judge)
        if output != "full":
            state["output"] = output  # only then: a folder of an older run resumes as before
        if examples is not None or calibration is not None:
            from grader.batch import teach as batch_teach

            if examples is not None:
                resolver.warnings += batch_teach.attach_examples(resolver, examples, source.columns, score_max)
            state.update(batch_teach.fingerprint(examples, calibration, score_max))
        for qid in plan.questions:  # rubrics loaded once, here, and shared: not by each worker, nor in the end
            resolver.pair(qid)
        done = _prepare_part(out, state, resume=resume, restart=restart)
        expand = _expander(resolver) if output == "lean" else None
        with ReportWriter(out, out / PART, csv_delimiter=csv_delimiter, extra_columns=style.extra_columns,
                          expand=expand) as report, (out / PART).open("r+b") as part:  # fmt: skip
            part.seek(0, os.SEEK_END)  # not opened to append: the kernel copies workers' results into it
            report.add_written(out / PART)  # rows of the interrupted run, when resuming
            first = max([done, *(job.start + job.rows for job, _ in early)])  # the rows after the early ones
            jobs = _jobs(source, resolver, mode, out / PART, done, first, plan.total, report.detail_limit)
            count = done
            for chunk in run_ordered(jobs, resolver, source, mode=mode, judge=judge, workers=pool,
                                     concurrency=concurrency, repeat=repeat, style=style, early=early):  # fmt: skip
                size = chunk.write(part, report.csv)
                part.flush()
                report.add(size, chunk.tally, chunk.heads)
                count += chunk.rows
                if progress:
                    progress(count, plan.total)
            os.fsync(part.fileno())
            summary, files = report.finish(resolver.text_of)
            if output == "lean":
                used = {q: e for q in report.agg.order if (e := resolver.entry(q)) is not None}
                text = json.dumps(lean.rubrics_file(used), ensure_ascii=False, indent=2) + "\n"
                files[lean.RUBRICS] = write_atomic(out / lean.RUBRICS, text)
    os.replace(out / PART, out / "grades.jsonl")
    return BatchResult(out=str(out), rows=summary.rows, graded=summary.graded, blank=summary.blank,
                       unscored=summary.unscored, errors=summary.errors, resumed=done, files=files, rubrics_built=built,
                       warnings=resolver.warnings)  # fmt: skip


def _expander(resolver: Resolver) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Lean rows made full with the rubrics `resolver` knows (the same rubrics.json is written from)."""
    return lambda row: lean.expand_with(row, resolver.entry(row.get("question_id") or ""))


def _check_delimiter(delimiter: str) -> None:
    try:
        csv_line(["x"], delimiter)
    except TypeError:
        raise GraderError(f"cannot write grades.csv with the delimiter {delimiter!r}",
                          fix="Pass one character to --csv-delimiter: ; , or a tab") from None  # fmt: skip


def _jobs(source: RowSource, resolver: Resolver, mode: Mode, part: Path, done: int, first: int, total: int,
          heads: int) -> Iterator[Job]:  # fmt: skip
    """The rows after the first `done`, in jobs: lexical CSV and JSONL rows by position (the graders read them, so
    the parent does no per-row work) from row `first` (rows before it are being graded already); XLSX rows and
    the llm modes' as tasks made here."""
    raw = source.raw_rows()
    rows = map(source.lean_row, raw)
    _check_done(rows, part, done)
    if mode == "lexical" and source.format != "xlsx":
        raw.close()  # the graders read the rest
        return jobs_between(first, total, CHUNK, heads)
    return jobs_of((task_for(row, resolver) for row in rows), done, CHUNK if mode == "lexical" else 1, heads)


# --- resuming -----------------------------------------------------------------------------------------------------


def _state(source: RowSource, mode: Mode, judge: Any) -> dict[str, Any]:
    """What must not change between an interrupted run and its resumption."""
    digest = hashlib.sha256()
    with source.path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return {"input_sha256": digest.hexdigest(), "columns": source.columns.model_dump(), "mode": mode,
            "judge": getattr(judge, "identity", None), "grader_version": __version__}  # fmt: skip


def _prepare_part(out: Path, state: dict[str, Any], *, resume: bool, restart: bool) -> int:
    """Set up OUT/grades.jsonl.part; return how many rows it already holds (0 unless resuming)."""
    part, final, state_path = out / PART, out / "grades.jsonl", out / STATE
    saved = None if restart else _saved_state(state_path)  # --restart is the way out of a damaged one
    if part.exists() and not resume and not restart:
        raise GraderError("an interrupted batch is in this folder", where=str(out),
                          fix="Pass --resume to finish it, or --restart to discard it and start over")  # fmt: skip
    if resume and saved is not None and saved != state and (part.exists() or final.exists()):
        changed = ", ".join(k for k in {**saved, **state} if saved.get(k) != state.get(k))
        raise GraderError(f"cannot resume: {changed} changed since the interrupted run", where=str(out),
                          fix="Run without --resume (and with --restart) to grade everything again")  # fmt: skip
    if resume and saved == state:
        if not part.exists() and final.exists():
            part.write_bytes(final.read_bytes())  # finished before: just rebuild the reports from it
        if part.exists():
            return _keep_complete_lines(part)
    atomic_write(state_path, json.dumps(state, ensure_ascii=False, indent=2) + "\n")
    part.write_bytes(b"")
    return 0


def _saved_state(path: Path) -> dict[str, Any] | None:
    """The state an earlier run saved, or None; a state file that is not one is an error with the fix."""
    if not path.exists():
        return None
    try:
        saved = json_loads(path.read_bytes())
    except ValueError:
        saved = None
    if not isinstance(saved, dict):
        raise InvalidFile("the saved batch state is damaged", where=str(path),
                          fix="Run again with --restart to grade everything again")  # fmt: skip
    return saved


def _keep_complete_lines(part: Path) -> int:
    """Cut the file after its last complete, parseable line (a kill can leave half a line); count the lines."""
    good, count = 0, 0
    with part.open("rb") as fh:
        for raw in fh:
            if not raw.endswith(b"\n"):
                break
            try:
                if not isinstance(json_loads(raw).get("id"), str):
                    break
            except (ValueError, AttributeError):
                break
            good += len(raw)
            count += 1
    with part.open("r+b") as fh:
        fh.truncate(good)
    return count


def _check_done(rows: Iterator[LeanRow], part: Path, done: int) -> None:
    """Read the first `done` rows, checking they match the ids already in the partial results."""
    if done:
        with part.open(encoding="utf-8") as fh:
            for n, (line, row) in enumerate(zip(fh, rows, strict=False), start=1):
                try:
                    rec = json_loads(line)
                except ValueError:
                    rec = None
                if not isinstance(rec, dict) or rec.get("id") != row.id:
                    raise GraderError(f"cannot resume: result {n} is for another row than {row.where}",
                                      where=str(part), fix="Run again with --restart")  # fmt: skip
                if n == done:
                    break

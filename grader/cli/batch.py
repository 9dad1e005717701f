"""`grader batch`: grade every row of a CSV/JSONL/XLSX file into grades.jsonl, grades.csv, summary.json, report.html."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from grader.bank.store import Bank
from grader.cli._common import EXIT_BAD_INPUT, BankOpt, JsonOpt, emit_json, said
from grader.cli._llm import (
    BaseUrlOpt,
    ConcurrencyOpt,
    DryRunOpt,
    FallbackOpt,
    JudgeOpt,
    MaxTokensOpt,
    ModelOpt,
    ModeOpt,
    NoCacheOpt,
    RepeatOpt,
    TimeoutOpt,
    emit_dry_run,
    llm_setup,
    usage_line,
)
from grader.cli._rows import (
    AnswerColOpt,
    CandidateColOpt,
    DelimiterOpt,
    EncodingOpt,
    FormatOpt,
    IdColOpt,
    InputArg,
    QuestionColOpt,
    QuestionIdColOpt,
    ReferenceColOpt,
    SheetOpt,
    open_source,
)
from grader.cli.render import console
from grader.tables import Columns


def batch(
    input: InputArg,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the results (created).")] = Path("grader-out"),
    mode: ModeOpt = "lexical",
    workers: Annotated[
        int, typer.Option("--workers", "-w", min=0, help="Processes for lexical grading; 0 = all cores.")
    ] = 0,
    judge: JudgeOpt = "openai",
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    timeout: TimeoutOpt = None,
    max_tokens: MaxTokensOpt = None,
    fallback: FallbackOpt = "none",
    concurrency: ConcurrencyOpt = None,
    repeat: RepeatOpt = 1,
    no_cache: NoCacheOpt = False,
    dry_run: DryRunOpt = False,
    resume: Annotated[bool, typer.Option("--resume", help="Finish an interrupted batch in --out.")] = False,
    restart: Annotated[bool, typer.Option("--restart", help="Discard an interrupted batch in --out.")] = False,
    csv_delimiter: Annotated[
        str, typer.Option("--csv-delimiter", help="Delimiter of grades.csv (`;` suits Russian Excel; `,`).")
    ] = ";",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    output: Annotated[str, typer.Option(
        "--output", help="grades.jsonl rows: full (readable), or lean (point ids, statuses and evidence offsets; "
        "the points' texts and hints once, in rubrics.json) for large batches.")] = "full",
    examples: Annotated[Path | None, typer.Option(
        "--examples", help="Graded answers (the input's columns plus score, on 0..1; or a batch's grades.csv/jsonl "
        "with a filled human_score column) that teach the grader how each question is graded (lexical mode).",
        show_default=False)] = None,
    score_max: Annotated[float | None, typer.Option(
        "--score-max", help=said("Top of the human scale in --examples (e.g. 100, 5) [default: read from the file]"),
        show_default=False)] = None,
    calibration: Annotated[Path | None, typer.Option(
        "--calibration", help="Map scores to a grader's scale (`grader calibrate`); adds raw_score and label.",
        show_default=False)] = None,
    id_col: IdColOpt = "id",
    candidate_col: CandidateColOpt = "candidate",
    question_id_col: QuestionIdColOpt = "question_id",
    question_col: QuestionColOpt = "question",
    reference_col: ReferenceColOpt = "reference",
    answer_col: AnswerColOpt = "answer",
    input_format: FormatOpt = None,
    encoding: EncodingOpt = None,
    delimiter: DelimiterOpt = None,
    sheet: SheetOpt = None,
    bank: BankOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Grade many answers at once: one row per answer, a report people read and data scripts read.

    Each row names a bank question (question_id) or brings its own question and reference. Results go to --out:
    grades.jsonl, grades.csv (Excel, UTF-8 with BOM), summary.json and report.html. A bad row becomes an error
    row and the batch goes on; an interrupted batch continues with --resume. Exit 2 when no row could be graded.

        grader batch examples/batch/answers.csv --out results
        grader batch anketa.xlsx --answer-col "Ответ" --candidate-col "ФИО" --question-id-col "Вопрос"
        grader batch answers.csv --examples graded-by-hand.csv --calibration calibration.json
        grader batch big.jsonl --output lean
    """
    cols = Columns(id=id_col, candidate=candidate_col, question_id=question_id_col, question=question_col,
                   reference=reference_col, answer=answer_col)  # fmt: skip
    source = open_source(input, cols, input_format, encoding, delimiter, sheet)
    b = Bank.open(bank)
    cal = None
    if calibration is not None:
        from grader.agreement import calibration as cal_mod

        cal = cal_mod.load(calibration)
    err = console(err=True)
    setup = llm_setup(mode, judge, model=model, base_url=base_url, timeout=timeout, concurrency=concurrency,
                      repeat=repeat, no_cache=no_cache, max_tokens=max_tokens, fallback=fallback,
                      dry_run=dry_run)  # fmt: skip
    if dry_run:
        _dry_run(source, b, setup, examples, as_json)
        return
    show = not quiet and not as_json and err.is_terminal
    if not quiet and not as_json:
        err.print(f"input: {source.path} ({source.describe()})")
    started = time.perf_counter()
    from grader.batch.run import run_batch

    with _progress(show) as bar, _on_interrupt(out):
        result = run_batch(
            source, out, b, mode=setup.mode, judge=setup.judge, workers=workers or os.cpu_count() or 1,
            concurrency=setup.concurrency or 8, repeat=setup.repeat, resume=resume, restart=restart,
            csv_delimiter=csv_delimiter, examples=examples, calibration=cal, progress=bar.update if show else None,
            score_max=score_max, output=output,  # type: ignore[arg-type]  # checked there
        )  # fmt: skip
    seconds = time.perf_counter() - started
    graded_now = result.rows - result.resumed
    rate = graded_now / seconds if seconds > 0 else 0.0
    for w in dict.fromkeys(result.warnings):
        err.print(f"[yellow]warning:[/] {escape(w)}")
    if resume and result.rows and result.resumed == result.rows:
        err.print(f"nothing to resume: this batch had finished (all {result.rows} rows); its reports were rebuilt")
    usage, partial = _judge_usage(out / "grades.jsonl") if setup.judge is not None else (None, 0)
    if as_json:
        extra = {"usage": usage, "judge_failed_rows": partial} if usage is not None else {}
        emit_json({**result.model_dump(), **extra, "seconds": round(seconds, 3), "rows_per_second": round(rate, 1)})
    else:
        from grader.engine.feedback import counted

        if not quiet and result.rubrics_built:
            built = counted(len(result.rubrics_built), "rubric")
            err.print(f"built {built} from the rows' references: {out / 'rubrics'}")
        con = console()
        resumed = f", {result.resumed} from the interrupted run" if result.resumed else ""
        unscored = f", {result.unscored} unscored" if result.unscored else ""
        blank = f", {result.blank} blank" if result.blank else ""
        con.print(f"{counted(result.rows, 'row')}: {result.graded} graded{blank}{unscored}, "
                  f"{counted(result.errors, 'error')}{resumed} "
                  f"({graded_now} in {seconds:.1f} s, {rate:.0f} rows/s)")  # fmt: skip
        if usage is not None:
            failed = f"; the judge failed on some points of {partial} row(s), scored without them" if partial else ""
            con.print(usage_line(usage) + failed)
        con.print(f"report: {result.files['report.html']}")
    if result.rows and not result.graded and not result.blank:
        err.print(f"error: none of the {result.rows} rows could be graded (see the `error` and `flags` of each row in "
                  f"{out / 'grades.jsonl'})")  # fmt: skip
        raise typer.Exit(EXIT_BAD_INPUT)


def _judge_usage(path: Path) -> tuple[dict[str, int], int]:
    """Judge calls and tokens over the batch's grades (resumed rows too), and how many rows the judge failed on
    in part (scored from the lexical points, flag `judge_failed_points`)."""
    keys = ("calls", "prompt_tokens", "completion_tokens", "total_tokens")
    total, partial, cached = dict.fromkeys(keys, 0), 0, 0
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            for k in keys:
                total[k] += int((record.get("usage") or {}).get(k, 0))
            partial += "judge_failed_points" in (record.get("flags") or [])
            cached += bool(record.get("cached"))
    return {**total, "cached": cached}, partial


def _dry_run(source: Any, bank: Bank, setup: Any, examples: Path | None, as_json: bool) -> None:
    """Go through the batch with a judge that only counts, into a folder thrown away: --out is left untouched."""
    import tempfile

    from grader.batch.run import run_batch

    if setup.judge is not None:
        with tempfile.TemporaryDirectory(prefix="grader-dry-run-") as tmp:
            run_batch(source, Path(tmp), bank, mode=setup.mode, judge=setup.judge, workers=1,
                      concurrency=setup.concurrency or 8, repeat=setup.repeat, examples=examples)  # fmt: skip
    emit_dry_run(setup, as_json)


@contextmanager
def _on_interrupt(out: Path) -> Iterator[None]:
    """Ctrl-C: say how to continue (the rows done so far are kept) and exit 130."""
    try:
        yield
    except KeyboardInterrupt:
        console(err=True).print(f"interrupted: the rows graded so far are kept in {out}; add --resume to finish")
        raise typer.Exit(130) from None


class _Rate(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.speed:,.0f} rows/s" if task.speed else "", style="cyan")


class _progress:
    """A rich progress bar on stderr (rows/s and ETA) when shown, else nothing. It starts (and its refresh thread
    with it) at the first update, once the batch has started its worker processes: they are forked from a process
    without other threads."""

    def __init__(self, show: bool) -> None:
        self.bar = Progress(
            TextColumn("grading"), BarColumn(), MofNCompleteColumn(), _Rate(), TimeRemainingColumn(),
            console=console(err=True), disable=not show, transient=True,
        )  # fmt: skip
        self.task = self.bar.add_task("grading", total=None)
        self.started = False

    def update(self, done: int, total: int) -> None:
        if not self.started:
            self.bar.__enter__()
            self.started = True
        self.bar.update(self.task, completed=done, total=total)

    def __enter__(self) -> _progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.started:
            self.bar.__exit__(None, None, None)

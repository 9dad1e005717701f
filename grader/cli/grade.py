"""`grader grade`: grade one answer to one bank question."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from grader.cli._common import EXIT_BAD_INPUT, EXIT_FAILED, BankOpt, JsonOpt, emit_json, read_answer
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
from grader.cli.inert import inert

if TYPE_CHECKING:
    from grader.models import Question, Rubric

# The core modules are imported inside the command: `grader --help` and every other command start without them,
# and --json never loads rich.


def grade(
    question_id: Annotated[str, typer.Argument(help="Question id (see `grader questions list`).", show_default=False)],
    answer: Annotated[str | None, typer.Option("--answer", "-a", help="The answer text.")] = None,
    answer_file: Annotated[
        str | None, typer.Option("--answer-file", "-f", help="Read the answer from a UTF-8 file; `-` reads stdin.")
    ] = None,
    min_score: Annotated[
        float | None,
        typer.Option("--min-score", help="Exit 1 when the score is below this: 0-100 as shown on screen, or 0..1 "
                     "(a value up to 1 is a fraction: 0.6 and 60 are the same).", min=0, max=100, show_default=False),
    ] = None,
    bank: BankOpt = None,
    as_json: JsonOpt = False,
    mode: ModeOpt = "lexical",
    judge: JudgeOpt = "openai",
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    timeout: TimeoutOpt = None,
    max_tokens: MaxTokensOpt = None,
    fallback: FallbackOpt = "none",
    repeat: RepeatOpt = 1,
    no_cache: NoCacheOpt = False,
    concurrency: ConcurrencyOpt = None,
    dry_run: DryRunOpt = False,
    examples: Annotated[
        Path | None,
        typer.Option("--examples", help="Graded answers (CSV/JSONL/XLSX with question_id, answer, score; or SAF "
                     "XML) that teach the grader how this question is graded (lexical mode).", show_default=False),
    ] = None,
    score_max: Annotated[
        float | None, typer.Option("--score-max", help="Top of the examples' score scale (e.g. 5).", show_default=False)
    ] = None,
    calibration: Annotated[
        Path | None,
        typer.Option("--calibration", help="Map the score to a grader's scale (`grader calibrate`).",
                     show_default=False),
    ] = None,
) -> None:
    """Grade an answer: score 0-100, each key point covered/partial/missing with evidence, what to study next.

    The answer comes from --answer, --answer-file, or standard input when piped:

        grader grade nasyshchenie-neyrona -a "Нейрон насыщается, когда сигмоида выдаёт значения около 0 или 1..."
        echo "..." | grader grade nasyshchenie-neyrona --json
        grader grade nasyshchenie-neyrona -f answer.txt --mode llm --model gpt-4o-mini
        grader grade nasyshchenie-neyrona -f answer.txt --mode hybrid --base-url http://localhost:11434/v1
        grader grade nasyshchenie-neyrona -f answer.txt --examples graded.csv --calibration calibration.json

Scored golden examples in the rubric, and --examples, teach the grader (3 or more are needed): see `grader
evaluate`. With --calibration the score is on the calibrated scale; --json adds `raw_score` and `label`.

    An unscored grade (the judge's reply could not be used) prints the reason and exits 2. With --fallback lexical
    (or in hybrid mode, where the lexical matcher settled some points) a failed judge call still gives a grade,
    from the points decided without it, flagged judge_failed_points.
    """
    from grader.bank.store import Bank, rubric_for
    from grader.grading import grade as grade_answer

    text = read_answer(answer, answer_file)
    setup = llm_setup(mode, judge, model=model, base_url=base_url, timeout=timeout, concurrency=concurrency,
                      repeat=repeat, no_cache=no_cache, max_tokens=max_tokens, fallback=fallback,
                      dry_run=dry_run)
    b = Bank.open(bank)
    question = b.question(question_id)
    rubric, warnings = rubric_for(b, question)
    for w in warnings:
        typer.echo(f"warning: {inert(w)}", err=True)
    if examples is not None:
        rubric = _with_examples(rubric, question, examples, score_max)
        if setup.mode != "lexical":
            typer.echo(f"warning: graded examples teach lexical grading only, not --mode {setup.mode}", err=True)
    cal = None
    if calibration is not None:
        from grader.agreement import calibration as cal_mod

        cal = cal_mod.load(calibration)
    result = grade_answer(question, rubric, text, mode=setup.mode, judge=setup.judge, repeat=setup.repeat)
    if dry_run:
        emit_dry_run(setup, as_json)
        return
    raw = result.score
    if cal is not None and raw is not None:
        result = result.model_copy(update={"score": cal.apply(raw), "flags": [*result.flags, "calibrated"]})
    report = setup.usage_report([result]) if setup.judge is not None else None
    if as_json:
        data = result.public()
        if report and "cost_usd" in report:
            data["cost_usd"] = report["cost_usd"]
        if cal is not None and result.score is not None:
            data.update(raw_score=raw, label=cal.label(result.score))
        emit_json(data)
    else:
        from rich.markup import escape

        from grader.cli.render import console, print_grade

        con = console()
        con.print(f"[bold]{escape(question.question)}[/]\n")
        print_grade(result, text, con)  # every point once, a missing one with its hint: what to study next
    if report is not None:
        typer.echo(usage_line(report), err=True)
    if result.failed_points:
        typer.echo(f"warning: the judge failed on {', '.join(result.failed_points)}; scored without them "
                   f"({', '.join(f for f in result.flags if f.startswith('judge_'))})", err=True)
    if result.score is None:
        typer.echo(f"error: unscored: {inert(result.feedback)}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    if min_score is not None and (result.score or 0.0) < threshold(min_score):
        raise typer.Exit(EXIT_FAILED)


def threshold(value: float) -> float:
    """A --min-score on 0..1: up to 1 it is a fraction already, above it a percentage as printed on screen."""
    return value if value <= 1 else value / 100


def _with_examples(rubric: Rubric, question: Question, path: Path, score_max: float | None) -> Rubric:
    """The rubric with the file's graded answers to this question added as scored examples."""
    from grader.agreement.datasets import examples_for, skipped_warning
    from grader.engine.exemplars import MIN_EXAMPLES, with_examples

    skipped: list[str] = []
    found = examples_for(path, question, score_max=score_max, skipped=skipped)
    if note := skipped_warning(path, skipped):
        typer.echo(f"warning: {inert(note)}", err=True)
    have = len(found) + sum(e.score is not None for e in rubric.examples)
    if have < MIN_EXAMPLES:
        typer.echo(f"warning: {have} graded example(s) for {question.id} in {path} and the rubric; "
                   f"{MIN_EXAMPLES} or more are needed to teach the grader", err=True)  # fmt: skip
    return with_examples(rubric, found)

"""`grader grade`: grade one answer to one bank question."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from grader.cli._common import BankOpt, JsonOpt
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
)
from grader.cli.grade_run import GradeArgs, run_grade

# The core modules are imported inside the command (`grader.cli.grade_run`): `grader --help` and every other
# command start without them, and --json never loads rich.


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
    return_code = run_grade(GradeArgs(
        question_id, answer=answer, answer_file=answer_file, min_score=min_score, bank=bank, as_json=as_json,
        mode=mode, judge=judge, model=model, base_url=base_url, timeout=timeout, max_tokens=max_tokens,
        fallback=fallback, repeat=repeat, no_cache=no_cache, concurrency=concurrency, dry_run=dry_run,
        examples=examples, score_max=score_max, calibration=calibration))  # fmt: skip
    if return_code:
        raise typer.Exit(return_code)

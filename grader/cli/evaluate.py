"""`grader evaluate` and `grader calibrate`: agreement with human graders, and a map to their scale."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from grader.cli._common import BankOpt, JsonOpt, emit_json

if TYPE_CHECKING:
    from grader.agreement.datasets import GradedAnswer
    from grader.bank.store import Bank

ModeName = Annotated[str, typer.Option("--mode", help="lexical | llm | hybrid (llm modes need a judge).")]
ExamplesOpt = Annotated[
    Path | None,
    typer.Option("--examples", help="Graded answers (same columns plus score, or SAF XML) that teach the grader."),
]
ScoreColOpt = Annotated[str, typer.Option("--score-col", help="Column with the human score.")]
ScoreMaxOpt = Annotated[float | None, typer.Option("--score-max", help="Top of the human scale (e.g. 5 for 0-5).")]
QuestionCol = Annotated[str, typer.Option("--question-col", help="Column with the question text.")]
ReferenceCol = Annotated[str, typer.Option("--reference-col", help="Column with the reference answer.")]
AnswerCol = Annotated[str, typer.Option("--answer-col", help="Column with the answer.")]
IdCol = Annotated[str, typer.Option("--id-col", help="Column with the row id.")]
QuestionIdCol = Annotated[str, typer.Option("--question-id-col", help="Column with the question id.")]


def _load(
    path: Path,
    id_col: str,
    qid_col: str,
    q_col: str,
    ref_col: str,
    ans_col: str,
    score_col: str,
    score_max: float | None,
    bank: Bank | None = None,
) -> list[GradedAnswer]:
    from grader.agreement.datasets import load, skipped_warning
    from grader.cli.inert import inert
    from grader.tables import Columns

    cols = Columns(id=id_col, question_id=qid_col, question=q_col, reference=ref_col, answer=ans_col)
    skipped: list[str] = []
    found = load(path, columns=cols, score_col=score_col, score_max=score_max, bank=bank, skipped=skipped)
    if note := skipped_warning(path, skipped):
        typer.echo(f"warning: {inert(note)}", err=True)
    return found


def evaluate(
    path: Annotated[Path, typer.Argument(help="Graded answers: CSV/JSONL/XLSX rows, a SAF XML file or a folder.")],
    examples: ExamplesOpt = None,
    calibration: Annotated[
        Path | None, typer.Option("--calibration", help="Map raw scores with this file (`grader calibrate`).")
    ] = None,
    mode: ModeName = "lexical",
    score_col: ScoreColOpt = "score",
    score_max: ScoreMaxOpt = None,
    id_col: IdCol = "id",
    question_id_col: QuestionIdCol = "question_id",
    question_col: QuestionCol = "question",
    reference_col: ReferenceCol = "reference",
    answer_col: AnswerCol = "answer",
    bank: BankOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Grade human-graded answers and print how well the grader agrees: Pearson, Spearman, MAE, RMSE, quadratic
    weighted kappa (scores rounded to quarters), 3-way accuracy with its confusion matrix, and per question.
    A row naming a bank question (question_id) is graded as `grade` and `batch` grade it: the bank's curated rubric.

        grader evaluate ../shared/datasets/saf/unseen_answers --examples ../shared/datasets/saf/training
        grader evaluate graded.csv --score-col grade --score-max 5 --calibration calibration.json --json
        grader evaluate graded-by-hand.csv --bank my-bank --score-max 100
    """
    from grader.agreement import calibration as cal_mod
    from grader.agreement.evaluate import evaluate as run
    from grader.bank.store import Bank

    b = Bank.open(bank)
    args = (id_col, question_id_col, question_col, reference_col, answer_col, score_col, score_max, b)
    answers = _load(path, *args)
    taught = _load(examples, *args) if examples else []
    cal = cal_mod.load(calibration) if calibration else None
    judge = None
    if mode != "lexical":
        from grader.cli._llm import llm_setup  # type: ignore[import-not-found,unused-ignore]

        judge = llm_setup(mode, "openai").judge
    result = run(answers, examples=taught, calibration=cal, mode=mode, judge=judge, bank=b)  # type: ignore[arg-type]
    if as_json:
        emit_json(result.model_dump(mode="json"))
        return
    _print(result)


def _print(result: object) -> None:
    from grader.agreement.evaluate import Evaluation
    from grader.cli.inert import inert
    from grader.engine.metrics import LABELS, undefined

    assert isinstance(result, Evaluation)
    m = result.metrics
    how = f"{result.examples} graded examples" if result.examples else "zero-shot"
    typer.echo(f"{result.n} answers, mode {result.mode}, {how}, {'calibrated' if result.calibrated else 'raw'}")
    typer.echo(
        f"Pearson {undefined(m.pearson)}  Spearman {undefined(m.spearman)}  MAE {m.mae:.3f}  RMSE {m.rmse:.3f}  "
        f"QWK {m.qwk:.3f}  3-way accuracy {m.accuracy3:.3f}"
    )
    typer.echo(
        f"kappa on {result.discretisation}; 3-way: incorrect <= {result.thresholds[0]:.2f}, "
        f"correct >= {result.thresholds[1]:.2f}"
    )
    typer.echo("confusion (rows human, columns grader): " + " ".join(f"{x[:4]:>6}" for x in LABELS))
    for label, row in zip(LABELS, m.confusion, strict=True):
        typer.echo(f"  {label:>10} " + " ".join(f"{c:>6}" for c in row))
    taught = any(q.kept for q in result.questions)
    kept_head = "  examples kept" if taught else ""
    typer.echo(f"\n{'question':<24} {'n':>4} {'pearson':>8} {'MAE':>6} {'acc3':>6}{kept_head}")
    for q in result.questions:
        qm = q.metrics
        qid = inert(q.question_id)[:24]
        kept = f"  {q.kept}" if q.kept else ""
        typer.echo(f"{qid:<24} {qm.n:>4} {undefined(qm.pearson, 8)} {qm.mae:>6.3f} {qm.accuracy3:>6.3f}{kept}")


def calibrate(
    path: Annotated[Path, typer.Argument(help="Graded answers to fit on (rows or SAF XML), e.g. a training set.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the calibration JSON.")] = Path(
        "calibration.json"
    ),
    examples: ExamplesOpt = None,
    score_col: ScoreColOpt = "score",
    score_max: ScoreMaxOpt = None,
    id_col: IdCol = "id",
    question_id_col: QuestionIdCol = "question_id",
    question_col: QuestionCol = "question",
    reference_col: ReferenceCol = "reference",
    answer_col: AnswerCol = "answer",
    bank: BankOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Fit a monotone map (isotonic regression) from the grader's raw score to the human scale, and the 3-way
    thresholds; use it with --calibration on grade, batch and evaluate.

        grader calibrate ../shared/datasets/saf/training --out calibration.json
    """
    from grader.agreement import calibration as cal_mod
    from grader.agreement.evaluate import raw_scores
    from grader.bank.store import Bank

    b = Bank.open(bank)
    args = (id_col, question_id_col, question_col, reference_col, answer_col, score_col, score_max, b)
    answers = _load(path, *args)
    taught = _load(examples, *args) if examples else []
    cal = cal_mod.fit(raw_scores(answers, taught, bank=b), [a.score for a in answers])
    cal_mod.save(cal, out)
    if as_json:
        emit_json(cal.model_dump())
    else:
        typer.echo(
            f"wrote {out}: {len(cal.raw)} steps from {cal.n} answers; "
            f"incorrect <= {cal.low:.2f}, correct >= {cal.high:.2f}"
        )

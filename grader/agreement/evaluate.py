"""The evaluate job: grade human-graded answers and measure agreement with the humans.

Rubrics are built automatically, one per distinct reference, from that reference alone (no hand edits), so an
answer gets the score `grade` and `batch` give it. With `examples`, graded answers to the same question teach the
grader (`grader.engine.exemplars`); with a `calibration`, raw scores are mapped to the human scale and labelled with its
thresholds. Without one, the 3-way label of a raw score uses fixed cut-offs (`RAW_LOW`, `RAW_HIGH`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from grader.agreement.calibration import Calibration
from grader.agreement.datasets import GradedAnswer, by_question, slug
from grader.engine.exemplars import Exemplars, GradedExample, with_examples
from grader.engine.metrics import KAPPA_BINS, Metrics, agreement, label3
from grader.engine.rubric import build_rubric
from grader.grading import grade
from grader.models import QUESTION_ID, Mode, Model, Question, Rubric

if TYPE_CHECKING:
    from grader.bank.store import Bank

RAW_LOW, RAW_HIGH = 0.2, 0.8  # 3-way cut-offs for uncalibrated scores


class Scored(Model):
    """One answer: the human score, the grader's score (calibrated when asked) and both 3-way labels."""

    id: str
    question_id: str
    human: float
    raw: float
    score: float
    label: str
    human_label: str


class QuestionReport(Model):
    question_id: str
    question: str
    metrics: Metrics
    kept: str | None = None  # with examples: what they changed after their self-check (rubric, taught, blend)
    example_errors: dict[str, float] | None = None  # each part's leave-one-out MAE on the examples


class Evaluation(Model):
    mode: Mode
    n: int
    examples: int  # graded examples used (0: zero-shot)
    calibrated: bool
    discretisation: str
    thresholds: tuple[float, float]
    metrics: Metrics
    questions: list[QuestionReport]
    answers: list[Scored]


def question_of(answer: GradedAnswer) -> Question:
    """The question an answer was graded for; its id made a valid question id ("11.1" -> "11-1": a row's question
    id may be any text, and the per-question report keeps it as written)."""
    qid = answer.question_id if _QUESTION_ID.fullmatch(answer.question_id) else slug(answer.question_id)
    return Question(id=qid, question=answer.question, reference=answer.reference, lang=answer.lang)


_QUESTION_ID = re.compile(QUESTION_ID)


def auto_rubrics(answers: Sequence[GradedAnswer]) -> dict[str, tuple[Question, Rubric]]:
    """One automatic rubric per question, from its own reference alone (the same rubric `batch` builds)."""
    out = {}
    for qid, g in by_question(answers).items():
        q = question_of(g[0])
        out[qid] = (q, build_rubric(q))
    return out


def raw_scores(
    answers: Sequence[GradedAnswer],
    examples: Sequence[GradedAnswer] = (),
    *,
    mode: Mode = "lexical",
    judge: Any = None,
    teachers: dict[str, Exemplars] | None = None,
    bank: Bank | None = None,
) -> list[float]:
    """The grader's uncalibrated score for each answer, in order; examples teach per question (never themselves).
    `teachers`, when given, receives each question's `Exemplars` (what its examples kept). Answers to a question
    of `bank` are graded exactly as `grader grade` and `grader batch` grade them: its question, its curated
    rubric (with the examples added to it)."""
    rubrics = auto_rubrics([*answers, *examples])
    taught = by_question(examples)
    teachers = {} if teachers is None else teachers
    curated = _curated(bank, answers, taught) if bank is not None else {}
    out = []
    for a in answers:
        if a.question_id in curated:
            question, rubric = curated[a.question_id]
            out.append(grade(question, rubric, a.answer, mode=mode, judge=judge).score or 0.0)
            continue
        question, rubric = rubrics[a.question_id]
        if mode == "lexical" and taught.get(a.question_id):
            ex = teachers.get(a.question_id)
            if ex is None:
                pool = [GradedExample(id=e.id, answer=e.answer, score=e.score) for e in taught[a.question_id]]
                ex = teachers[a.question_id] = Exemplars.fit(question, rubric, pool)
            g = ex.grade(a.answer, exclude=a.id)
        else:
            g = grade(question, rubric, a.answer, mode=mode, judge=judge)
        out.append(g.score or 0.0)
    return out


def _curated(bank: Bank, answers: Sequence[GradedAnswer],
             taught: dict[str, list[GradedAnswer]]) -> dict[str, tuple[Question, Rubric]]:  # fmt: skip
    """The bank's question and rubric for each bank question answered, with its graded examples added."""
    from grader.bank.store import rubric_for

    ids, out = set(bank.ids()), {}
    for qid in dict.fromkeys(a.question_id for a in answers):
        if qid in ids:
            question = bank.question(qid)
            rubric, _ = rubric_for(bank, question)
            pool = [GradedExample(id=e.id, answer=e.answer, score=e.score) for e in taught.get(qid, [])]
            out[qid] = (question, with_examples(rubric, pool) if pool else rubric)
    return out


def evaluate(
    answers: Sequence[GradedAnswer],
    *,
    examples: Sequence[GradedAnswer] = (),
    calibration: Calibration | None = None,
    mode: Mode = "lexical",
    judge: Any = None,
    scorer: Callable[[Sequence[GradedAnswer]], list[float]] | None = None,
    bank: Bank | None = None,
) -> Evaluation:
    """Grade every answer and measure agreement with the human scores, overall and per question."""
    teachers: dict[str, Exemplars] = {}
    raw = scorer(answers) if scorer else raw_scores(answers, examples, mode=mode, judge=judge, teachers=teachers,
                                                               bank=bank)
    low, high = (calibration.low, calibration.high) if calibration else (RAW_LOW, RAW_HIGH)
    scored = []
    for a, r in zip(answers, raw, strict=True):
        s = calibration.apply(r) if calibration else r
        scored.append(
            Scored(
                id=a.id,
                question_id=a.question_id,
                human=a.score,
                raw=r,
                score=s,
                label=label3(s, low, high),
                human_label=label3(a.score),
            )
        )
    texts = {a.question_id: a.question for a in answers}
    per = [
        QuestionReport(
            question_id=qid,
            question=texts[qid],
            metrics=_metrics(group),
            kept=teachers[qid].kept if qid in teachers else None,
            example_errors=teachers[qid].errors if qid in teachers else None,
        )
        for qid, group in by_question_scored(scored).items()
    ]
    return Evaluation(
        mode=mode,
        n=len(scored),
        examples=len(examples),
        calibrated=calibration is not None,
        discretisation=f"scores rounded to the nearest 1/{KAPPA_BINS} (0, 0.25, 0.5, 0.75, 1) for kappa",
        thresholds=(low, high),
        metrics=_metrics(scored),
        questions=per,
        answers=scored,
    )


def by_question_scored(scored: Sequence[Scored]) -> dict[str, list[Scored]]:
    out: dict[str, list[Scored]] = {}
    for s in scored:
        out.setdefault(s.question_id, []).append(s)
    return out


def _metrics(scored: Sequence[Scored]) -> Metrics:
    return agreement(
        [s.score for s in scored], [s.human for s in scored], [s.label for s in scored], [s.human_label for s in scored]
    )

"""The calibration gate of `grader check`: grade human-scored answers to bank questions, compare with Pearson.

The labels file is read like every row file (CSV, JSONL or XLSX, see `grader.tables.rows`): a `question_id` naming a
question of the checked bank, an `answer`, and a human `score` on 0..1. Each answer is graded with the bank's own
rubric, so the gate measures the rubrics a repository ships (use `grader evaluate` for datasets with references).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from grader.ci.check import Calibration
from grader.engine.metrics import correlation
from grader.errors import InvalidFile
from grader.grading import grade
from grader.models import Mode, Question, Rubric
from grader.tables import Columns, RowSource


def calibration_gate(
    labels: Path,
    min_pearson: float,
    rubrics: Mapping[str, tuple[Question, Rubric]],
    *,
    mode: Mode = "lexical",
    judge: Any = None,
) -> Calibration:
    """Pearson between the grader's scores and the human ones over every labelled answer, against `min_pearson`."""
    human, predicted = [], []
    for row in RowSource.open(labels, Columns()):
        if row.error is not None:
            raise InvalidFile(row.error, where=row.where)
        if row.question_id not in rubrics:
            raise InvalidFile(
                f"question '{row.question_id}' is not in the checked bank",
                where=row.where,
                fix="Label answers to questions of the bank being checked (column question_id)",
            )
        raw = next((v for k, v in row.extra.items() if k.strip().casefold() == "score"), "")
        try:
            score = float(raw.replace(",", "."))
        except ValueError:
            raise InvalidFile(
                f"human score {raw!r} is not a number", where=row.where, fix="Fill the score column"
            ) from None
        if not 0 <= score <= 1:
            raise InvalidFile(f"human score {score:g} is outside 0..1", where=row.where, fix="Scale scores to 0..1")
        question, rubric = rubrics[row.question_id]
        human.append(score)
        predicted.append(grade(question, rubric, row.answer, mode=mode, judge=judge).score or 0.0)
    if len(human) < 2:
        raise InvalidFile("fewer than two labelled answers", where=str(labels), fix="Label more answers")
    if len(set(human)) < 2:
        raise InvalidFile("every human score is the same, so Pearson is undefined", where=str(labels),
                          fix="Label answers of different quality")  # fmt: skip
    r = correlation(predicted, human)  # None when the grader gave every answer the same score: the gate fails
    passed = r is not None and r >= min_pearson
    return Calibration(labels=str(labels), n=len(human), pearson=r, min_pearson=min_pearson, passed=passed)

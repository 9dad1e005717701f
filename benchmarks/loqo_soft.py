"""Soft matching (`grader.engine.soft`) under leave-one-question-out: its weight and floor fitted without the question.

Used by benchmarks/loqo.py. Each answer is graded once with exact matching alone (a curated copy of its automatic
rubric: no soft matching, no curve) and its points' soft coverage is computed once per floor of the grid; a
(weight, floor) pair then gives the raw score the grader would give (`soft.blend` per point, `scoring.combine`,
the keyword-list cap), with no regrading. The pair and the curve are chosen by the least squared error on the
training questions' answers: the question scored is never among them.

    python benchmarks/loqo.py          # prints the soft rows beside the others
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from grader.agreement.datasets import GradedAnswer
from grader.agreement.evaluate import question_of
from grader.engine.lexical import grade_lexical
from grader.engine.rubric import build_rubric
from grader.engine.scoring import KEYWORD_LIST_CAP, apply_curve, combine, fit_curve, status_of
from grader.engine.soft import SoftRubric, blend
from grader.models import PointResult

WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)
FLOORS = (0.6, 0.75)  # a related word shares at least 60 % of its trigrams (Dice); see grader.engine.soft


@dataclass
class Part:
    """One answer: its exact-match point results and flags, its points' soft coverage per floor, the human score."""

    points: list[PointResult]
    flags: list[str]
    soft: dict[float, list[float]]
    needs: int | None
    human: float


def parts(groups: dict[str, list[GradedAnswer]]) -> dict[str, list[Part]]:
    out = {}
    for qid, group in groups.items():
        question = question_of(group[0])
        rubric = build_rubric(question)
        exact = rubric.model_copy(update={"built_by": "curated"})
        softs = {f: SoftRubric(rubric, question.question, floor=f) for f in FLOORS}
        rows = []
        for a in group:
            g = grade_lexical(question, exact, a.answer)
            soft = {f: s.coverage(a.answer, g.lang) for f, s in softs.items()}
            rows.append(Part(g.points, g.flags, soft, rubric.needs, a.score))
        out[qid] = rows
    return out


def raw(p: Part, weight: float, floor: float) -> float:
    """The raw score (before the curve) the grader gives this answer with soft matching at (weight, floor)."""
    points = p.points
    if weight:
        points = []
        for r, s in zip(p.points, p.soft[floor], strict=True):
            b = r.score if r.verdict == "contradicted" else blend(r.score, s, weight)
            points.append(r if b == r.score else r.model_copy(update={"score": b, "status": status_of(b)}))
    score = combine(points, p.needs)
    return min(score, KEYWORD_LIST_CAP) if "keyword_list" in p.flags else score


Raws = dict[tuple[float, float], dict[str, list[float]]]


def raws(data: dict[str, list[Part]]) -> Raws:
    """Every answer's raw score for every (weight, floor) of the grid, computed once."""
    grid = [(w, f) for w in WEIGHTS for f in (FLOORS if w else FLOORS[:1])]
    return {(w, f): {q: [raw(p, w, f) for p in rows] for q, rows in data.items()} for w, f in grid}


def fit(table: Raws, data: dict[str, list[Part]], train: Sequence[str]) -> tuple[float, float, tuple[float, float]]:
    """(weight, floor, curve) with the least squared error on the answers of the `train` questions."""
    ys = [p.human for q in train for p in data[q]]
    best: tuple[float, float, float, tuple[float, float]] | None = None
    for (w, f), by_q in table.items():
        xs = [x for q in train for x in by_q[q]]
        curve = fit_curve(xs, ys)
        err = sum((apply_curve(x, curve) - y) ** 2 for x, y in zip(xs, ys, strict=True))
        if best is None or err < best[0]:
            best = (err, w, f, curve)
    assert best is not None
    return best[1], best[2], best[3]


def loqo(
    groups: dict[str, list[GradedAnswer]], data: dict[str, list[Part]], table: Raws, *, other_language: bool = False
) -> dict[str, list[float]]:
    """Each question's scores with (weight, floor, curve) fitted on the other questions (of the other language)."""
    out = {}
    for qid, group in groups.items():
        lang = group[0].lang
        train = [q for q, g in groups.items() if q != qid and (g[0].lang != lang or not other_language)]
        w, f, curve = fit(table, data, train)
        out[qid] = [apply_curve(x, curve) for x in table[(w, f)][qid]]
    return out

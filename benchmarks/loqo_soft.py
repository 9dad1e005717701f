"""Soft matching (`grader.engine.soft`) under leave-one-question-out: its weight and floor fitted without the question.

Used by benchmarks/loqo.py. Each answer is graded once with exact matching alone (a curated copy of its automatic
rubric: no soft matching, no curve) and its points' soft coverage is computed once per floor of the grid; a
(weight, floor) pair then gives the raw score the grader would give (`soft.blend` per point, `scoring.combine`,
the keyword-list cap), with no regrading. The pair and the curve are chosen by the least squared error on the
training questions' answers, and on answers to other questions graded against each training question's rubric,
which a person would give 0 (`loqo_graded.OFF_TOPIC` per question, same language): agreement alone rewards any
generosity, and these keep the floor from buying it with credit for answers about something else. The curve is
fitted on the real answers only. The question scored is never among the training questions, nor the source of an
off-topic answer. Each answer is graded once (benchmarks/loqo_graded.py), for this fit and the relevance term's.

    python benchmarks/loqo.py          # prints the soft rows beside the others
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from loqo_graded import Graded, QuestionSet  # benchmarks/loqo_graded.py, beside this script

from grader.agreement.datasets import GradedAnswer
from grader.engine.scoring import AUTO_CURVE, KEYWORD_LIST_CAP, apply_curve, combine, fit_curve, status_of
from grader.engine.soft import SoftRubric, blend
from grader.models import PointResult

WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)
FLOORS = (0.3, 0.45, 0.6, 0.75)
_OFF = "\0off"  # data key of a question's off-topic answers


@dataclass
class Part:
    """One answer: its exact-match point results and flags, its points' soft coverage per floor, the human score."""

    points: list[PointResult]
    flags: list[str]
    soft: dict[float, list[float]]
    needs: int | None
    human: float
    source: str  # the question the answer was written for


def parts(sets: dict[str, QuestionSet]) -> dict[str, list[Part]]:
    """Each question's answers, and (under `qid + _OFF`) the answers to other questions of its language, as
    `Part`s."""
    out = {}
    for qid, qs in sets.items():
        softs = {f: SoftRubric(qs.rubric, qs.question.question, floor=f) for f in FLOORS}

        def part(g: Graded) -> Part:
            soft = {f: s.coverage(g.answer.answer, g.grade.lang) for f, s in softs.items()}  # noqa: B023
            return Part(g.grade.points, g.grade.flags, soft, qs.rubric.needs, g.human, g.source)  # noqa: B023

        out[qid] = [part(g) for g in qs.own]
        out[qid + _OFF] = [part(g) for g in qs.off]
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
    """(weight, floor, curve) with the least squared error on the `train` questions' answers and their off-topic
    answers (target 0) written for `train` questions; the curve fitted on the real answers."""
    ys = [p.human for q in train for p in data[q]]
    keep = set(train)
    off = [(q + _OFF, i) for q in train for i, p in enumerate(data[q + _OFF]) if p.source in keep]
    best: tuple[float, float, float, tuple[float, float]] | None = None
    for (w, f), by_q in table.items():
        xs = [x for q in train for x in by_q[q]]
        curve = fit_curve(xs, ys)
        err = sum((apply_curve(x, curve) - y) ** 2 for x, y in zip(xs, ys, strict=True))
        err += sum(apply_curve(by_q[k][i], curve) ** 2 for k, i in off)
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


def off_topic(table: Raws, data: dict[str, list[Part]]) -> str:
    """Mean score (shipped curve) of answers written for other questions, graded against each question's rubric,
    without soft matching and with it at weight 0.25 for each floor: what soft credit gives an answer about something
    else."""
    cells = []
    for (w, f), by_q in table.items():
        if w in (0.0, 0.25):
            xs = [apply_curve(x, AUTO_CURVE) for k, v in by_q.items() if k.endswith(_OFF) for x in v]
            cells.append(f"{'off' if not w else f'floor {f}'} {sum(xs) / len(xs):.3f}")
    return "answers to other questions, scored against each rubric (a person gives 0), mean: " + ", ".join(cells)

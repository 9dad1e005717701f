"""The relevance term of the automatic curve (`grader.engine.relevance`) under leave-one-question-out.

Used by benchmarks/loqo.py. Each answer's raw coverage and relevance are computed once. For each question left out,
the coverage curve is fitted on the other questions' answers (as before), then the relevance term (lift, level) with
that curve fixed, on the same answers and on answers to other questions graded against each training question's
rubric, which a person scores 0 (`loqo_graded.OFF_TOPIC` per question, same language, weighted
`grader.engine.scoring.OFF_TOPIC_WEIGHT` each). The question scored is never among the training questions, nor the
source of a training off-topic answer. Its own off-topic answers are scored with the fitted parameters: that mean
is the held-out figure of how much an answer to another question earns.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from loqo_graded import Graded, QuestionSet  # benchmarks/loqo_graded.py, beside this script

from grader.agreement.datasets import GradedAnswer
from grader.engine.relevance import relevance, topic_of
from grader.engine.scoring import apply_curve, fit_curve, fit_relevance


@dataclass
class Raw:
    """One answer graded against one question's rubric: coverage (no curve), relevance, human score, the question
    the answer was written for."""

    coverage: float
    relevance: float
    human: float
    source: str


def raws(sets: dict[str, QuestionSet]) -> tuple[dict[str, list[Raw]], dict[str, list[Raw]]]:
    """Each question's own answers, and the answers to other questions of its language, as `Raw`s."""
    own, off = {}, {}
    for qid, qs in sets.items():
        topic = topic_of(qs.question, qs.rubric)

        def raw(g: Graded) -> Raw:
            share = relevance(g.answer.answer, topic, g.grade.lang).share  # noqa: B023 -- within this iteration
            return Raw(g.grade.score or 0.0, share, g.human, g.source)

        own[qid], off[qid] = [raw(g) for g in qs.own], [raw(g) for g in qs.off]
    return own, off


Fitted = tuple[tuple[float, float], tuple[float, float]]


def fit(own: dict[str, list[Raw]], off: dict[str, list[Raw]], train: Sequence[str]) -> Fitted:
    """(curve, relevance term) fitted on the `train` questions' answers and their off-topic answers written for
    `train` questions."""
    keep = set(train)
    real = [r for q in train for r in own[q]]
    curve = fit_curve([r.coverage for r in real], [r.human for r in real])
    zeros = [(r.coverage, r.relevance) for q in train for r in off[q] if r.source in keep]
    return curve, fit_relevance([(r.coverage, r.relevance, r.human) for r in real], zeros, curve)


def loqo(
    groups: dict[str, list[GradedAnswer]], own: dict[str, list[Raw]], off: dict[str, list[Raw]]
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Each question's scores, and its off-topic answers' scores, with the curve and relevance term fitted on the
    other questions."""
    scores, offs = {}, {}
    for qid in groups:
        curve, pen = fit(own, off, [q for q in groups if q != qid])
        scores[qid] = [apply_curve(r.coverage, curve, r.relevance, pen) for r in own[qid]]
        offs[qid] = [apply_curve(r.coverage, curve, r.relevance, pen) for r in off[qid]]
    return scores, offs


def off_line(name: str, groups: dict[str, list[GradedAnswer]], offs: dict[str, list[float]]) -> str:
    """Mean score and share >= 0.5 of the answers to other questions, per language."""
    cells = []
    for lang in ("en", "de"):
        xs = [x for q, g in groups.items() if g[0].lang == lang for x in offs[q]]
        cells.append(f"{lang} mean {statistics.fmean(xs):.3f}, >= 0.5: {sum(x >= 0.5 for x in xs) / len(xs):.3f}")
    return f"{name}: answers to other questions scored against each rubric (a person gives 0): " + "; ".join(cells)

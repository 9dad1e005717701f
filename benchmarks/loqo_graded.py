"""Each SAF question's answers graded once, for the leave-one-question-out fits of benchmarks/loqo_relevance.py and
benchmarks/loqo_soft.py: against a curated copy of the question's automatic rubric (exact matching alone: no soft
matching, no curve), its own answers and `OFF_TOPIC` answers to other questions of its language, which a person
would give 0 (the same sample for both fits).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from grader.agreement.datasets import GradedAnswer
from grader.agreement.evaluate import question_of
from grader.engine.lexical import grade_lexical
from grader.engine.rubric import build_rubric
from grader.models import Grade, Question, Rubric

OFF_TOPIC = 40


@dataclass
class Graded:
    """One answer graded against one question's rubric, the human score (0 for an answer to another question) and
    the question it was written for."""

    answer: GradedAnswer
    grade: Grade
    human: float
    source: str


@dataclass
class QuestionSet:
    """A question, its automatic rubric, its own answers and the answers to other questions, graded."""

    question: Question
    rubric: Rubric
    own: list[Graded]
    off: list[Graded]


def graded(groups: dict[str, list[GradedAnswer]]) -> dict[str, QuestionSet]:
    """Every question's `QuestionSet`, each answer graded once."""
    rng = random.Random(0)
    out = {}
    for qid, group in groups.items():
        question = question_of(group[0])
        rubric = build_rubric(question)
        exact = rubric.model_copy(update={"built_by": "curated"})

        def one(a: GradedAnswer, human: float) -> Graded:
            return Graded(a, grade_lexical(question, exact, a.answer), human, a.question_id)  # noqa: B023

        others = [a for k, g in groups.items() if k != qid and g[0].lang == group[0].lang for a in g]
        off = rng.sample(others, min(OFF_TOPIC, len(others)))
        out[qid] = QuestionSet(question, rubric, [one(a, a.score) for a in group], [one(a, 0.0) for a in off])
    return out

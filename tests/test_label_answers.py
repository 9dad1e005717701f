"""A bare sequence of labels ("B, C, A") answers an ordering or choice question: it is no list of terms."""

from __future__ import annotations

import pytest

from grader.engine.rubric import build_rubric
from grader.engine.statements import makes_no_statement
from grader.grading import grade
from grader.models import Question

ORDERING = [
    ("en", "Order the events A, B and C from the least to the most probable.", "The correct order is BCA.",
     "B, C, A."),
    ("ru", "Расположите события A, B и C от наименее к наиболее вероятному.", "Правильный порядок: BCA.",
     "B, C, A 🙂"),
    ("de", "Ordnen Sie die Ereignisse A, B und C von der unwahrscheinlichsten zur wahrscheinlichsten.",
     "Die richtige Reihenfolge ist BCA.", "B; C; A"),
]  # fmt: skip


@pytest.mark.parametrize(("lang", "asked", "reference", "answer"), ORDERING, ids=[c[0] for c in ORDERING])
def test_an_order_of_labels_is_graded_not_capped(lang: str, asked: str, reference: str, answer: str) -> None:
    question = Question(id="order", question=asked, reference=reference, lang=lang)
    rubric = build_rubric(question)
    right = grade(question, rubric, answer)
    assert "keyword_list" not in right.flags
    assert right.score > 0.9
    assert grade(question, rubric, "A, B, C").score == 0.0  # the wrong order still earns nothing


@pytest.mark.parametrize("answer", ["B, C, A", "2, 4, 1, 3", "Б, В, А"])
def test_labels_make_no_list_of_terms(answer: str) -> None:
    assert not makes_no_statement(answer)


@pytest.mark.parametrize("answer", ["dropout, L2, batch norm", "дропаут, L2, B, нормализация", "Dropout, L2, Rauschen"])
def test_terms_among_labels_still_do(answer: str) -> None:
    assert makes_no_statement(answer)

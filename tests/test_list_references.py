"""A reference that states nothing (a term or a list of terms) is answered in its own form: a list answer to it is no
keyword dump. The dump checks still hold where the reference makes statements. Cases written for these tests."""

from __future__ import annotations

import pytest

from grader.engine.rubric import build_rubric
from grader.engine.scoring import KEYWORD_LIST_CAP
from grader.engine.statements import states_nothing
from grader.grading import grade
from grader.models import Question


@pytest.mark.parametrize(
    "text",
    [
        "Encapsulation, inheritance and polymorphism.",
        "Precision and recall",
        "Kapselung, Vererbung und Polymorphie.",
        "Кросс-валидация, регуляризация и ранняя остановка.",
    ],
)
def test_a_list_of_terms_states_nothing(text: str) -> None:
    assert states_nothing(text)


@pytest.mark.parametrize(
    "text",
    [
        "Regularisation reduces overfitting.",
        "By splitting the data into folds.",
        "Regularisierung verringert die Überanpassung.",
        "Регуляризация уменьшает переобучение.",
        "",
        # a statement whose English verb no function word gives away is no list of terms either: one piece,
        # no coordination
        "Gradient descent minimises the loss.",
        "Boosting combines weak learners sequentially.",
        "The model memorises noise.",
    ],
)
def test_a_statement_or_nothing_is_no_list(text: str) -> None:
    assert not states_nothing(text)


CASES = [
    # (lang, question, list reference, list answer, statement reference)
    ("en", "What does a class hierarchy give you in object-oriented design?",
     "Encapsulation, inheritance and polymorphism.", "inheritance, polymorphism, encapsulation",
     "Encapsulation hides state, inheritance reuses code, and polymorphism picks the method at run time."),
    ("de", "Was bietet eine Klassenhierarchie im objektorientierten Entwurf?",
     "Kapselung, Vererbung und Polymorphie.", "Vererbung, Polymorphie, Kapselung",
     "Kapselung verbirgt den Zustand, Vererbung verwendet Code wieder, und Polymorphie wählt die Methode zur "
     "Laufzeit."),
    ("ru", "Что помогает модели обобщать?",
     "Кросс-валидация, регуляризация и ранняя остановка.", "регуляризация, ранняя остановка, кросс-валидация",
     "Кросс-валидация оценивает модель, регуляризация штрафует веса, а ранняя остановка прерывает обучение."),
]  # fmt: skip


@pytest.mark.parametrize(("lang", "question", "listed", "answer", "stated"), CASES)
def test_a_list_answer_to_a_list_reference_keeps_its_credit(
    lang: str, question: str, listed: str, answer: str, stated: str
) -> None:
    q = Question(id="q", lang=lang, question=question, reference=listed)  # type: ignore[arg-type]
    g = grade(q, build_rubric(q), answer)
    assert "keyword_list" not in g.flags
    assert g.score is not None and g.score >= 0.8


@pytest.mark.parametrize(("lang", "question", "listed", "answer", "stated"), CASES)
def test_the_same_list_against_a_reference_of_statements_is_still_a_dump(
    lang: str, question: str, listed: str, answer: str, stated: str
) -> None:
    q = Question(id="q", lang=lang, question=question, reference=stated)  # type: ignore[arg-type]
    g = grade(q, build_rubric(q), answer)
    assert "keyword_list" in g.flags
    assert g.score is not None and g.score <= KEYWORD_LIST_CAP


@pytest.mark.parametrize(
    ("question", "reference", "answer"),
    [
        ("What does gradient descent do?", "Gradient descent minimises the loss.",
         "gradient descent, the loss, minimises"),
        ("What is boosting?", "Boosting combines weak learners sequentially.", "boosting, weak learners, sequentially"),
    ],
)
def test_a_list_answer_to_a_one_sentence_statement_is_still_a_dump(question: str, reference: str, answer: str) -> None:
    """A reference of one sentence without coordination is a statement or a single term, never a list; the
    answer's terms listed to it stay a dump (they scored 1.0 unflagged when the reference read as a list)."""
    q = Question(id="q", lang="en", question=question, reference=reference)
    g = grade(q, build_rubric(q), answer)
    assert "keyword_list" in g.flags
    assert g.score is not None and g.score <= KEYWORD_LIST_CAP

"""Terms named inside an empty frame ("X, Y and Z all matter here", "Здесь важную роль играют X, Y и Z", "Dabei
spielen X, Y und Z eine Rolle") relate nothing: the answer is a list of terms, capped like one and flagged
`keyword_list`; a sentence that relates its terms to what the reference says keeps its credit
(grader.engine.frames)."""

from __future__ import annotations

import pytest

from grader.engine.rubric import build_rubric
from grader.engine.scoring import KEYWORD_LIST_CAP
from grader.grading import grade
from grader.models import Grade, Question

OVERFIT_EN = Question(
    id="of-en", lang="en", question="What is overfitting?",
    reference="Overfitting is when a model memorizes the noise in the training data, so its validation error rises "
              "while the training error keeps falling.",
)
OVERFIT_RU = Question(
    id="of-ru", lang="ru", question="Что такое переобучение?",
    reference="Переобучение — это когда модель запоминает шум обучающей выборки, и ошибка на валидации растёт.",
)
OVERFIT_DE = Question(
    id="of-de", lang="de", question="Was ist Überanpassung?",
    reference="Überanpassung liegt vor, wenn ein Modell das Rauschen der Trainingsdaten auswendig lernt und auf "
              "neuen Daten schlecht abschneidet.",
)


def _grade(question: Question, answer: str) -> Grade:
    return grade(question, build_rubric(question), answer)


@pytest.mark.parametrize(("question", "answer"), [
    (OVERFIT_EN, "The model, the noise, the training data and the validation error all matter a great deal here."),
    (OVERFIT_RU, "Здесь важную роль играют модель, шум и обучающая выборка 🙂."),
    (OVERFIT_DE, "Dabei spielen Modell, Rauschen und Trainingsdaten eine große Rolle."),
], ids=["en", "ru", "de"])
def test_terms_in_an_empty_frame_are_a_list(question: Question, answer: str) -> None:
    g = _grade(question, answer)
    assert "keyword_list" in g.flags and g.score is not None and g.score <= KEYWORD_LIST_CAP


@pytest.mark.parametrize(("question", "answer"), [
    (OVERFIT_EN, "The model memorizes the noise in the training data, so the validation error rises while the "
                 "training error keeps falling."),
    (OVERFIT_RU, "Модель запоминает шум обучающей выборки, и ошибка на валидации растёт."),
    (OVERFIT_RU, "Модель, шум и выборка связаны так: модель запоминает шум выборки, ошибка на валидации растёт."),
    (OVERFIT_DE, "Das Modell lernt das Rauschen der Trainingsdaten auswendig und schneidet auf neuen Daten schlecht "
                 "ab."),
], ids=["en-statement", "ru-statement", "ru-run-then-statement", "de-statement"])
def test_terms_related_to_what_the_reference_says_keep_their_credit(question: Question, answer: str) -> None:
    g = _grade(question, answer)
    assert "keyword_list" not in g.flags and g.score is not None and g.score > KEYWORD_LIST_CAP


def test_a_noun_phrase_of_terms_is_no_run() -> None:
    # Terms side by side ("IP address configuration") are one phrase in a sentence of the answer's words, not a list.
    q = Question(id="dhcp", lang="en", question="What is DHCP used for?",
                 reference="A DHCP server dynamically assigns an IP address and other network configuration to a "
                           "host.")
    g = _grade(q, "It is used for automatic IP address configuration.")
    assert "keyword_list" not in g.flags

"""A glossary term the reference negates is negated in every language it is matched in, where it occurs negated."""

from __future__ import annotations

import re

import pytest

from grader.engine.rubric import build_rubric
from grader.grading import grade
from grader.models import Concept, Question

WITHOUT_BACKPROP = Question(
    id="q", question="Как обучают эту модель?", reference="Эту модель обучают без обратного распространения ошибки."
)
NOT_ACTIVATION = {
    "en": Question(
        id="q",
        lang="en",
        question="What is softmax at the output?",
        reference="At the output softmax is not an activation function, it only normalises the scores.",
    ),
    "de": Question(
        id="q",
        lang="de",
        question="Was ist Softmax am Ausgang?",
        reference="Softmax ist am Ausgang keine Aktivierungsfunktion, sondern normiert nur die Werte.",
    ),
}


def _point_score(question: Question, answer: str) -> float:
    return grade(question, build_rubric(question), answer).points[0].score


class TestEachLanguageItsOwnCue:
    """A negated term's wordings in other languages carry those languages' negation, not the reference's."""

    @pytest.mark.parametrize(
        "answer",
        ["It is trained without backpropagation.", "Sie wird ohne Rückpropagierung trainiert.",
         "Её обучают without backpropagation 🙂."],
        ids=["en", "de", "ru-with-english-term"],
    )  # fmt: skip
    def test_russian_reference(self, answer: str) -> None:
        said_in_russian = _point_score(WITHOUT_BACKPROP, "Её обучают без обратного распространения.")
        assert said_in_russian > 0.5
        assert _point_score(WITHOUT_BACKPROP, answer) == pytest.approx(said_in_russian)
        assert _point_score(WITHOUT_BACKPROP, "It is trained with backpropagation.") == 0.0

    @pytest.mark.parametrize(
        ("lang", "answer"),
        [
            ("en", "Softmax здесь не функция активации, она только normalises the scores."),
            ("en", "Softmax ist hier keine Aktivierungsfunktion, it only normalises the scores."),
            ("de", "Softmax is not an activation function, normiert nur die Werte."),
            ("de", "Softmax не функция активации, normiert nur die Werte."),
        ],
        ids=["en-ru", "en-de", "de-en", "de-ru"],
    )
    def test_english_and_german_references(self, lang: str, answer: str) -> None:
        question = NOT_ACTIVATION[lang]
        assert _point_score(question, answer) == pytest.approx(_point_score(question, question.reference))

    def test_no_latin_cue_before_a_cyrillic_wording(self) -> None:
        concepts = build_rubric(NOT_ACTIVATION["en"]).points[0].concepts
        wordings = [w for c in concepts for w in c.any]
        assert "not activation function" in wordings
        assert "не функция активации" in wordings
        assert not [w for w in wordings if re.match(r"[a-z]+ [а-яё]", w)]


def _polarities(concepts: list[Concept], term: str) -> set[bool]:
    with_term = [c for c in concepts if any(w.split()[-1] == term for w in c.any)]
    return {any(w.startswith(("не ", "no ", "kein")) for w in c.any) for c in with_term}


@pytest.mark.parametrize(
    ("lang", "reference", "term"),
    [
        ("ru", "Это не трансформер: трансформер использует механизм внимания, а эта сеть свёрточная.", "трансформер"),
        ("en", "It is no transformer: a transformer uses attention, while this network is convolutional.",
         "transformer"),
        ("de", "Das ist kein Optimierer: ein Optimierer ändert die Gewichte, diese Schicht normiert sie.", "optimizer"),
    ],
    ids=["ru", "en", "de"],
)  # fmt: skip
def test_each_occurrence_keeps_its_polarity(lang: str, reference: str, term: str) -> None:
    """A term said negated and then plainly makes a negated and a plain concept, not two negated ones."""
    question = Question(id="q", question="Which model is it?", reference=reference, lang=lang)
    concepts = build_rubric(question).points[0].concepts
    assert _polarities(concepts, term) == {True, False}

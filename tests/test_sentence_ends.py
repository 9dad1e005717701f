"""A sentence ends at its punctuation, never at the point of a number, a name or an abbreviation."""

from __future__ import annotations

import random

import pytest

from grader.engine.contradictions import clause_at, clauses, sentences
from grader.engine.reading import read_reference
from grader.engine.rubric import build_rubric
from grader.grading import grade
from grader.models import Question
from tests.test_contradictions import QUESTION, RUBRIC

SPLITS = [
    (
        "decimals",
        "Learning rate 0.001, momentum 0.9. Then tune it",
        ["Learning rate 0.001, momentum 0.9", " Then tune it"],
    ),
    (
        "version-and-module",
        "sklearn v1.5.2 has sklearn.metrics! Use it",
        ["sklearn v1.5.2 has sklearn.metrics", " Use it"],
    ),
    ("leading-point", "lr .01 works; lr 1.5e-3 too", ["lr .01 works", " lr 1.5e-3 too"]),
    ("e.g.", "Use a language, e.g. Python. Then test", ["Use a language, e.g. Python", " Then test"]),
    ("z. B.", "Bäume, z. B. Eichen, z.B. Buchen. Dann", ["Bäume, z. B. Eichen, z.B. Buchen", " Dann"]),
    ("т.е.", "Штраф, т.е. L2, т. е. веса 😀. Далее ё", ["Штраф, т.е. L2, т. е. веса 😀", " Далее ё"]),
    ("small-letter-after-space", "Это L2. она штрафует веса", ["Это L2", " она штрафует веса"]),
    ("missing-space", "It works.But not always", ["It works", "But not always"]),
    ("number-then-stop", "Rate 0.5. Next\nline", ["Rate 0.5", " Next", "line"]),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in SPLITS], ids=[c[0] for c in SPLITS])
def test_sentences(text: str, expected: list[str]) -> None:
    assert [text[a:b] for a, b in sentences(text)] == expected


def test_a_clause_holds_a_decimal_point() -> None:
    text = "Обычно lr = 0.001, а momentum 0.9"
    assert clause_at(text, text.index(".")) == (0, text.index(", а"))
    assert clause_at(text, text.index("lr")) == (0, text.index(", а"))


@pytest.mark.parametrize(
    ("reference", "note"),
    [
        ("Gradient descent steps against the gradient.\nThe answer may be rounded, e.g. P(B) = 0.01 or 0.014.",
         "The answer may be rounded, e.g. P(B) = 0.01 or 0.014."),
        ("Der Gradientenabstieg geht gegen den Gradienten. Die Antwort darf gerundet werden, z. B. P(B) = 0,01.",
         "Die Antwort darf gerundet werden, z. B. P(B) = 0,01."),
    ],
    ids=["en", "de"],
)  # fmt: skip
def test_a_reference_sentence_goes_on_after_an_abbreviation(reference: str, note: str) -> None:
    """A grading note with an example in it is set aside whole, not cut at "e.g." into a note and a point."""
    reading = read_reference(reference)
    assert reading.notes == [note]
    assert len(reading.points) == 1


# A statement that holds a decimal or an abbreviation is read as one: numbers given to the other term, and a
# claim said the other way round, are caught.
RATES = {
    "en": "Which learning rate and momentum are usual?",
    "ru": "Какие learning rate и momentum обычны?",
    "de": "Welche Lernrate und welches Momentum sind üblich?",
}
REGULARISE = {
    "en": "What does regularization do?",
    "ru": "Что делает регуляризация?",
    "de": "Was bewirkt Regularisierung?",
}
WRONG = [
    ("en-numbers-swapped", "en", RATES, "The learning rate is usually 0.001 and the momentum is 0.9.",
     "The learning rate is usually 0.9 and the momentum is 0.001."),
    ("ru-numbers-swapped", "ru", RATES, "Learning rate обычно 0.001, а momentum равен 0.9.",
     "Learning rate обычно 0.9, а momentum равен 0.001."),
    ("de-numbers-swapped", "de", RATES, "Die Lernrate beträgt 0.001 und das Momentum beträgt 0.9.",
     "Die Lernrate beträgt 0.9 und das Momentum beträgt 0.001."),
    ("en-e.g.-negated", "en", REGULARISE, "Regularization, e.g. a penalty on large weights, reduces overfitting.",
     "Regularization, e.g. a penalty on large weights, does not reduce overfitting."),
    ("ru-т.е.-negated", "ru", REGULARISE, "Регуляризация, т.е. штраф за большие веса, снижает переобучение.",
     "Регуляризация, т.е. штраф за большие веса, не снижает переобучение."),
    ("de-z.B.-reversed", "de", REGULARISE,
     "Regularisierung, z. B. ein Strafterm auf große Gewichte, verringert die Überanpassung.",
     "Regularisierung, z. B. ein Strafterm auf große Gewichte, erhöht die Überanpassung."),
]  # fmt: skip


@pytest.mark.parametrize(("lang", "asked", "reference", "wrong"), [c[1:] for c in WRONG], ids=[c[0] for c in WRONG])
def test_a_wrong_statement_around_a_point_is_caught(
    lang: str, asked: dict[str, str], reference: str, wrong: str
) -> None:
    question = Question(id="q", question=asked[lang], reference=reference, lang=lang)
    rubric = build_rubric(question)
    assert grade(question, rubric, reference).score == 1.0
    wrong_grade = grade(question, rubric, wrong)
    assert wrong_grade.score == 0.0
    assert "reversed" in wrong_grade.flags


@pytest.mark.parametrize(
    "answer",
    [
        "Momentum копит инерцию прошлых градиентов и уменьшает шаг в 0.5 раза со временем.",
        "Momentum accumulates past gradients and reduces the step by 0.5 over time.",
        "Momentum sammelt vergangene Gradienten, reduces the step, z. B. um 0.5, over time.",
    ],
    ids=["ru", "en", "de-mixed"],
)
def test_a_misconception_with_a_number_in_it_is_one_statement(answer: str) -> None:
    g = grade(QUESTION, RUBRIC, answer)
    assert "misconception" in g.flags
    assert {p.id: p.verdict for p in g.points}["inertia"] == "contradicted"


def test_clause_at_agrees_with_clauses() -> None:
    """`clause_at`, which reads backwards from an offset, finds the clause `clauses` yields there (None between)."""
    rng = random.Random(1)
    pieces = ["Rate 0.5 ok.", " e.g. this", "; v2.0 и", "\n", " z. B. X", "! ", "? ", "sklearn.metrics", " Ok. next",
              ", but y", " 1.5e-3.", "...", " т.е. ё 🙂"]  # fmt: skip
    for _ in range(100):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
        spans = list(clauses(text))
        for at in range(len(text)):
            assert clause_at(text, at) == next(((a, b) for a, b in spans if a <= at < b), None), (text, at)

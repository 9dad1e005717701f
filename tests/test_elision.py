"""Elided compounds written out: what "Trainings- und Testdaten" names, the grader reads as named."""

from __future__ import annotations

import pytest

from grader.engine.elision import expand
from grader.engine.rubric import build_rubric
from grader.models import Question


@pytest.mark.parametrize(
    ("text", "lang", "written"),
    [
        ("Daten in Trainings- und Testdaten?", "de", "Daten in Trainingsdaten und Testdaten?"),
        ("Nenne Vor- und Nachteile.", "de", "Nenne Vorteile und Nachteile."),
        ("Ein-, Aus- oder Weitergabe", "de", "Eingabe, Ausgabe oder Weitergabe"),
        ("аудио- и видеоданные", "ru", "аудиоданные и видеоданные"),
        ("Compare pre- and post-processing.", "en", "Compare pre-processing and post-processing."),
        ("Was ist ein E-Mail-Filter?", "de", "Was ist ein E-Mail-Filter?"),  # no elision
        ("Zahlen 3- und 4-stellig", "de", "Zahlen 3- und 4-stellig"),  # digits are no word to complete
    ],
)
def test_expand(text: str, lang: str, written: str) -> None:
    assert expand(text, lang) == written


def test_a_word_the_question_names_by_elision_is_no_concept() -> None:
    q = Question(id="tt", lang="de", question="Warum teilt man Daten in Trainings- und Testdaten?",
                 reference="Man lernt auf den Trainingsdaten und misst die Güte auf den Testdaten.")
    wordings = {w.lower() for p in build_rubric(q).points for c in p.concepts for w in c.any}
    assert "trainingsdaten" not in wordings and "testdaten" not in wordings and "güte" in wordings

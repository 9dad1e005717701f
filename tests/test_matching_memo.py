"""A grade never depends on which answers the matcher read before: what an answer word stands for is memoised
per word, not per stem (two forms of one stem may differ: a compound's parts come from the word itself)."""

from __future__ import annotations

from grader.engine.matching import Matcher
from grader.models import Concept, KeyPoint, Rubric

RUBRIC = Rubric(question_id="q", lang="de", points=[
    KeyPoint(id="ende", text="Der Auftrag wird bis zum Ende durchgeführt", concepts=[Concept(any=["Ende"])]),
    KeyPoint(id="brief", text="Das Schreiben wird gezeigt", concepts=[Concept(any=["Schreiben"])]),
])  # fmt: skip
AFTER = "Ich zeige das Schreiben, das mir vorliegt."  # "vorliegt": the stem of "vorliegende", no compound of "Ende"
BEFORE = "Die vorliegende Erlaubnis 🙂 gilt."  # "vorliegende" closes with "ende": read as a compound of it


def _scores(m: Matcher, answer: str) -> dict[str, float]:
    return {p.id: p.score for p in m.match(answer, "de").points}


def test_a_word_read_before_does_not_change_another_answer() -> None:
    fresh = _scores(Matcher(RUBRIC), AFTER)
    seen = Matcher(RUBRIC)
    _scores(seen, BEFORE)
    assert _scores(seen, AFTER) == fresh == {"ende": 0.0, "brief": 1.0}


def test_the_same_answers_in_either_order() -> None:
    one, two = Matcher(RUBRIC), Matcher(RUBRIC)
    first = [_scores(one, a) for a in (BEFORE, AFTER)]
    second = [_scores(two, a) for a in (AFTER, BEFORE)][::-1]
    assert first == second

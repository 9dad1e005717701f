"""The grader reads an answer once: what that one walk finds for the misconceptions and the reversal check is what a
separate reading of the answer finds."""

from __future__ import annotations

import pytest

from grader.bank.store import Bank, packaged_bank, rubric_for
from grader.engine.lexical import feedback_lang, matcher_for
from grader.engine.matching import Matcher
from grader.engine.misconceptions import find_misconceptions
from grader.engine.reversal import find_reversals
from grader.engine.text import latin_lang
from grader.models import Question, Rubric


def _cases() -> list[tuple[Question, Rubric, str]]:
    """Every bundled question with answers that state its misconceptions (plainly, negated, after a contrast),
    its golden examples and its reference, in Russian and mixed with English."""
    bank = Bank(packaged_bank())
    cases = []
    for q in bank.questions():
        rubric = rubric_for(bank, q)[0]
        answers = [q.reference, *(e.answer for e in rubric.examples)]
        for m in rubric.misconceptions:
            answers += [
                f"{m.text}. {q.reference}",
                f"Неверно, что {m.text.lower()}, а не наоборот.",
                f"{q.reference.split('.')[0]}, и {m.text.lower()}",
                f"Some say {m.text} — это не так.",
            ]
        cases += [(q, rubric, a) for a in answers]
    return cases


CASES = _cases()


@pytest.mark.parametrize(
    ("question", "rubric", "answer"), CASES, ids=[f"{q.id}-{i}" for i, (q, _r, _a) in enumerate(CASES)]
)
def test_one_walk_finds_what_separate_readings_find(question: Question, rubric: Rubric, answer: str) -> None:
    match = matcher_for(question, rubric).match(answer, question.lang)
    lang = feedback_lang(answer, question, match)
    if latin_lang(lang) != latin_lang(question.lang):
        match = matcher_for(question, rubric).match(answer, lang)
    assert match.claims is not None
    assert find_misconceptions(rubric, question.question, answer, lang, match) == find_misconceptions(
        rubric, question.question, answer, lang
    )
    assert find_reversals(rubric, match.points, answer, lang, match) == find_reversals(
        rubric, match.points, answer, lang
    )


def test_the_bank_states_misconceptions_and_reversals_for_the_comparison_to_mean_something() -> None:
    found = [
        (
            find_misconceptions(r, q.question, a, q.lang),
            find_reversals(r, Matcher(r, q.question).match(a).points, a, q.lang),
        )
        for q, r, a in CASES
    ]
    assert sum(bool(m) for m, _r in found) >= 10
    assert any(r for _m, r in found)

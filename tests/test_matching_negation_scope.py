"""A negation cue stops only the concept in its own clause: a comma opening a new clause ends its scope."""

from __future__ import annotations

import pytest

from grader.engine.matching import Matcher
from grader.models import Rubric

RUBRIC = Rubric.model_validate(
    {"question_id": "x", "points": [{"id": "p", "text": "p", "concepts": [["ReLU"], ["обучение замедляется"]]}]}
)


def _found(answer: str) -> list[bool]:
    return [c.matched for c in Matcher(RUBRIC).match(answer).points[0].concepts]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("используем не сигмоиду, а ReLU", [True, False]),
        ("not the sigmoid, but ReLU", [True, False]),
        ("веса почти не обновляются, и обучение замедляется", [False, True]),
        ("не используем ReLU", [False, False]),
        ("without ReLU", [False, False]),
    ],
)
def test_negation_scope(answer: str, expected: list[bool]) -> None:
    assert _found(answer) == expected


class TestFunctionWordsInWordings:
    """A wording whose meaning lives in its function words keeps them: "без декодера" is not "декодер"."""

    RUBRIC = Rubric.model_validate(
        {
            "question_id": "x",
            "points": [
                {"id": "p", "text": "p", "concepts": [["много данных"], ["без декодера"], ["веса не обновляются"]]}
            ],
        }
    )

    @pytest.mark.parametrize(
        ("answer", "expected"),
        [
            ("нужно много данных", [True, False, False]),
            ("данные важны", [False, False, False]),
            ("энкодер и декодер", [False, False, False]),
            ("только энкодер, без декодера", [False, True, False]),
            ("веса обновляются", [False, False, False]),
            ("веса почти не обновляются", [False, False, True]),
        ],
    )
    def test_kept(self, answer: str, expected: list[bool]) -> None:
        assert [c.matched for c in Matcher(self.RUBRIC).match(answer).points[0].concepts] == expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("Механизма внимания там нет.", False),
        ("ReLU отсутствует", False),
        ("ReLU есть, а сигмоиды нет", True),
        ("ReLU. Нет сомнений", True),
    ],
)
def test_absence_stated_after_the_term(answer: str, expected: bool) -> None:
    """Russian states absence after the noun ("X нет", "X отсутствует"); that stops X counting too."""
    rubric = Rubric.model_validate(
        {"question_id": "x", "points": [{"id": "p", "text": "p", "concepts": [["ReLU", "механизм внимания"]]}]}
    )
    assert Matcher(rubric).match(answer).points[0].concepts[0].matched is expected

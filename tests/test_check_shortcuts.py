"""The attack checks read only what can change a grade: a clause found from the sentence around an offset, the
negated parts of the clauses asked about, the pairs of direction words a clause holds. Each shortcut gives what
the full reading gives."""

from __future__ import annotations

import pytest

from grader.engine.clause_polarity import negated_parts
from grader.engine.contradictions import clause_at, clauses
from grader.engine.reversal import PAIRS, directions, pairs_stated
from grader.engine.salad import broken_slots

TEXTS = [
    "Momentum helps, but it does not reduce the step. Es lernt das Rauschen nicht auswendig!",
    "Сигмоида насыщается, а ReLU нет; градиент не затухает.\nВеса обновляются, но медленно.",
    "a, но, но b..c;\n\n, however d",
    "",
    "no punctuation at all",
]


class TestClauseAt:
    """`clause_at` names, for every offset, the clause `clauses` yields that holds it, or None."""

    @pytest.mark.parametrize("text", TEXTS, ids=["en-de", "ru", "punctuation", "empty", "one-clause"])
    def test_agrees_with_clauses_at_every_offset(self, text: str) -> None:
        holding = {at: (a, b) for a, b in clauses(text) for at in range(a, b)}
        assert [clause_at(text, at) for at in range(len(text) + 1)] == [holding.get(at) for at in range(len(text) + 1)]


class TestNegatedPartsNear:
    """Asked about some offsets, `negated_parts` gives the negated parts of the clauses holding them, no others."""

    def test_only_the_clauses_holding_the_offsets(self) -> None:
        text = "It does not reduce the step. Weights are not updated. Nothing else matters."
        every = negated_parts(text)
        assert [p.text.strip() for p in every] == ["It does not reduce the step", "Weights are not updated"]
        second = text.index("Weights")
        assert negated_parts(text, [second]) == every[1:]
        assert negated_parts(text, [text.index("Nothing")]) == []  # a clause with no negation in it
        assert negated_parts(text, []) == []


class TestPairsStated:
    """`pairs_stated` names the pairs of direction words a text holds, the only pairs `directions` can find."""

    @pytest.mark.parametrize(
        "text",
        [
            "Momentum helps on a plateau but slows training down.",
            "Это не помогает, а только замедляет обучение и увеличивает ошибку.",
            "Das erhöht den Fehler nicht.",
            "Nothing here states a direction.",
        ],
        ids=["en", "ru", "de", "none"],
    )
    def test_covers_what_directions_finds(self, text: str) -> None:
        latin = "de" if "erhöht" in text else "en"
        lang = "ru" if "Это" in text else latin
        found = directions(text, lang)
        mask = pairs_stated(text, latin)
        assert all(mask >> pair & 1 for pair in found)
        assert bool(mask) is bool(found)
        assert mask < 1 << len(PAIRS)


class TestBrokenSlots:
    """Articles and prepositions, and which of them cannot open a noun phrase, counted token by token."""

    @pytest.mark.parametrize(
        ("text", "counted"),
        [
            ("the it a but of is noise", (3, 3)),
            ("The model memorizes the noise of the training data.", (4, 0)),
            ("Nodes A, B and C: a path from A to C", (3, 0)),  # "A" names a node; so the article before "path" counts
            ("Die Regale sind voll, stimme zu.", (1, 0)),  # a particle ends the clause
            ("the", (1, 1)),  # the end of the answer ends the phrase
            ("", (0, 0)),
        ],
        ids=["salad", "sentence", "letters-name-things", "particle", "alone", "empty"],
    )
    def test_counts(self, text: str, counted: tuple[int, int]) -> None:
        assert broken_slots(text) == counted

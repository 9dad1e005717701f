"""The shortcuts that make a grade of new text cheaper give the answers of the long way: the injection pre-screen's
plain pieces and prefix tree of anchors, and the per-rubric outcome shared by answers whose points fare alike."""

from __future__ import annotations

import random

import pytest

from grader.engine import injection
from grader.engine.lexical import grade_lexical
from grader.models import Concept, KeyPoint, Question, Rubric

ANCHOR_WORDS = [a for a in injection._alternatives(injection._ANCHORS.pattern) if a.replace("-", "").isalnum()]


class TestAnchorGate:
    """The gate finds an anchor exactly where the plain alternation of anchors does."""

    def test_every_anchor_word_in_any_place(self) -> None:
        assert len(ANCHOR_WORDS) > 80  # the words were split out of the pattern, not lost
        for word in ANCHOR_WORDS:
            for piece in (word, f"x{word}", f"{word}y", f"({word}),", word[:-1], word[1:]):
                assert bool(injection._ANCHOR_GATE.search(piece)) == bool(injection._ANCHORS.search(piece)), piece

    def test_the_patterns_that_are_not_words_are_kept(self) -> None:
        for piece, held in (("now", True), ("now!", True), ("nowhere", False), ("backwards!", True),
                            ("backwards", False), ("%2f", True), ("зачёт", True), ("<b>", True), ("gib", True)):
            assert bool(injection._ANCHOR_GATE.search(piece)) is held, piece


class TestPlainPieces:
    """A piece of plain letters or a number is flagged as the full screen of every signal would flag it."""

    @pytest.mark.parametrize("piece", ["Score", "оценка,", "weights.", "Градиент", "3.14", "1,5", "123456789012345",
                                       "graded!", "ignore", "Gib", "jetzt", "теперь:", "(TCP)", "don't", "«Оценка»,",
                                       "RUBRIC", "\"SYN\","])
    def test_fast_and_full_screens_agree(self, piece: str) -> None:
        assert injection._PLAIN_PIECE.fullmatch(piece)
        assert injection.piece_may_hold_injection(piece) == injection._screen(piece, piece.lower())

    def test_random_plain_pieces(self) -> None:
        rng = random.Random(7)
        for _ in range(2000):
            letters = rng.choice(["abcdegimnoprstu", "абвгдеиклмнопрст", "0123456789", "ABCDEGIMNOPRSTUab", "АБВГабв"])
            piece = "".join(rng.choice(letters) for _ in range(rng.randint(1, 18)))
            piece = rng.choice(["", "(", "«", '"']) + piece + rng.choice(["", ",", ".", ")", "»,", '"'])
            if injection._PLAIN_PIECE.fullmatch(piece):
                assert injection.piece_may_hold_injection(piece) == injection._screen(piece, piece.lower()), piece

    def test_what_plain_pieces_are_not(self) -> None:
        for piece in ("aGVsbG8gd29ybGQ=", "1234567890123456", "g1ve", "i.g.n", "mixеd", "a\u200bb", "x_y",
                      "AbCdEfGhIjKlMnOpQ"):
            assert injection._PLAIN_PIECE.fullmatch(piece) is None, piece


QUESTION = Question(id="q", question="Зачем нужна регуляризация?", reference="Штраф за большие веса.", lang="ru")
RUBRIC = Rubric(question_id="q", lang="ru", points=[
    KeyPoint(id="penalty", text="Штраф за веса", concepts=[Concept(any=["штраф"]), Concept(any=["веса"])],
             hint="Регуляризация штрафует большие веса."),
    KeyPoint(id="overfit", text="Против переобучения", concepts=[Concept(any=["переобучение"])], required=True),
])  # fmt: skip


class TestSharedOutcome:
    """Answers whose points fare alike get the same score and feedback, and grades never share a list."""

    def test_same_outcome_same_feedback_own_lists(self) -> None:
        one = grade_lexical(QUESTION, RUBRIC, "Это штраф за большие веса модели.")
        two = grade_lexical(QUESTION, RUBRIC, "Добавляем штраф, чтобы веса были маленькими.")
        assert (one.score, one.feedback, one.study_next) == (two.score, two.feedback, two.study_next)
        assert one.study_next and one.study_next is not two.study_next
        one.study_next.append("changed")
        assert "changed" not in grade_lexical(QUESTION, RUBRIC, "Просто штраф на веса.").study_next

    def test_another_outcome_its_own_feedback(self) -> None:
        partial = grade_lexical(QUESTION, RUBRIC, "Это штраф за большие веса модели.")
        full = grade_lexical(QUESTION, RUBRIC, "Это штраф за большие веса, он против переобучения.")
        assert full.score is not None and partial.score is not None and full.score > partial.score
        assert full.feedback != partial.feedback and not full.study_next

"""Leitner scheduling with an injected clock: weak questions come back before strong ones, new ones mixed in."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from grader.quiz.schedule import INTERVALS, Review, cards, next_box, plan

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def review(qid: str, score: float | None, days: float, session: str = "") -> Review:
    return Review(question_id=qid, score=score, at=T0 + timedelta(days=days), session=session or f"s{days}")


class TestBoxes:
    """A good score moves a question up one box, a middling one down one, a failure back to box 1."""

    @pytest.mark.parametrize(
        ("box", "score", "expected"),
        [(0, 0.9, 2), (0, 0.5, 1), (1, 0.9, 2), (6, 1.0, 6), (4, 0.5, 3), (1, 0.5, 1), (5, 0.1, 1), (3, None, 1)],
        ids=[
            "new-pass",
            "new-middling",
            "up",
            "top-stays",
            "middling-down",
            "middling-floor",
            "fail-reset",
            "unscored-reset",
        ],
    )
    def test_next_box(self, box: int, score: float | None, expected: int) -> None:
        assert next_box(box, score) == expected

    def test_only_first_attempt_of_a_session_counts(self) -> None:
        reviews = [
            Review(question_id="a", score=0.1, at=T0, session="s1"),
            Review(question_id="a", score=1.0, at=T0 + timedelta(minutes=2), session="s1"),  # retry after hints
        ]
        card = cards(reviews)["a"]
        assert (card.box, card.reviews, card.due_at) == (1, 1, T0)

    def test_due_date_follows_box_interval(self) -> None:
        card = cards([review("a", 0.9, 0), review("a", 0.9, 1), review("a", 0.9, 3)])["a"]
        assert card.box == 4
        assert card.due_at == T0 + timedelta(days=3) + INTERVALS[4]


class TestPlan:
    """The plan asks due questions weakest first, mixes in new ones, and practises ahead only when nothing else."""

    def test_failed_question_comes_back_before_a_mastered_one(self) -> None:
        history = [review("mastered", 1.0, d) for d in (0, 1, 4, 11)] + [review("failed", 0.2, 11)]
        now = T0 + timedelta(days=12)
        picks = plan(["mastered", "failed"], history, now=now, count=2)
        assert [(p.question_id, p.reason) for p in picks] == [("failed", "due"), ("mastered", "ahead")]

    def test_weak_box_beats_long_unseen_strong_when_both_due(self) -> None:
        history = [review("strong", 1.0, d) for d in (0, 1, 4)] + [review("weak", 0.5, 0), review("weak", 0.2, 5)]
        now = T0 + timedelta(days=60)  # both long overdue
        picks = plan(["strong", "weak"], history, now=now, count=2)
        assert [p.question_id for p in picks] == ["weak", "strong"]
        assert [p.box for p in picks] == [1, 4]

    def test_among_equal_boxes_the_longest_overdue_first(self) -> None:
        history = [review("old", 0.9, 0), review("recent", 0.9, 10)]
        picks = plan(["recent", "old"], history, now=T0 + timedelta(days=30), count=2)
        assert [p.question_id for p in picks] == ["old", "recent"]

    def test_new_questions_are_mixed_in_every_third_pick(self) -> None:
        history = [review(q, 0.1, 0) for q in ("d1", "d2", "d3", "d4")]
        ids = ["d1", "d2", "d3", "d4", "n1", "n2"]
        picks = plan(ids, history, now=T0 + timedelta(hours=1), count=6)
        assert [p.reason for p in picks] == ["due", "due", "new", "due", "due", "new"]
        assert {p.question_id for p in picks} == set(ids)

    def test_nothing_due_means_new_questions_then_practice_ahead(self) -> None:
        history = [review("known", 1.0, 0)]
        picks = plan(["known", "n1", "n2"], history, now=T0 + timedelta(hours=1), count=3)
        assert [(p.question_id, p.reason) for p in picks] == [("n1", "new"), ("n2", "new"), ("known", "ahead")]

    def test_count_limits_and_a_narrowed_pool_ignores_other_questions(self) -> None:
        history = [review("other-tag", 0.0, 0)]
        picks = plan(["a", "b", "c"], history, now=T0, count=2)
        assert [p.question_id for p in picks] == ["a", "b"]

    def test_rng_shuffles_only_new_questions(self) -> None:
        ids = [f"n{i}" for i in range(10)]
        a = plan(ids, [], now=T0, count=10, rng=random.Random(1))
        b = plan(ids, [], now=T0, count=10, rng=random.Random(1))
        assert [p.question_id for p in a] == [p.question_id for p in b]
        assert sorted(p.question_id for p in a) == sorted(ids)

    def test_a_question_comes_back_when_its_interval_has_passed(self) -> None:
        history = [review("q", 0.9, 0)]  # a first pass: box 2, due a day later
        assert cards(history)["q"].box == 2
        not_yet = plan(["q", "new"], history, now=T0 + timedelta(hours=23), count=1)
        later = plan(["q", "new"], history, now=T0 + timedelta(hours=25), count=1)
        assert [p.question_id for p in not_yet] == ["new"]
        assert [(p.question_id, p.reason) for p in later] == [("q", "due")]

"""FSRS beside the Leitner boxes: chosen by flag or config, scores mapped to ratings, an interview date caps dates."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from grader.errors import InvalidFile
from grader.quiz.policy import Policy, box_of, load_policy, rating_of
from grader.quiz.schedule import Review, plan

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _reviews(scores: list[float | None], qid: str = "q1", gap_days: float = 1.0) -> list[Review]:
    return [Review(question_id=qid, score=s, at=T0 + timedelta(days=gap_days * i), session=f"s{i}")
            for i, s in enumerate(scores)]  # fmt: skip


def test_box_of_interval() -> None:
    assert [box_of(timedelta(days=d)) for d in (0, 0.5, 1, 2, 3, 10, 20, 400)] == [1, 1, 2, 2, 3, 4, 5, 6]


@pytest.mark.parametrize(("score", "rating"), [(None, 1), (0.0, 1), (0.39, 1), (0.4, 2), (0.74, 2), (0.75, 3),
                                               (0.89, 3), (0.9, 4), (1.0, 4)])  # fmt: skip
def test_score_to_rating(score: float | None, rating: int) -> None:
    assert rating_of(score) == rating


class TestFsrsCards:
    """Good recall stretches the interval, a lapse brings the question back soon; the same history, the same dates."""

    def test_intervals_grow_with_good_answers_and_shrink_after_a_lapse(self) -> None:
        fsrs = Policy(scheduler="fsrs")
        good = [fsrs.cards(_reviews([0.8] * n))["q1"] for n in (1, 2, 3, 4)]
        intervals = [c.due_at - c.last_seen for c in good]
        assert intervals == sorted(intervals) and intervals[-1] > timedelta(days=7)
        lapsed = fsrs.cards(_reviews([0.8, 0.8, 0.8, 0.1]))["q1"]
        assert lapsed.due_at - lapsed.last_seen < timedelta(days=1)
        assert lapsed.box == 1 and good[-1].box >= 3
        easy = fsrs.cards(_reviews([0.95, 0.95, 0.95]))["q1"]
        assert easy.due_at > good[2].due_at  # Easy beats Good
        assert fsrs.cards(_reviews([0.8, 0.8, 0.8]))["q1"] == good[2]  # deterministic (no fuzz)

    def test_only_the_first_attempt_in_a_session_counts(self) -> None:
        once = _reviews([0.8])
        retried = [*once, Review(question_id="q1", score=0.1, at=T0 + timedelta(minutes=3), session="s0")]
        fsrs = Policy(scheduler="fsrs")
        assert fsrs.cards(retried)["q1"].due_at == fsrs.cards(once)["q1"].due_at

    def test_plan_uses_the_policy(self) -> None:
        reviews = _reviews([0.95, 0.95]) + _reviews([0.1], qid="q2")
        now = T0 + timedelta(days=3)
        picks = plan(["q1", "q2", "q3"], reviews, now=now, count=3, cards_of=Policy(scheduler="fsrs").cards)
        assert [(p.question_id, p.reason) for p in picks] == [("q2", "due"), ("q3", "new"), ("q1", "ahead")]


class TestUntil:
    """--until caps every due date at the interview, for both schedulers; after the interview nothing is capped."""

    @pytest.mark.parametrize("scheduler", ["leitner", "fsrs"])
    def test_cap(self, scheduler: str) -> None:
        reviews = _reviews([0.9] * 5, gap_days=10)  # long intervals by the end
        free = Policy(scheduler=scheduler).cards(reviews)["q1"]  # type: ignore[arg-type]
        interview = (free.last_seen + timedelta(days=2)).date()
        capped = Policy(scheduler=scheduler, until=interview).cards(reviews)["q1"]  # type: ignore[arg-type]
        assert free.due_at > capped.due_at == datetime(interview.year, interview.month, interview.day, tzinfo=UTC)
        past = Policy(scheduler=scheduler, until=date(2026, 1, 1)).cards(reviews)["q1"]  # type: ignore[arg-type]
        assert past == free


class TestChoosing:
    """The config's [quiz] section chooses; a flag wins; a wrong value names the file and the fix."""

    def test_config_then_flag(self, tmp_path: Path) -> None:
        cfg = tmp_path / "config.toml"
        cfg.write_text('[quiz]\nscheduler = "fsrs"\nuntil = 2026-12-20\n', encoding="utf-8")
        assert load_policy(cfg) == Policy(scheduler="fsrs", until=date(2026, 12, 20))
        assert load_policy(cfg, scheduler="leitner").scheduler == "leitner"
        assert load_policy(tmp_path / "none.toml") == Policy()

    def test_bad_value(self, tmp_path: Path) -> None:
        cfg = tmp_path / "config.toml"
        cfg.write_text('[quiz]\nscheduler = "sm2"\n', encoding="utf-8")
        with pytest.raises(InvalidFile, match="scheduler") as err:
            load_policy(cfg)
        assert str(cfg) in str(err.value) and "leitner or fsrs" in str(err.value)


@pytest.mark.slow
def test_stats_follow_the_configured_scheduler(tmp_path: Path) -> None:
    from grader.bank.store import Bank, packaged_bank
    from grader.quiz.history import History
    from grader.quiz.session import Quiz
    from tests.conftest import run_cli

    bank = Bank(packaged_bank())
    clock = iter(T0 + timedelta(days=i) for i in range(10))
    with History.open(tmp_path / "h.sqlite") as history:
        quiz = Quiz(bank, history, clock=lambda: next(clock))
        q = bank.questions()[0]
        for _ in range(3):
            quiz.answer(q, q.reference)
            quiz.session += "x"  # a new session each time
    cfg = tmp_path / "config.toml"
    env = {**os.environ, "GRADER_CONFIG": str(cfg)}
    due = {}
    for scheduler in ("leitner", "fsrs"):
        cfg.write_text(f'[quiz]\nscheduler = "{scheduler}"\n', encoding="utf-8")
        out = run_cli("stats", "--db", str(tmp_path / "h.sqlite"), "--json", env=env).stdout
        due[scheduler] = json.loads(out)["by_question"][0]["due_at"]
    assert due["leitner"] != due["fsrs"]
    until = run_cli("stats", "--db", str(tmp_path / "h.sqlite"), "--json", "--until", "2026-03-05", env=env).stdout
    assert json.loads(until)["by_question"][0]["due_at"].startswith("2026-03-05T00:00:00")

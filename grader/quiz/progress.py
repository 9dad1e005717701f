"""Progress from the history: per question best and last score, per tag averages, trend by day, points missed
most often. Pure: attempts in, a `Stats` model out.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime
from statistics import fmean

from pydantic import BaseModel, ConfigDict

from grader.quiz.history import Attempt, normalize_tag, reviews_of
from grader.quiz.policy import Policy

TOP_MISSED = 10


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class QuestionStats(_Model):
    question_id: str
    tags: list[str]
    attempts: int
    best: float | None
    last: float | None
    box: int
    last_seen: datetime
    due_at: datetime


class TagStats(_Model):
    tag: str
    questions: int
    attempts: int
    average_last: float | None  # mean of each question's latest score
    average_all: float | None  # mean over all attempts


class DayStats(_Model):
    day: str  # YYYY-MM-DD (UTC)
    attempts: int
    average: float | None


class MissedPoint(_Model):
    question_id: str
    point_id: str
    text: str
    missed: int  # attempts where the point was missing
    partial: int
    attempts: int


class Stats(_Model):
    attempts: int
    questions: int
    average_last: float | None
    by_question: list[QuestionStats]
    by_tag: list[TagStats]
    trend: list[DayStats]
    missed_points: list[MissedPoint]


def _mean(values: Sequence[float | None]) -> float | None:
    scored = [v for v in values if v is not None]
    return round(fmean(scored), 4) if scored else None


def _max(values: Sequence[float | None]) -> float | None:
    scored = [v for v in values if v is not None]
    return max(scored) if scored else None


def by_question(attempts: Sequence[Attempt], policy: Policy | None = None) -> list[QuestionStats]:
    grouped: dict[str, list[Attempt]] = defaultdict(list)
    for a in attempts:
        grouped[a.question_id].append(a)
    schedule = (policy or Policy()).cards(reviews_of(attempts))
    rows = []
    for qid, items in grouped.items():
        card = schedule[qid]
        rows.append(
            QuestionStats(
                question_id=qid,
                tags=items[-1].tags,
                attempts=len(items),
                best=_max([a.score for a in items]),
                last=items[-1].score,
                box=card.box,
                last_seen=card.last_seen,
                due_at=card.due_at,
            )
        )
    return sorted(rows, key=lambda r: (r.box, r.last if r.last is not None else -1, r.question_id))


def by_tag(attempts: Sequence[Attempt], questions: Sequence[QuestionStats]) -> list[TagStats]:
    tags = sorted({t for a in attempts for t in a.tags})
    return [
        TagStats(
            tag=tag,
            questions=sum(1 for q in questions if tag in q.tags),
            attempts=sum(1 for a in attempts if tag in a.tags),
            average_last=_mean([q.last for q in questions if tag in q.tags]),
            average_all=_mean([a.score for a in attempts if tag in a.tags]),
        )
        for tag in tags
    ]


def trend(attempts: Sequence[Attempt]) -> list[DayStats]:
    days: dict[str, list[float | None]] = defaultdict(list)
    for a in attempts:
        days[a.at.date().isoformat()].append(a.score)
    return [DayStats(day=d, attempts=len(s), average=_mean(s)) for d, s in sorted(days.items())]


def missed_points(attempts: Sequence[Attempt], top: int = TOP_MISSED) -> list[MissedPoint]:
    missed: Counter[tuple[str, str]] = Counter()
    partial: Counter[tuple[str, str]] = Counter()
    seen: Counter[tuple[str, str]] = Counter()
    texts: dict[tuple[str, str], str] = {}
    for a in attempts:
        for p in a.points:
            key = (a.question_id, p.id)
            seen[key] += 1
            texts[key] = p.text
            missed[key] += p.status == "missing"
            partial[key] += p.status == "partial"
    ranked = sorted((k for k in seen if missed[k] or partial[k]), key=lambda k: (-missed[k], -partial[k], k))
    return [
        MissedPoint(
            question_id=q, point_id=p, text=texts[q, p], missed=missed[q, p], partial=partial[q, p], attempts=seen[q, p]
        )
        for q, p in ranked[:top]
    ]


def stats(attempts: Sequence[Attempt], tag: str | None = None, policy: Policy | None = None) -> Stats:
    """Progress over `attempts` (oldest first), narrowed to one tag when given."""
    wanted = normalize_tag(tag) if tag else None
    chosen = [a for a in attempts if wanted is None or wanted in a.tags]
    questions = by_question(chosen, policy)
    return Stats(
        attempts=len(chosen),
        questions=len(questions),
        average_last=_mean([q.last for q in questions]),
        by_question=questions,
        by_tag=by_tag(chosen, questions),
        trend=trend(chosen),
        missed_points=missed_points(chosen),
    )

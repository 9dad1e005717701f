"""summary.json's objects: the batch, each question, each candidate, each flagged group (pydantic, extra="forbid")."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MissedPoint(_Model):
    id: str
    text: str
    missed: float  # share of graded answers that missed the point


class AnswerGroup(_Model):
    """Answers to one question that cover, half-cover and miss the same points: read one, know the rest."""

    size: int
    score: float  # the first answer's
    covered: list[str]  # point ids
    candidate: str  # who wrote the first answer
    answer: str  # the first answer, clipped


class QuestionStats(_Model):
    id: str
    question: str
    answers: int
    blank: int = 0
    errors: int
    mean: float | None
    min: float | None
    max: float | None
    most_missed: list[MissedPoint]
    groups: list[AnswerGroup] = []


class CandidateStats(_Model):
    rank: int
    candidate: str
    total: float  # sum over questions of the candidate's score on it (0..1 each)
    mean: float | None  # total / questions asked: what the rank, the bar and the mean shown come from
    asked: int = 0  # question ids this candidate has rows for (an unknown id too)
    graded: int
    errors: int
    scores: dict[str, float]  # question id -> score (the mean of the answers when answered twice: flagged)
    blank: list[str] = []  # question ids answered blank (score 0)
    failed: list[str] = []  # question ids whose rows could not be graded (score 0)
    repeated: list[str] = []  # question ids answered more than once


class Flagged(_Model):
    """A group of rows an integrity flag points at: one row, or all rows sharing an answer."""

    flag: str
    question_id: str
    candidates: list[str]
    ids: list[str]


class Summary(_Model):
    rows: int
    graded: int
    blank: int = 0
    unscored: int
    errors: int
    mean: float | None
    mode: str
    lang: str
    candidates: list[CandidateStats]
    questions: list[QuestionStats]
    error_reasons: dict[str, int]
    flagged: list[Flagged] = []

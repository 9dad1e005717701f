"""`grader rubric build --llm`: an LLM drafts key points, concepts with alternative wordings, and hints.

The draft becomes a normal rubric (`built_by: llm`) for a person to review: ids are made valid and unique,
empty wordings dropped, weights kept within 0.5–3; proposed misconceptions are kept when they name a kept point.
Nothing here scores anything.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict

from grader.engine.rubric import reference_hash, without_question_words
from grader.errors import JudgeError
from grader.llm.prompts import rubric_messages
from grader.models import Concept, KeyPoint, Misconception, Question, Rubric


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DraftPoint(_Strict):
    id: str
    text: str
    weight: float
    required: bool
    concepts: list[list[str]]
    hint: str


class DraftMisconception(_Strict):
    id: str
    text: str
    point: str
    concepts: list[list[str]]
    feedback: str


class RubricDraft(_Strict):
    """The reply schema for drafting a rubric."""

    points: list[DraftPoint]
    misconceptions: list[DraftMisconception]


def _slug(text: str, taken: set[str], n: int) -> str:
    base = re.sub(r"[^a-z0-9_-]+", "_", text.lower()).strip("_-")[:40] or f"p{n}"
    if not base[0].isalnum():
        base = f"p{n}_{base}"
    slug, k = base, 2
    while slug in taken:
        slug, k = f"{base}_{k}", k + 1
    taken.add(slug)
    return slug


def to_rubric(question: Question, draft: RubricDraft) -> Rubric:
    """A valid rubric from a draft: ids fixed, blank wordings dropped, weights bounded."""
    taken: set[str] = set()
    points = []
    ids: dict[str, str] = {}  # the draft's point id -> the rubric's
    for n, d in enumerate(draft.points, start=1):
        concepts = _concepts(d.concepts)
        if not d.text.strip():
            continue
        ids[d.id] = _slug(d.id, taken, n)
        points.append(
            KeyPoint(
                id=ids[d.id],
                text=d.text.strip(),
                weight=min(3.0, max(0.5, d.weight)),
                required=d.required,
                concepts=concepts,
                hint=d.hint.strip(),
            )
        )
    if not points:
        raise JudgeError("the LLM proposed no usable key points", fix="Try again, or another --model")
    rubric = Rubric(
        question_id=question.id,
        lang=question.lang,
        reference_hash=reference_hash(question.reference),
        built_by="llm",
        points=points,
        misconceptions=_misconceptions(draft.misconceptions, ids),
    )
    return without_question_words(rubric, question.question)  # as `check --strict` wants: they prove nothing


def _concepts(drafted: list[list[str]]) -> list[Concept]:
    return [Concept(any=words) for c in drafted if (words := [w.strip() for w in c if w.strip()])]


def _misconceptions(drafts: list[DraftMisconception], ids: dict[str, str]) -> list[Misconception]:
    """The drafted misconceptions that name a kept point and have wordings and feedback; the rest are dropped."""
    taken: set[str] = set()
    out = []
    for n, d in enumerate(drafts, start=1):
        concepts = _concepts(d.concepts)
        if d.point in ids and concepts and d.text.strip() and d.feedback.strip():
            out.append(Misconception(id=_slug(d.id, taken, n), text=d.text.strip(), point=ids[d.point],
                                     concepts=concepts, feedback=d.feedback.strip()))
    return out


def draft_rubric(question: Question, judge: Any) -> Rubric:
    """Ask the judge's model for a rubric draft of `question` and make it a valid rubric."""
    draft, _usage, error = judge.structured(lambda shape: rubric_messages(question, json_shape=shape), RubricDraft)
    if draft is None:
        raise JudgeError(
            f"the LLM's rubric draft for '{question.id}' could not be used: {error}",
            fix="Try again, or another --model",
        )
    return to_rubric(question, draft)

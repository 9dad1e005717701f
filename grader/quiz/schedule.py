"""Which question to ask next: Leitner boxes on the score. Pure; the clock is passed in.

The rule, as documented in the README:

- Every question sits in a **box** from 1 to 6, starting in box 1. Its box comes from its graded attempts in
  order: a score of at least 0.75 moves it **up** one box, a score from 0.4 moves it **down** one (not below 1), a
  score under 0.4 (or an unscored grade) sends it back to **box 1**. Only the first attempt at a question in a quiz
  session counts: a retry straight after reading the feedback shows short-term memory, not learning.
- A question is **due** `INTERVALS[box]` after its last counted attempt: box 1 at once, then 1, 3, 7, 16 and 35
  days.
- The next questions are the due ones, **weakest box first**, then the longest overdue; **new questions** (never
  answered) are mixed in — every third pick while due ones remain, all picks once none are. When neither is left,
  questions not yet due fill up the count, soonest due first ("practice ahead").
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict

PASS_AT = 0.75
PARTIAL_AT = 0.4
MAX_BOX = 6
INTERVALS: dict[int, timedelta] = {
    1: timedelta(0),
    2: timedelta(days=1),
    3: timedelta(days=3),
    4: timedelta(days=7),
    5: timedelta(days=16),
    6: timedelta(days=35),
}
NEW_EVERY = 3


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Review(_Model):
    """What the schedule needs to know of one graded attempt."""

    question_id: str
    score: float | None
    at: datetime
    session: str = ""


class Card(_Model):
    """A question's place in the schedule."""

    question_id: str
    box: int
    reviews: int
    last_seen: datetime
    due_at: datetime
    last_score: float | None


class Pick(_Model):
    question_id: str
    reason: Literal["due", "new", "ahead"]
    box: int | None = None


def next_box(box: int, score: float | None) -> int:
    """The Leitner step for one counted attempt; a never-answered question (box 0) starts from box 1."""
    box = max(box, 1)
    if score is None or score < PARTIAL_AT:
        return 1
    if score >= PASS_AT:
        return min(box + 1, MAX_BOX)
    return max(box - 1, 1)


def counted(reviews: Iterable[Review]) -> Iterator[Review]:
    """The attempts that count, oldest first: the first at each question in a session (a retry is not recall)."""
    seen: set[tuple[str, str]] = set()
    for r in sorted(reviews, key=lambda r: r.at):
        key = (r.question_id, r.session)
        if r.session and key in seen:
            continue
        seen.add(key)
        yield r


def cards(reviews: Iterable[Review]) -> dict[str, Card]:
    """Each answered question's card, from its attempts (any order)."""
    out: dict[str, Card] = {}
    for r in counted(reviews):
        prev = out.get(r.question_id)
        box = next_box(prev.box if prev else 0, r.score)
        out[r.question_id] = Card(
            question_id=r.question_id,
            box=box,
            reviews=(prev.reviews if prev else 0) + 1,
            last_seen=r.at,
            due_at=r.at + INTERVALS[box],
            last_score=r.score,
        )
    return out


def plan(
    question_ids: Sequence[str],
    reviews: Iterable[Review],
    *,
    now: datetime,
    count: int,
    rng: random.Random | None = None,
    cards_of: Callable[[Iterable[Review]], dict[str, Card]] = cards,
) -> list[Pick]:
    """Up to `count` questions from `question_ids` to ask now, in order (see the module docstring for the rule).

    `rng` shuffles the new questions; without it they keep the given order (deterministic for tests). `cards_of`
    makes the cards from the reviews: the Leitner boxes, or another scheduler (`grader.quiz.policy`).
    """
    known = cards_of(r for r in reviews if r.question_id in set(question_ids))
    due = sorted(
        (c for c in known.values() if c.due_at <= now),
        key=lambda c: (c.box, c.due_at - now, c.question_id),
    )
    ahead = sorted((c for c in known.values() if c.due_at > now), key=lambda c: (c.due_at, c.question_id))
    new = [q for q in question_ids if q not in known]
    if rng is not None:
        rng.shuffle(new)
    picks: list[Pick] = []
    while len(picks) < count and (due or new):
        slot_for_new = (len(picks) + 1) % NEW_EVERY == 0
        if new and (slot_for_new or not due):
            picks.append(Pick(question_id=new.pop(0), reason="new"))
        else:
            card = due.pop(0)
            picks.append(Pick(question_id=card.question_id, reason="due", box=card.box))
    for card in ahead[: max(0, count - len(picks))]:
        picks.append(Pick(question_id=card.question_id, reason="ahead", box=card.box))
    return picks

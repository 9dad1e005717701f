"""How the quiz schedules reviews: Leitner boxes (the default) or FSRS, and an interview date capping intervals.

Chosen by `grader quiz --scheduler fsrs --until 2026-12-20`, or in the config file (`grader.paths.config_file()`):

    [quiz]
    scheduler = "fsrs"            # leitner | fsrs
    until = 2026-12-20            # the interview: no review is due after it
    desired_retention = 0.9       # FSRS: the chance of recalling a question when it comes due

FSRS (the `fsrs` package, the scheduler of Anki and others) models each question's memory stability and
difficulty from the history of ratings. A grade becomes a rating by its score: under 0.4 (or unscored) Again,
from 0.4 Hard, from 0.75 Good, from 0.9 Easy. Fuzzing is off, so the same history always gives the same dates.
Every card still gets a "box" (1-6) from its current interval, on the Leitner scale, for ordering and `stats`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError

from grader.errors import InvalidFile
from grader.models import Model
from grader.paths import config_file
from grader.quiz.schedule import INTERVALS, PARTIAL_AT, PASS_AT, Card, Review, cards, counted

EASY_AT = 0.9
Scheduler = Literal["leitner", "fsrs"]


def rating_of(score: float | None) -> int:
    """The FSRS rating for a score: 1 Again (< 0.4 or unscored), 2 Hard (< 0.75), 3 Good (< 0.9), 4 Easy."""
    if score is None or score < PARTIAL_AT:
        return 1
    return 2 if score < PASS_AT else 3 if score < EASY_AT else 4


def box_of(interval: timedelta) -> int:
    """The Leitner box whose interval is the longest not above `interval` (box 1 for anything under a day)."""
    return max(box for box, step in INTERVALS.items() if step <= interval)


class Policy(Model):
    """The scheduler and its settings."""

    scheduler: Scheduler = "leitner"
    until: date | None = None
    desired_retention: float = Field(default=0.9, gt=0.5, lt=1)

    def cards(self, reviews: Iterable[Review]) -> dict[str, Card]:
        """Each answered question's card by this policy, every due date capped at the interview date."""
        made = cards(reviews) if self.scheduler == "leitner" else fsrs_cards(reviews, self.desired_retention)
        if self.until is None:
            return made
        cap = datetime.combine(self.until, time.min, UTC)
        return {q: c.model_copy(update={"due_at": cap}) if c.last_seen < cap < c.due_at else c
                for q, c in made.items()}  # fmt: skip


def fsrs_cards(reviews: Iterable[Review], retention: float = 0.9) -> dict[str, Card]:
    """Cards from replaying each question's counted attempts through an FSRS scheduler."""
    import fsrs  # only the FSRS policy needs it

    scheduler = fsrs.Scheduler(desired_retention=retention, enable_fuzzing=False)
    state: dict[str, tuple[fsrs.Card, Card]] = {}
    for r in counted(reviews):
        memory = state[r.question_id][0] if r.question_id in state else fsrs.Card(card_id=1)
        at = r.at if r.at.tzinfo else r.at.replace(tzinfo=UTC)
        memory, _ = scheduler.review_card(memory, fsrs.Rating(rating_of(r.score)), review_datetime=at)
        reviews_before = state[r.question_id][1].reviews if r.question_id in state else 0
        card = Card(question_id=r.question_id, box=box_of(memory.due - at), reviews=reviews_before + 1,
                    last_seen=r.at, due_at=memory.due, last_score=r.score)  # fmt: skip
        state[r.question_id] = (memory, card)
    return {q: card for q, (_, card) in state.items()}


def load_policy(path: Path | None = None, **overrides: Any) -> Policy:
    """The policy from the config file's [quiz] section, then `overrides` (flags) that are not None."""
    where = path or config_file()
    section: dict[str, Any] = {}
    if where.is_file():
        try:
            section = tomllib.loads(where.read_text(encoding="utf-8")).get("quiz", {})
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise InvalidFile(f"cannot read the config ({exc})", where=str(where), fix="Fix the TOML syntax") from None
    if not isinstance(section, dict):
        raise InvalidFile("[quiz] must be a table", where=str(where), fix="Write it as a [quiz] section")
    try:
        return Policy(**{**section, **{k: v for k, v in overrides.items() if v is not None}})
    except ValidationError as exc:
        err = exc.errors()[0]
        name = ".".join(str(p) for p in err["loc"])
        raise InvalidFile(f"quiz setting '{name}': {err['msg']}", where=str(where),
                          fix="scheduler: leitner or fsrs; until: a date (YYYY-MM-DD); desired_retention: 0.5..1 "
                          "(in the [quiz] section of the config file, or the flag)") from None  # fmt: skip

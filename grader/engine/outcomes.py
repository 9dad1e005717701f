"""What a lexical grade's point results decide whatever the answer's words were, made once per outcome. Pure.

The score the points combine to, the points an answer may leave out (`scoring.spare`), the hints to study and the
feedback paragraph depend on the rubric, the language, each point's status, score, verdict and feedback, the
grade's flags and the words the feedback names as off the question's topic; not on the rest of the answer's text.
Many answers to one rubric share an outcome (most points missing, or the same few found), so each distinct outcome
is composed once and shared; a new answer pays a dict lookup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from grader.engine.feedback import NAMED_WORDS, compose, study_next
from grader.engine.rubric_memo import RubricMemo
from grader.engine.scoring import combine, spare
from grader.models import PointResult, Rubric

_LIMIT = 20_000  # outcomes kept per rubric; past it the memo starts again (a bound on memory, not a cache policy)


@dataclass(slots=True)
class Outcome:
    """`scoring.combine` and `scoring.spare` of the points, `feedback.study_next` (never changed by a caller: a
    `Grade` copies it) and the feedback for each (flags, empty, words named off the topic) it was asked for."""

    score: float
    spare: frozenset[str]
    hints: list[str]
    points: Sequence[PointResult]
    _feedback: dict[tuple[tuple[str, ...], bool, tuple[str, ...], bool], str] = field(default_factory=dict)

    def feedback(
        self, lang: str, flags: Sequence[str], empty: bool, unrelated: Sequence[str] = (), lifted: bool = False
    ) -> str:
        """`feedback.compose` of the points with these flags (and the answer's words about something else, when
        they lowered its score: `grader.engine.relevance`; `lifted`: see `compose`)."""
        key = (tuple(flags), empty, tuple(unrelated[:NAMED_WORDS]), lifted)
        text = self._feedback.get(key)
        if text is None:
            text = self._feedback[key] = compose(
                self.points, lang, empty=empty, flags=flags, hints=self.hints, spare=self.spare, unrelated=key[2],
                lifted=lifted,
            )
        return text


_memo: RubricMemo[dict[tuple[object, ...], Outcome]] = RubricMemo()


def outcome(rubric: Rubric, points: Sequence[PointResult], lang: str) -> Outcome:
    """The outcome of these point results (made from `rubric`'s points, hints in `lang`)."""
    known = _memo.get(rubric, _no_outcomes)
    key = (lang, *[(p.status, p.score, p.verdict, p.feedback) for p in points])
    found = known.get(key)
    if found is None:
        groups = rubric.group_needs()
        left = spare(points, rubric.needs, groups)
        found = Outcome(combine(points, rubric.needs, groups), left, study_next(points, left), points)
        if len(known) >= _LIMIT:
            known.clear()
        known[key] = found
    return found


def _no_outcomes(rubric: Rubric) -> dict[tuple[object, ...], Outcome]:
    return {}

"""What hedges do to a grade: the points whose evidence lies only in a hedge (`grader.engine.hedges`) get no
credit for it; a point that loses most of its credit so is contradicted, with feedback quoting the hedge. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from grader.engine.compiled import Evidence, PointMatch
from grader.engine.contradictions import Contradiction, discount
from grader.engine.feedback import phrase, short
from grader.engine.hedges import NEGATED, find_hedges, opening_pieces, pairs_in
from grader.engine.matching import AnswerMatch
from grader.engine.rubric_memo import RubricMemo
from grader.engine.text import latin_lang, tokenize
from grader.models import Question, Rubric

_decided: RubricMemo[frozenset[int]] = RubricMemo()


def decided(rubric: Rubric, question: Question) -> frozenset[int]:
    """What an answer's hedge may be over for this rubric: the pairs of opposites its points and hints speak of, and
    `NEGATED`, less what the question or reference itself leaves open ("too high or too low", "may or may not")."""
    return _decided.get(rubric, _decide, question.question, question.reference)


def _decide(rubric: Rubric, question: str, reference: str) -> frozenset[int]:
    spoken = {NEGATED}
    for point in rubric.points:
        hints = point.hint.items() if isinstance(point.hint, dict) else [(rubric.lang, point.hint)]
        for lang, text in [(rubric.lang, point.text), *hints]:
            toks = tokenize(str(text), str(lang))
            spoken.update(pairs_in(toks))
    open_ = {h.key for text in (question, reference) for h in find_hedges(text, rubric.lang)}
    return frozenset(spoken - open_)


def find_hedged(
    question: Question, rubric: Rubric, points: Sequence[PointMatch], answer: str, lang: str, match: AnswerMatch
) -> tuple[list[PointMatch] | None, list[Contradiction]]:
    """The matcher's findings without the credit that hedges earned (None when they earned none), and the points
    that lost most of theirs to a hedge, as contradicted with feedback quoting it. An answer without a disjunction
    is not read again (`match`: the answer's, whose pieces' marks tell)."""
    marks: list[int] | None = None
    opening: list[int] | None = None
    if match.answer == answer and match.latin == latin_lang(lang):
        marks = match.piece_flags()
        opening = opening_pieces(marks)
        if not opening:
            return None, []
        if marks[0] == -1:
            marks = opening = None  # a matcher without piece marks
    hedges = find_hedges(answer, lang, decided(rubric, question), marks, opening)
    if not hedges:
        return None, []
    spans = [Evidence(h.start, h.end, answer[h.start : h.end]) for h in hedges]
    after = discount(points, spans)
    found = []
    for before, now in zip(points, after, strict=True):
        if before.score and now.score < before.score / 2:  # most of what the point earned, it earned in a hedge
            found.append(_hedged(rubric, before, spans, lang))
    return after, found


def _hedged(rubric: Rubric, pm: PointMatch, spans: Sequence[Evidence], lang: str) -> Contradiction:
    """Point `pm` as hedged: the feedback quotes the first hedge holding its evidence and says what is right."""
    held = [e for c in pm.concepts if c.matched for e in c.evidence]
    span = next((s for s in spans if any(s.start <= e.start < s.end for e in held)), spans[0])
    claim = span.text.strip()
    at = span.start + span.text.index(claim)
    point = next(p for p in rubric.points if p.id == pm.id)
    feedback = phrase(lang, "hedged", claim=short(claim), right=point.hint_in(lang) or point.text)
    return Contradiction(pm.id, "hedge", (Evidence(at, at + len(claim), claim),), feedback)

"""The lexical grade: the matcher's findings become point results, a score and feedback. Pure, no network.

`grade_lexical(question, rubric, answer)` is what `grader.grading` calls in lexical mode (after the injection
screen) and what graded examples (`grader.engine.exemplars`) and the LLM plan build on.
"""

from __future__ import annotations

import dataclasses
from functools import cache
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from grader import __version__
from grader.engine.answer_words import answer_words
from grader.engine.clause_polarity import discount_negated
from grader.engine.compiled import Evidence, PointMatch
from grader.engine.contradictions import Contradiction, apply, cap_of, discount, flags_of
from grader.engine.feedback import lifted_verdict
from grader.engine.hedged import find_hedged
from grader.engine.hedges import piece_marks as hedge_marks
from grader.engine.injection import piece_may_hold_injection
from grader.engine.matching import AnswerMatch, Matcher
from grader.engine.misconceptions import find_misconceptions
from grader.engine.negation_reach import drop_misplaced_negations
from grader.engine.other_term import find_other_term
from grader.engine.outcomes import outcome
from grader.engine.relevance import ON_TOPIC, relevance, topic_of
from grader.engine.reversal import DIRECTION_MARK, find_reversals, piece_holds_direction
from grader.engine.roles import find_swaps
from grader.engine.rubric_memo import RubricMemo
from grader.engine.scoring import KEYWORD_LIST_CAP, auto_curve, keyword_list, off_topic, status_of
from grader.engine.soft import soft_match
from grader.engine.text import detect_lang, latin_lang
from grader.engine.topics import find_exchanged
from grader.engine.unclaimed import UNCLAIMED_MARKS, piece_marks, unclaimed
from grader.engine.undone_negation import find_undone_negations
from grader.models import Grade, KeyPoint, Lang, PointResult, Question, Rubric

if TYPE_CHECKING:
    from pydantic import TypeAdapter

_MIN_WORDS_FOR_LANG = 3
_START = itemgetter(0)  # an Evidence's start

_matchers: dict[tuple[int, int], Matcher] = {}


def matcher_for(question: Question, rubric: Rubric) -> Matcher:
    """The compiled matcher for this rubric, built once and reused (its word memo is what makes batches fast)."""
    key = (id(question), id(rubric))
    m = _matchers.get(key)
    if m is None or m.rubric is not rubric or m.question != question.question:
        if len(_matchers) > 256:
            _matchers.clear()
        m = _matchers[key] = Matcher(rubric, question.question, _piece_marks, misconceptions=True)
    return m


def _piece_marks(piece: str, latin: str) -> int:
    """What the matcher keeps of a piece of answer for the injection screen (bit 1), for reversals, for words the
    answer may not claim and for hedges."""
    return (
        piece_may_hold_injection(piece)
        | (DIRECTION_MARK if piece_holds_direction(piece, latin) else 0)
        | piece_marks(piece)
        | hedge_marks(piece, latin)
    )


def feedback_lang(answer: str, question: Question, match: AnswerMatch | None = None) -> Lang:
    """The answer's language when there is enough of it to tell, else the question's (`match`: the answer's, to
    take the letter counts from)."""
    if len(answer.split(maxsplit=_MIN_WORDS_FOR_LANG)) >= _MIN_WORDS_FOR_LANG:  # without splitting a long answer
        if match is None:
            return detect_lang(answer, default=question.lang)
        return detect_lang(answer, default=question.lang, counts=match.letters, stops=match.stops)
    return question.lang


def lexical_points(rubric: Rubric, match: AnswerMatch, lang: str) -> list[PointResult]:
    """Point results from the matcher's findings, with each point's hint in `lang`."""
    by_id: dict[str, PointMatch] = {p.id: p for p in match.points}
    found: list[dict[str, Any]] = []
    for point in rubric.points:
        pm = by_id[point.id]
        if not pm.score:  # nothing found: the result every such answer shares
            continue
        evidence = [s for c in pm.concepts for s in c.evidence]
        if len(evidence) > 1:
            evidence.sort(key=_START)
        found.append(_fields(point, lang, pm.score, evidence))
    # One call for all points found, ~40% cheaper than one per point; evidence becomes `Span`s from its attributes.
    made = _point_results().validate_python(found, from_attributes=True)
    if len(made) == len(rubric.points):
        return made
    each, shared = iter(made), _missing(rubric, lang)
    return [next(each) if by_id[p.id].score else shared[i] for i, p in enumerate(rubric.points)]


def _fields(point: KeyPoint, lang: str, score: float, evidence: list[Evidence]) -> dict[str, Any]:
    return {
        "id": point.id,
        "text": point.text,
        "status": status_of(score),
        "score": round(score, 4),
        "weight": point.weight,
        "required": point.required,
        "evidence": evidence,
        "hint": point.hint_in(lang),
        "decided_by": "lexical",
    }


_missing_memo: RubricMemo[list[PointResult]] = RubricMemo()


def _missing(rubric: Rubric, lang: str) -> list[PointResult]:
    """Each point's result when nothing of it is found (`PointResult` is frozen, so grades share them)."""
    return _missing_memo.get(rubric, _none_found, lang)


def _none_found(rubric: Rubric, lang: str) -> list[PointResult]:
    return _point_results().validate_python([_fields(p, lang, 0.0, []) for p in rubric.points])


@cache
def _point_results() -> TypeAdapter[list[PointResult]]:
    from pydantic import TypeAdapter  # here: a start-up that grades nothing need not import it

    return TypeAdapter(list[PointResult])


def contradictions(
    question: Question, rubric: Rubric, answer: str, match: AnswerMatch, lang: str, matcher: Matcher | None = None
) -> tuple[AnswerMatch, list[Contradiction]]:
    """The misconceptions and reversed statements in `answer`, and the match without the credit the words of a
    misconception earned (`grader.engine.contradictions`); `matcher`: the one that made `match` (by default the
    rubric's own)."""
    compiled = (matcher or matcher_for(question, rubric)).points
    words = answer_words(match, answer, lang)  # the answer's words for every check, read when one first asks
    match = dataclasses.replace(match, points=drop_misplaced_negations(compiled, match.points, lang, answer))
    if rubric.built_by == "auto":  # the reference's words said under a negation it lacks earn nothing
        match = dataclasses.replace(match, points=discount_negated(rubric, compiled, match.points, answer))
    match = _claimed(match, answer, question.question)
    found = find_misconceptions(rubric, question.question, answer, lang, match)
    if found:
        match = dataclasses.replace(match, points=discount(match.points, [e for c in found for e in c.evidence]))
    hedged_points, hedged = find_hedged(question, rubric, match.points, answer, lang, match)
    if hedged_points is not None:
        match = dataclasses.replace(match, points=hedged_points)
    reversed_ = find_reversals(rubric, match.points, answer, lang, match)
    reversed_ += find_undone_negations(rubric, compiled, match.points, answer, lang)
    swapped = find_swaps(rubric, match.points, answer, lang, words)
    exchanged = find_exchanged(rubric, question.question, match.points, answer, lang, words)
    other = find_other_term(question, match.points, answer, lang, words)
    return match, found + hedged + reversed_ + swapped + exchanged + other


def _claimed(match: AnswerMatch, answer: str, question: str) -> AnswerMatch:
    """The match without the credit of words only asked, called false or related vaguely
    (`grader.engine.unclaimed`), and which of these took at least `FLAGGED_SHARE` of the credit (a vague opener
    before a real explanation costs its own words, but the answer is not told it only asks or is vague)."""
    if not any(p.score for p in match.points):
        return match
    marks = match.marks & UNCLAIMED_MARKS if match.answer == answer else UNCLAIMED_MARKS
    if not marks:
        return match  # no piece holds a question mark or a word of a judgement or a vague frame
    asked, disowned, vague = unclaimed(answer, question, marks)
    if not (asked or disowned or vague):
        return match
    had = sum(p.score for p in match.points)
    causes, points = [], match.points
    for cause, stretches in (("asked", asked), ("disowned", disowned), ("vague", vague)):
        if stretches:
            kept = discount(points, [Evidence(a, b, "") for a, b in stretches])
            if sum(p.score for p in points) - sum(p.score for p in kept) >= FLAGGED_SHARE * had:
                causes.append(cause)
            points = kept
    return dataclasses.replace(match, points=points, unclaimed=tuple(causes))


FLAGGED_SHARE = 0.5  # of an answer's credit that words it does not claim must have taken for the grade to say so


def _uncontradicted(points: list[PointResult]) -> float:
    """The share of the points' weight the answer does not contradict. The curve lifts coverage because a point
    may be said in other words; a point the answer contradicts was said, wrongly, and no lift earns it back."""
    wrong = sum(p.weight for p in points if p.verdict == "contradicted")
    return 1.0 - wrong / (sum(p.weight for p in points) or 1.0) if wrong else 1.0


def grade_lexical(question: Question, rubric: Rubric, answer: str, *, matcher: Matcher | None = None) -> Grade:
    """Grade by lexical matching alone: no network, deterministic."""
    return grade_lexical_match(question, rubric, answer, matcher or matcher_for(question, rubric))[0]


def grade_lexical_match(question: Question, rubric: Rubric, answer: str, matcher: Matcher) -> tuple[Grade, AnswerMatch]:
    # Matched first, in the question's language, so the language is told from the letters the matcher counted;
    # matched again only when the answer's language stems Latin words another way (German).
    m = matcher.match(answer, question.lang)
    lang = feedback_lang(answer, question, m)
    if latin_lang(lang) != latin_lang(question.lang):
        m = matcher.match(answer, lang)
    named = m  # every term the answer names, wrong claims included: whether it only lists them is read from these
    m, found = contradictions(question, rubric, answer, m, lang, matcher)
    m = soft_match(question, rubric, m, lang)  # automatic rubrics only: related words in the best sentence
    points = apply(lexical_points(rubric, m, lang), found)
    flags = [*flags_of(found), *m.unclaimed]
    told = outcome(rubric, points, lang)  # what the points decide, composed once per distinct outcome
    score = told.score
    unrelated: tuple[str, ...] = ()
    if rubric.built_by == "auto" and score:  # (coverage 0 stays 0: nothing to lift)
        # An answer in another language than the question is not read against the topic: its words are not the
        # question's words, whatever it says; it is lifted as the coverage curve alone lifts it.
        about = relevance(answer, topic_of(question, rubric), lang) if lang == question.lang else ON_TOPIC
        lifted = auto_curve(score, about.share)
        if lifted < auto_curve(score):  # lifted less: much of what it says is not about the question
            unrelated = about.unrelated
            if off_topic(about.share):
                flags.append("off_topic")
        score = round(lifted * _uncontradicted(points), 4)
    cap = cap_of(found)
    if cap is not None:
        score = min(score, cap)
    if keyword_list(named, question.question, question.reference, lang):
        flags.append("keyword_list")
        score = min(score, KEYWORD_LIST_CAP)
    empty = not answer.strip()
    if empty:
        flags.append("empty")  # a blank answer is a grade of 0, flagged, never an error
    up = lifted_verdict(rubric.built_by == "auto", score, [p.status for p in points])  # not "none covered"
    graded = Grade(
        question_id=question.id,
        score=0.0 if empty else score,
        points=points,
        feedback=told.feedback(lang, flags, empty, unrelated, lifted=up),
        mode="lexical",
        lang=lang,
        grader_version=__version__,
        flags=flags,
        study_next=told.hints,
    )
    return graded, m

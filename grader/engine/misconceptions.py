"""Misconceptions of a rubric stated in an answer. Pure.

A misconception is matched exactly like a key point (wordings, typos, synonyms, negation: "momentum does not
reduce the step" states nothing wrong), with two differences: every one of its concepts must be found, and all of
them in one sentence of the answer, since a wrong claim is one statement, not words scattered over an answer.
"""

from __future__ import annotations

from grader.engine.compiled import Evidence, PointMatch
from grader.engine.contradictions import Contradiction, sentences
from grader.engine.matching import Matcher
from grader.models import KeyPoint, Rubric

_matchers: dict[tuple[int, str], tuple[Rubric, Matcher]] = {}


def matcher_of(rubric: Rubric, question: str) -> Matcher | None:
    """A matcher whose points are the rubric's misconceptions (None without any), built once per rubric."""
    if not rubric.misconceptions:
        return None
    key = (id(rubric), question)
    hit = _matchers.get(key)
    if hit is not None and hit[0] is rubric:
        return hit[1]
    claims = [KeyPoint(id=m.id, text=m.text, concepts=m.concepts) for m in rubric.misconceptions]
    as_rubric = Rubric(question_id=rubric.question_id, lang=rubric.lang, built_by=rubric.built_by, points=claims)
    if len(_matchers) > 256:
        _matchers.clear()
    matcher = Matcher(as_rubric, question)
    _matchers[key] = (rubric, matcher)
    return matcher


def find_misconceptions(rubric: Rubric, question: str, answer: str, lang: str) -> list[Contradiction]:
    """The rubric's misconceptions that `answer` states, each with its evidence and feedback in `lang`."""
    matcher = matcher_of(rubric, question)
    if matcher is None or not answer.strip():
        return []
    found = []
    for claim, pm in zip(rubric.misconceptions, matcher.match(answer, lang).points, strict=True):
        evidence = _in_one_sentence(pm, answer) if pm.concepts and pm.score >= 1.0 else None
        if evidence:
            found.append(
                Contradiction(claim.point, "misconception", evidence, claim.feedback_in(lang), claim.id, claim.cap)
            )
    return found


def _in_one_sentence(pm: PointMatch, answer: str) -> tuple[Evidence, ...] | None:
    """Evidence of every concept of `pm` from the first sentence that holds some of each, or None."""
    for start, end in sentences(answer):
        picked = []
        for c in pm.concepts:
            inside = [e for e in c.evidence if start <= e.start < end]
            if not inside:
                break
            picked += inside
        else:
            return tuple(sorted(picked))
    return None

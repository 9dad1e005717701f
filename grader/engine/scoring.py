"""From point results to one score. Pure.

The score is the weighted share of key points covered, with partial credit for partly covered points. Two rules
keep it honest:

- **Required points gate the score.** A missing required point caps the score at 0.4, a partly covered one at
  0.7: an answer that skips the heart of the question is not a good answer, whatever else it says.
- **A bare list of keywords cannot score high.** When nearly every word of an answer is a rubric term, with
  almost no function words and no piece longer than a few words, or when no piece of it states anything at all
  (no predicate, whatever share of its words are rubric terms; `grader.engine.statements`), the score is capped
  at 0.5 and the grade is flagged `keyword_list`. A list of terms answering a question that asks for a list is
  judged by the first rule only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from grader.engine.matching import AnswerMatch
from grader.engine.statements import asks_for_list, makes_no_statement
from grader.models import PointResult, Status

COVERED_AT = 0.6
REQUIRED_MISSING_CAP = 0.4
REQUIRED_PARTIAL_CAP = 0.7
KEYWORD_LIST_CAP = 0.5


def status_of(score: float) -> Status:
    """Covered from 0.6 of a point's concepts, partial above zero, missing at zero."""
    if score >= COVERED_AT:
        return "covered"
    return "partial" if score > 0 else "missing"


def point_credit(score: float) -> float:
    """Credit a point earns: full once covered, its share of concepts when partial."""
    return 1.0 if score >= COVERED_AT else score


def combine(points: Sequence[PointResult], needs: int | None = None) -> float:
    """Weighted share of credit over points (the best `needs` of them, when given), then the required-point caps."""
    counted = list(points)
    if needs is not None and needs < len(counted):
        best = sorted(counted, key=lambda p: -point_credit(p.score))[:needs]
        counted = best + [p for p in counted if p.required and all(p is not b for b in best)]
    total = sum(p.weight for p in counted)
    if not total:
        return 0.0
    score = sum(p.weight * point_credit(p.score) for p in counted) / total
    for p in points:
        if p.required and p.status == "missing":
            score = min(score, REQUIRED_MISSING_CAP)
        elif p.required and p.status == "partial":
            score = min(score, REQUIRED_PARTIAL_CAP)
    return round(score, 4)


def is_keyword_list(m: AnswerMatch) -> bool:
    """An answer that is rubric terms and little else: no function words, no real sentences."""
    if m.n_tokens < 3:
        return False
    if m.n_evidence_tokens / m.n_tokens < 0.6 or m.n_stop / m.n_tokens >= 0.1:
        return False
    return m.n_tokens / max(1, m.n_segments) < 4  # counting segments is the costly part: only when it matters


def keyword_list(m: AnswerMatch, question: str) -> bool:
    """`is_keyword_list`, or an answer of several pieces none of which states anything, unless the question asks for
    a list."""
    return is_keyword_list(m) or (makes_no_statement(m.answer) and not asks_for_list(question))


def auto_curve(coverage: float) -> float:
    """Score of an answer from its rubric coverage under an automatic rubric: concave, sqrt.

    An automatic rubric's concepts are single words of the reference, and answers say the same idea in other
    words; an answer that shows a quarter of the words usually carries about half the idea (tuned on SAF training).
    """
    return math.sqrt(max(0.0, min(1.0, coverage)))

"""From point results to one score. Pure.

The score is the weighted share of key points covered, with partial credit for partly covered points. Two rules
keep it honest:

- **Required points gate the score.** A missing required point caps the score at 0.4, a partly covered one at
  0.7: an answer that skips the heart of the question is not a good answer, whatever else it says.
- **A bare list of keywords cannot score high.** When most rubric terms an answer names stand with no predicate
  within a few words of them, in whatever punctuation or none (`grader.engine.termlist`), or when no piece of it
  states anything at all (`grader.engine.statements`), the score is capped at 0.5 and the grade is flagged
  `keyword_list`. A list of terms answering a question that asks for a list is judged by the first rule only. A
  word salad (the right words in no grammatical order, `grader.engine.salad`) is capped and flagged the same way,
  whatever the question.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from grader.engine.frames import framed_terms
from grader.engine.matching import AnswerMatch
from grader.engine.salad import is_word_salad, rearranges_reference
from grader.engine.statements import asks_for_list, makes_no_statement, states_nothing
from grader.engine.termlist import MIN_ITEMS, lists_terms
from grader.engine.text import detect_lang
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


def combine(
    points: Sequence[PointResult], needs: int | None = None, groups: Sequence[tuple[frozenset[str], int]] = ()
) -> float:
    """Weighted share of credit over points (the best `needs` of them, when given; of a group's points, the best
    that group needs), then the required-point caps."""
    counted = list(points)
    for ids, n in groups:
        members = sorted((p for p in counted if p.id in ids), key=lambda p: -point_credit(p.score))
        dropped = {id(p) for p in members[n:] if not p.required}
        counted = [p for p in counted if id(p) not in dropped]
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


def spare(
    points: Sequence[PointResult], needs: int | None = None, groups: Sequence[tuple[frozenset[str], int]] = ()
) -> frozenset[str]:
    """Ids of the points an answer may leave out: the uncovered alternatives of a menu it has already answered
    (a group with as many points covered as it needs; the rubric's own `needs` likewise). Feedback does not call
    them missing, nor sends the candidate to study them."""
    out: set[str] = set()
    menus = [*groups, (frozenset(p.id for p in points), needs)] if needs else list(groups)
    for ids, n in menus:
        members = [p for p in points if p.id in ids]
        if sum(p.status == "covered" for p in members) >= n:
            out.update(p.id for p in members if p.status != "covered" and not p.required)
    return frozenset(out)


# The curve from an automatic rubric's coverage to a score: `min(1, scale * coverage ** power)`. Fitted on SAF
# (English and German, every question) by least squares; `benchmarks/loqo.py` refits it leaving each question out
# to show what it is worth on questions it was not fitted on.
AUTO_CURVE = (1.11, 0.24)
# The curve's second input, the answer's relevance (`grader.engine.relevance`: the share of its informative words
# about the question's topic), as (lift, level): below `level` the power grows by up to `lift`, so coverage earned
# by an answer about something else is lifted less. Fitted on SAF with `AUTO_CURVE` fixed, on the real answers and
# on answers to other questions of the same language (a person gives those 0) weighted `OFF_TOPIC_WEIGHT` each;
# `benchmarks/loqo.py` refits it leaving each question out.
RELEVANCE_CURVE = (0.5, 0.3)
OFF_TOPIC_WEIGHT = 0.25


def keyword_list(m: AnswerMatch, question: str, reference: str = "", lang: str | None = None) -> bool:
    """Whether the answer lists rubric terms without relating them (`grader.engine.termlist`), or is several pieces
    none of which states anything, unless the question asks for a list or the reference is one (a reference that
    states nothing, "Data members and member functions.", is answered in its own form); or is words in no
    grammatical order
    (`grader.engine.salad`: the reference's own words rearranged, or in no grammatical order), whatever the
    question. `lang`: the answer's language, when known."""
    if is_word_salad(m.answer) or rearranges_reference(m.answer, reference):
        return True
    if asks_for_list(question) or (reference and states_nothing(reference)):
        return False  # a list is the form the question asks for, or the form of the reference itself
    spans = [(e.start, e.end) for p in m.points if p.score for c in p.concepts for e in c.evidence]
    if len(spans) >= MIN_ITEMS and (
        lists_terms(m.answer, spans, lang)
        or framed_terms(m.answer, spans, question, reference, lang or detect_lang(m.answer, default="en"))
    ):
        return True
    return makes_no_statement(m.answer, lang)


def apply_curve(
    coverage: float, curve: tuple[float, float], relevance: float = 1.0, penalty: tuple[float, float] = (0.0, 1.0)
) -> float:
    """`min(1, scale * coverage ** (power + lift * max(0, 1 - relevance / level)))` for `curve` = (scale, power)
    and `penalty` = (lift, level): the plain curve for an answer about the question (relevance from `level` up)."""
    scale, power = curve
    lift, level = penalty
    if relevance < level:
        power += lift * (1.0 - max(0.0, relevance) / level)
    return min(1.0, scale * float(max(0.0, min(1.0, coverage)) ** power))


def off_topic(relevance: float, penalty: tuple[float, float] = RELEVANCE_CURVE) -> bool:
    """Whether the answer is to be told it speaks about something else: the relevance term takes at least half its
    full effect (relevance below half its `level`). Between that and `level` the term still lowers the score, but
    many genuine answers that add material the reference does not mention stand there (of SAF's full-credit
    answers, 7 % in English and 14 % in German are lowered by the term, 0.6 % and 3 % below half its level)."""
    return penalty[0] > 0 and relevance < penalty[1] / 2


def fit_curve(coverages: Sequence[float], scores: Sequence[float]) -> tuple[float, float]:
    """(scale, power) minimising the squared error of `apply_curve` on these pairs: a grid, then a finer one.

    Coverages are binned to hundredths, so a fit costs the same for ten answers or ten thousand."""
    n, sy = [0] * 101, [0.0] * 101
    for x, y in zip(coverages, scores, strict=True):
        b = round(max(0.0, min(1.0, x)) * 100)
        n[b] += 1
        sy[b] += y
    bins = [(b / 100, n[b], sy[b]) for b in range(101) if n[b]]
    best = (math.inf, 1.0, 1.0)
    scales, powers = [0.5 + 0.05 * i for i in range(31)], [0.1 + 0.05 * i for i in range(27)]
    for _ in range(2):
        for s in scales:
            for p in powers:
                err = 0.0
                for x, k, y in bins:  # sum over a bin of (f - y)^2, less the constant sum of y^2
                    f = min(1.0, s * x**p)
                    err += k * f * f - 2 * f * y
                if err < best[0]:
                    best = (err, s, p)
        _, s0, p0 = best
        scales = [s0 + 0.005 * i for i in range(-10, 11)]
        powers = [max(0.01, p0 + 0.005 * i) for i in range(-10, 11)]
    return round(best[1], 3), round(best[2], 3)


def fit_relevance(
    real: Sequence[tuple[float, float, float]],
    off: Sequence[tuple[float, float]],
    curve: tuple[float, float],
    off_weight: float = OFF_TOPIC_WEIGHT,
) -> tuple[float, float]:
    """(lift, level) minimising the squared error of `apply_curve` with `curve` on `real` (coverage, relevance,
    human score) plus `off_weight` times the squared score of `off` (coverage, relevance) answers written for
    other questions, which a person scores 0. A grid; (0, level): no relevance term."""
    best = (math.inf, 0.0, 1.0)
    for lift in (0.0, 0.25, 0.5, 0.75, 1.0):
        for level in (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5) if lift else (1.0,):
            pen = (lift, level)
            err = sum((apply_curve(c, curve, r, pen) - y) ** 2 for c, r, y in real)
            err += off_weight * sum(apply_curve(c, curve, r, pen) ** 2 for c, r in off)
            if err < best[0]:
                best = (err, lift, level)
    return best[1], best[2]


def auto_curve(coverage: float, relevance: float = 1.0) -> float:
    """Score of an answer from its rubric coverage under an automatic rubric (`AUTO_CURVE`), lifted less when the
    answer is mostly about something else (`relevance`, `RELEVANCE_CURVE`).

    An automatic rubric's concepts are words of the reference, and answers say the same idea in other words; an
    answer that shows a quarter of the words usually carries about half the idea. That benefit of the doubt holds
    for an answer whose informative words are about the question; one that spends them on another topic earns
    little more than its coverage.
    """
    return apply_curve(coverage, AUTO_CURVE, relevance, RELEVANCE_CURVE)


def cap_of(points: Sequence[PointResult], flags: Sequence[str]) -> float:
    """The highest score the rubric allows these points: required points missing or partial, a keyword list (for
    a score made another way, e.g. blended with graded examples, that must still respect the rubric's caps)."""
    cap = KEYWORD_LIST_CAP if "keyword_list" in flags else 1.0
    for p in points:
        if p.required and p.status == "missing":
            cap = min(cap, REQUIRED_MISSING_CAP)
        elif p.required and p.status == "partial":
            cap = min(cap, REQUIRED_PARTIAL_CAP)
    return cap

"""Claims that contradict a key point, and what they do to a grade. Pure.

Two mechanisms find them: a misconception of the rubric stated in the answer (`grader.engine.misconceptions`) and
a point's direction stated the other way round (`grader.engine.reversal`). Either way the point earns nothing, is
marked `contradicted` with the wrong claim as evidence and a feedback sentence saying what is wrong and what is
right, and the grade is flagged. Words that made the wrong claim earn no other point either: stating a
misconception in the rubric's vocabulary must not buy credit elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence
from typing import Literal, NamedTuple

from grader.engine.compiled import ConceptMatch, Evidence, PointMatch
from grader.engine.sentence_ends import SENTENCE_END as SENTENCE_END  # the checks that read sentences import it here
from grader.models import PointResult, Span

Cause = Literal["misconception", "reversal", "other_term", "hedge"]

# A sentence ends at its punctuation or a line break (`SENTENCE_END`: not at the point of "0.5" or "e.g."); a clause
# also at a comma or dash opening a contrast ("X, а Y", "X, but Y"), after which a statement may well say the
# opposite of the one before.
_CONTRAST = re.compile(r",\s*(?:но|а|зато|однако|however|but|whereas|while|aber|sondern|jedoch)\b", re.IGNORECASE)


class Contradiction(NamedTuple):
    """A claim in the answer that contradicts key point `point`."""

    point: str
    cause: Cause
    evidence: tuple[Evidence, ...]
    feedback: str
    source: str = ""  # the misconception's id, for a misconception
    cap: float | None = None


def sentences(text: str) -> Iterator[tuple[int, int]]:
    """Character ranges [start, end) of the sentences of `text`."""
    at = 0
    for m in SENTENCE_END.finditer(text):
        if m.start() > at:
            yield at, m.start()
        at = m.end()
    if at < len(text):
        yield at, len(text)


def clauses(text: str) -> Iterator[tuple[int, int]]:
    """Character ranges of the clauses of `text`: its sentences, split again where a contrast opens."""
    for start, end in sentences(text):
        at = start
        for m in _CONTRAST.finditer(text, start, end):
            yield at, m.start()
            at = m.start() + 1
        yield at, end


def clause_at(text: str, at: int) -> tuple[int, int] | None:
    """The range `clauses(text)` yields that holds offset `at`, None when none does (sentence punctuation, the comma
    opening a contrast); found from the sentence around `at` alone, not by reading the text from its start."""
    if at >= len(text) or SENTENCE_END.match(text, at):
        return None
    start = _sentence_start(text, at)
    after = SENTENCE_END.search(text, at)
    end = after.start() if after else len(text)
    for m in _CONTRAST.finditer(text, start, end):
        if at < m.start():
            end = m.start()
            break
        start = m.start() + 1
    return (start, end) if start <= at else None


def _sentence_start(text: str, at: int) -> int:
    """Where the sentence holding offset `at` starts: after the last sentence end before it, looked for backwards
    (rfind: C, from the end), not by reading the text from its start. Only a point may not end one ("0.5")."""
    end = max(text.rfind(c, 0, at) for c in "!?;\n")
    point = text.rfind(".", end + 1, at)
    while point > end and not SENTENCE_END.match(text, point):
        point = text.rfind(".", end + 1, point)
    return max(end, point) + 1


def _overlaps(ev: Evidence, spans: Sequence[Evidence]) -> bool:
    return any(ev.start < s.end and s.start < ev.end for s in spans)


def discount(points: Sequence[PointMatch], spans: Sequence[Evidence]) -> list[PointMatch]:
    """The matcher's findings without the concepts whose only evidence lies inside `spans` (a wrong claim)."""
    if not spans:
        return list(points)
    out = []
    for pm in points:
        if not pm.score or not any(c.matched and all(_overlaps(e, spans) for e in c.evidence) for c in pm.concepts):
            out.append(pm)
            continue
        concepts = tuple(
            ConceptMatch(c.weight, False) if c.matched and all(_overlaps(e, spans) for e in c.evidence) else c
            for c in pm.concepts
        )
        total = sum(c.weight for c in concepts)
        got = sum(c.weight for c in concepts if c.matched)
        out.append(PointMatch(pm.id, got / total if total else 0.0, concepts))
    return out


_FIRST = {"misconception": 0, "other_term": 1}  # which cause a point contradicted several ways shows (`apply`)


def apply(points: Sequence[PointResult], found: Sequence[Contradiction]) -> list[PointResult]:
    """Point results with every contradicted point earning nothing, its wrong claim as evidence and the feedback.

    A point contradicted in several ways shows the misconception first (its feedback was written by a person for
    exactly that error), then another question's term (the answer is about something else: that its words also
    read the other way round follows from it), then the first of the others."""
    by_point: dict[str, Contradiction] = {}
    for c in found:
        if c.point not in by_point or _FIRST.get(c.cause, 2) < _FIRST.get(by_point[c.point].cause, 2):
            by_point[c.point] = c
    return [contradicted(p, by_point[p.id]) if p.id in by_point else p for p in points]


def contradicted(p: PointResult, c: Contradiction) -> PointResult:
    """`p` as contradicted by `c`."""
    return p.model_copy(
        update={
            "status": "missing",
            "score": 0.0,
            "verdict": "contradicted",
            "evidence": [Span(start=e.start, end=e.end, text=e.text) for e in c.evidence],
            "feedback": c.feedback,
        }
    )


def flags_of(found: Sequence[Contradiction]) -> list[str]:
    """`misconception`, `reversed`, `other_term` and/or `hedged`, in that order, for the causes present."""
    return flags_for({c.cause for c in found})


def flags_for(causes: Collection[str]) -> list[str]:
    """The grade flags for these causes of contradiction, in a fixed order."""
    named = (
        ("misconception", "misconception"), ("reversal", "reversed"), ("other_term", "other_term"), ("hedge", "hedged")
    )
    return [flag for cause, flag in named if cause in causes]


def cap_of(found: Sequence[Contradiction]) -> float | None:
    """The lowest `cap` a matched misconception sets, if any does."""
    caps = [c.cap for c in found if c.cap is not None]
    return min(caps) if caps else None
